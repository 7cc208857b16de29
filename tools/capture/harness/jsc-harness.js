/*
 * Loaded by tools/capture/capture.mjs ahead of the script under test, in the same global object:
 *   jsc jsc-harness.js SCRIPT [ENTRY_FILE]
 * (jsc is the JavaScriptCore command-line shell from Debian's libjavascriptcoregtk-4.0-bin).
 *
 * Defines globalThis.__report(err, label) and globalThis.__done(), hooks unhandled rejections
 * through the shell's setUnhandledRejectionCallback, and prints each record on its own line of
 * standard output, prefixed so that capture.mjs can tell it from the script's own output.
 * The shell has no hook for uncaught exceptions: it prints them and exits (capture.mjs notes it).
 * The shell has no `console` either; a silent one is provided so that browser code runs.
 */
(function () {
  'use strict';
  var PREFIX = '__mapback_capture__ ';

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
      stack: isObject ? field(err, 'stack') : null,
      callsites: null,
    };
    print(PREFIX + JSON.stringify({ type: 'report', entry: entry }));
  }

  globalThis.__report = function (err, label) {
    record(err, label, 'report');
  };
  globalThis.__done = function () {
    print(PREFIX + JSON.stringify({ type: 'done' }));
  };
  if (typeof setUnhandledRejectionCallback === 'function') {
    setUnhandledRejectionCallback(function (promise, reason) {
      record(reason, null, 'unhandledRejection');
    });
  }
  if (typeof globalThis.console === 'undefined') {
    var silent = function () {};
    globalThis.console = { log: silent, info: silent, warn: silent, error: silent, debug: silent };
  }
})();
