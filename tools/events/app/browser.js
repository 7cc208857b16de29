// Browser entry: @sentry/browser set up the way Sentry documents for tree-shaken bundles (a
// BrowserClient with an explicit integration list), with a transport that hands the serialized
// envelope to the page's recorder instead of the network.
import {
  BrowserClient,
  browserApiErrorsIntegration,
  captureException,
  createTransport,
  dedupeIntegration,
  defaultStackParser,
  getCurrentScope,
  globalHandlersIntegration,
  httpContextIntegration,
  linkedErrorsIntegration,
} from '@sentry/browser';
import { SCENARIOS } from './src/scenarios.js';

function recordingTransport(options) {
  return createTransport(options, (request) => {
    globalThis.__recordEnvelope(request.body);
    return Promise.resolve({ statusCode: 200 });
  });
}

const client = new BrowserClient({
  dsn: 'http://fixturekey@127.0.0.1:9/1',
  release: 'shop@1.0.0',
  transport: recordingTransport,
  stackParser: defaultStackParser,
  integrations: [
    browserApiErrorsIntegration(),
    globalHandlersIntegration(),
    linkedErrorsIntegration(),
    dedupeIntegration(),
    httpContextIntegration(),
  ],
});
getCurrentScope().setClient(client);
client.init();

const scenario = new URLSearchParams(location.search).get('scenario');
SCENARIOS[scenario]((error) => captureException(error));
