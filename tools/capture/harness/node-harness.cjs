/*
 * Preloaded by tools/capture/capture.mjs with `node --require node-harness.cjs SCRIPT`, so the
 * script under test runs as the main module exactly as `node SCRIPT` would run it (same bottom
 * frames, same absolute file paths).
 *
 * Environment (set by capture.mjs):
 *   MAPBACK_CAPTURE_MODE   "plain" or "callsites"
 *   MAPBACK_CAPTURE_OUT    file that receives the JSON records when the process exits
 *   MAPBACK_CAPTURE_ENTRY  optional expression, evaluated after the main module has loaded, with
 *                          `module`, `exports` and `require` of the main module in scope
 *   MAPBACK_CAPTURE_SCRIPT absolute path of the main module (to find it for the entry)
 *
 * It defines globalThis.__report(err, label) and globalThis.__done() and hooks
 * process 'uncaughtException' and 'unhandledRejection'.
 */
'use strict';
const fs = require('fs');

const MODE = process.env.MAPBACK_CAPTURE_MODE || 'plain';
const OUT = process.env.MAPBACK_CAPTURE_OUT;
const ENTRY = process.env.MAPBACK_CAPTURE_ENTRY || '';
const SCRIPT = process.env.MAPBACK_CAPTURE_SCRIPT || '';
delete process.env.MAPBACK_CAPTURE_MODE;
delete process.env.MAPBACK_CAPTURE_OUT;
delete process.env.MAPBACK_CAPTURE_ENTRY;
delete process.env.MAPBACK_CAPTURE_SCRIPT;

const records = [];
const sites = new WeakMap();
let done = false;

const CALLSITE_METHODS = [
  'getTypeName',
  'getFunctionName',
  'getMethodName',
  'getFileName',
  'getLineNumber',
  'getColumnNumber',
  'getEvalOrigin',
  'getScriptNameOrSourceURL',
  'getEnclosingLineNumber',
  'getEnclosingColumnNumber',
  'getPosition',
  'getPromiseIndex',
  'isToplevel',
  'isEval',
  'isNative',
  'isConstructor',
  'isAsync',
  'isPromiseAll',
];

function serializeCallSite(cs) {
  const out = {};
  for (const m of CALLSITE_METHODS) {
    if (typeof cs[m] !== 'function') continue;
    try {
      const v = cs[m]();
      out[m] = v === undefined ? null : v;
    } catch (e) {
      out[m] = { error: String(e) };
    }
  }
  try {
    out.toString = String(cs);
  } catch (e) {
    out.toString = null;
  }
  return out;
}

if (MODE === 'callsites') {
  Error.prepareStackTrace = function (err, callsites) {
    const serialized = callsites.map(serializeCallSite);
    if (err !== null && (typeof err === 'object' || typeof err === 'function')) {
      sites.set(err, serialized);
    }
    let head;
    try {
      head = String(err);
    } catch (e) {
      head = 'Error';
    }
    return head + serialized.map((s) => '\n    at ' + s.toString).join('');
  };
}

function field(err, key) {
  try {
    const v = err[key];
    return typeof v === 'string' ? v : v === undefined ? null : String(v);
  } catch (e) {
    return null;
  }
}

function record(err, label, source) {
  const isObject = err !== null && (typeof err === 'object' || typeof err === 'function');
  const entry = {
    label: label === undefined ? null : label,
    source,
    name: isObject ? field(err, 'name') : null,
    message: isObject ? field(err, 'message') : String(err),
    stack: isObject ? field(err, 'stack') : null,
    callsites: null,
  };
  if (MODE === 'callsites' && isObject) entry.callsites = sites.get(err) || null;
  records.push(entry);
}

globalThis.__report = function (err, label) {
  record(err, label, 'report');
};
globalThis.__done = function () {
  done = true;
};
process.on('uncaughtException', (err) => record(err, null, 'uncaughtException'));
process.on('unhandledRejection', (reason) => record(reason, null, 'unhandledRejection'));

process.on('exit', () => {
  if (!OUT) return;
  const payload = {
    version: process.version,
    userAgent: globalThis.navigator && navigator.userAgent ? navigator.userAgent : null,
    done,
    errors: records,
  };
  fs.writeFileSync(OUT, JSON.stringify(payload));
});

if (ENTRY) {
  setImmediate(() => {
    // require.main is not set yet when a --require'd module is loaded; look the script up instead.
    const main = require.cache[SCRIPT];
    if (!main) throw new Error('--entry needs a CommonJS main module');
    const run = new Function('module', 'exports', 'require', 'return (' + ENTRY + '\n);');
    const result = run(main, main.exports, main.require.bind(main));
    if (result && typeof result.then === 'function') {
      result.then(undefined, (err) => record(err, null, 'entry-rejection'));
    }
  });
}
