/*
 * Injected by tools/capture/capture.mjs before the script under test, as a classic <script>.
 * capture.mjs replaces the __CAPTURE_MODE__ placeholder with "plain" or "callsites".
 *
 * It defines window.__report(err, label) and window.__done(), hooks window 'error' and
 * 'unhandledrejection', and sends every record to the capture server on 127.0.0.1 with a
 * synchronous XMLHttpRequest (so records arrive in order and before the page goes away).
 * In "callsites" mode (V8 only) it also installs an Error.prepareStackTrace hook that keeps the
 * structured CallSites of each error; err.stack is then NOT the browser's own text, which is why
 * capture.mjs takes the stack text from a separate "plain" run.
 */
(function () {
  'use strict';
  var MODE = '__CAPTURE_MODE__';
  var records = [];
  var sites = typeof WeakMap === 'function' ? new WeakMap() : null;
  var CALLSITE_METHODS = [
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
    var out = {};
    for (var i = 0; i < CALLSITE_METHODS.length; i++) {
      var m = CALLSITE_METHODS[i];
      if (typeof cs[m] !== 'function') continue;
      try {
        var v = cs[m]();
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
      var serialized = callsites.map(serializeCallSite);
      if (sites && err !== null && (typeof err === 'object' || typeof err === 'function')) {
        sites.set(err, serialized);
      }
      var lines = [];
      for (var i = 0; i < serialized.length; i++) lines.push('\n    at ' + serialized[i].toString);
      var head;
      try {
        head = String(err);
      } catch (e) {
        head = 'Error';
      }
      return head + lines.join('');
    };
  }

  function post(path, body) {
    try {
      var xhr = new XMLHttpRequest();
      xhr.open('POST', path, false);
      xhr.setRequestHeader('Content-Type', 'application/json');
      xhr.send(JSON.stringify(body));
    } catch (e) {
      // The page keeps window.__capture.errors as a second channel.
    }
  }

  function field(err, key) {
    try {
      var v = err[key];
      return typeof v === 'string' ? v : v === undefined ? null : String(v);
    } catch (e) {
      return null;
    }
  }

  function record(err, label, source) {
    var isObject = err !== null && (typeof err === 'object' || typeof err === 'function');
    var entry = {
      label: label === undefined ? null : label,
      source: source,
      name: isObject ? field(err, 'name') : null,
      message: isObject ? field(err, 'message') : String(err),
      // Reading err.stack first makes V8 call prepareStackTrace (callsites mode) if it has not yet.
      stack: isObject ? field(err, 'stack') : null,
      callsites: null,
    };
    if (MODE === 'callsites' && isObject && sites) {
      entry.callsites = sites.get(err) || null;
    }
    records.push(entry);
    post('/__capture/report', entry);
  }

  window.__capture = { mode: MODE, errors: records };
  window.__report = function (err, label) {
    record(err, label, 'report');
  };
  window.__done = function () {
    window.__capture.done = true;
    post('/__capture/done', { count: records.length });
  };
  window.addEventListener('error', function (ev) {
    record(ev.error !== undefined ? ev.error : ev.message, null, 'window-error');
  });
  window.addEventListener('unhandledrejection', function (ev) {
    record(ev.reason, null, 'unhandledrejection');
  });
})();
