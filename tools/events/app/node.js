// Node entry: @sentry/node as a server sets it up, with a transport that hands the serialized
// envelope to the recorder (preloaded by the capture step) instead of the network.
import * as Sentry from '@sentry/node';
import { SCENARIOS } from './src/scenarios.js';

function recordingTransport(options) {
  return Sentry.createTransport(options, (request) => {
    globalThis.__recordEnvelope(request.body);
    return Promise.resolve({ statusCode: 200 });
  });
}

Sentry.init({
  dsn: 'http://fixturekey@127.0.0.1:9/1',
  release: 'shop@1.0.0',
  transport: recordingTransport,
});

const scenario = process.argv[2];
SCENARIOS[scenario]((error) => Sentry.captureException(error));
