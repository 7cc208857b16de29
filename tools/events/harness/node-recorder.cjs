// Preloaded into the Node run (`node --require`): defines globalThis.__recordEnvelope, which the
// app's transport calls with each serialized envelope, and appends it to the file named by
// MAPBACK_ENVELOPES_OUT as one JSON string per line (written synchronously: the SDK may exit the
// process right after sending, on an uncaught exception).
'use strict';
const fs = require('node:fs');

const out = process.env.MAPBACK_ENVELOPES_OUT;
if (!out) throw new Error('MAPBACK_ENVELOPES_OUT is not set');

globalThis.__recordEnvelope = (body) => {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  fs.appendFileSync(out, `${JSON.stringify(text)}\n`);
};
