#!/usr/bin/env node
// Turns the capture JSON files in a traces directory (default tests/data/traces) into
//   <runtime>/<name>-<NN>.txt   one error.stack per file, byte for byte as the runtime produced it
//   manifest.json               the expected frames of each .txt
// Usage: node make-traces.mjs [--check] [TRACES_DIR]
//   --check: write nothing; exit 1 if the .txt files or manifest.json differ from what would be written.
//
// V8 runtimes (chromium, node): the frames come from the CallSites recorded by the hooked run
// (getFunctionName / getTypeName / getMethodName / getFileName / ... ), turned into the function
// text the way V8's serializer does it (src/objects/call-site-info.cc), and are checked against
// the printed stack line by line. Firefox and JavaScriptCore (jsc shell): the frames come from the
// printed text (no structured API exists there), see parseFirefoxFrame and parseJscFrame below.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const CHECK = args.includes('--check');
const positional = args.filter((a) => a !== '--check');
const TRACES = path.resolve(positional[0] || path.join(HERE, '..', '..', 'tests', 'data', 'traces'));
const RUNTIMES = ['chromium', 'firefox', 'node', 'jsc'];

const problems = [];
const notes = [];
const expectedFiles = new Set();

// Writes a file, or in --check mode compares it with what is there.
function emit(file, content) {
  expectedFiles.add(path.resolve(file));
  if (!CHECK) return fs.writeFileSync(file, content);
  let current = null;
  try {
    current = fs.readFileSync(file, 'utf8');
  } catch {}
  if (current !== content) problems.push(`${path.relative(TRACES, file)} is ${current === null ? 'missing' : 'out of date'}`);
}

const isNonEmpty = (s) => typeof s === 'string' && s.length > 0;
// A rough stand-in for V8's String::IsIdentifier (ASCII identifiers are all we need here).
const isIdentifier = (s) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s);

// V8's StringEndsWithMethodName: subject == pattern, or subject ends with "." + pattern or " " + pattern.
function endsWithMethodName(subject, pattern) {
  if (subject === pattern) return true;
  return subject.endsWith('.' + pattern) || subject.endsWith(' ' + pattern);
}

// The function text V8 prints for a CallSite, without the "async " and "new " prefixes (those are
// is_async and is_constructor) and without the location.
function v8FunctionText(c) {
  const fn = c.getFunctionName;
  if (c.isAsync && c.isPromiseAll) return `Promise.${fn}`;
  const isMethodCall = !c.isToplevel && !c.isConstructor;
  if (isMethodCall) {
    const type = c.getTypeName;
    const method = c.getMethodName;
    if (isNonEmpty(fn)) {
      let out = '';
      if (isNonEmpty(type) && isIdentifier(fn) && fn !== type) out += type + '.';
      out += fn;
      if (isNonEmpty(method) && !endsWithMethodName(fn, method)) out += ` [as ${method}]`;
      return out;
    }
    return (isNonEmpty(type) ? type + '.' : '') + (isNonEmpty(method) ? method : '<anonymous>');
  }
  if (c.isConstructor) return isNonEmpty(fn) ? fn : '<anonymous>';
  return isNonEmpty(fn) ? fn : null;
}

// The location text V8 prints (AppendFileLocation).
function v8LocationText(c) {
  let out = '';
  const url = c.getScriptNameOrSourceURL;
  if (typeof url !== 'string' && c.isEval) out += c.getEvalOrigin + ', ';
  out += isNonEmpty(url) ? url : '<anonymous>';
  if (c.getLineNumber !== null) {
    out += ':' + c.getLineNumber;
    if (c.getColumnNumber !== null) out += ':' + c.getColumnNumber;
  }
  return out;
}

// The whole frame line V8 prints after "    at ".
function v8FrameLine(c, fnText) {
  if (c.isAsync && c.isPromiseAll) return `async ${fnText} (index ${c.getPromiseIndex})`;
  const prefix = (c.isAsync ? 'async ' : '') + (c.isConstructor ? 'new ' : '');
  if (fnText === null && !c.isConstructor) return prefix + v8LocationText(c);
  return `${prefix}${fnText} (${v8LocationText(c)})`;
}

// The function text as printed in a V8 frame line (for checking and for the rare fallback).
function printedFunctionText(line) {
  let s = line.replace(/^async /, '');
  const promise = /^(Promise\.\w+) \(index \d+\)$/.exec(s);
  if (promise) return promise[1];
  s = s.replace(/^new /, '');
  if (!s.endsWith(')')) return null; // "url:line:col" alone: no function name
  // The location is the last top-level "( ... )" group; eval locations nest parentheses.
  let depth = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    if (s[i] === ')') depth++;
    else if (s[i] === '(') {
      depth--;
      if (depth === 0) return s.slice(0, i - 1);
    }
  }
  return null;
}

function v8Frames(entry, where) {
  const cs = entry.callsites;
  const lines = entry.stack.split('\n');
  const frameLines = lines.slice(lines.length - cs.length);
  const header = lines.slice(0, lines.length - cs.length).join('\n');
  const frames = cs.map((c, i) => {
    const printed = frameLines[i];
    if (!printed.startsWith('    at ')) problems.push(`${where}: frame ${i} does not start with "    at ": ${printed}`);
    const printedRest = printed.slice('    at '.length);
    let fnText = v8FunctionText(c);
    const expectedLine = v8FrameLine(c, fnText);
    if (expectedLine !== printedRest) {
      const fallback = printedFunctionText(printedRest);
      notes.push(`${where}: frame ${i}: callsite rules give "${expectedLine}", V8 printed "${printedRest}"; function text taken from the printed line ("${fallback}")`);
      fnText = fallback;
      if (v8FrameLine(c, fnText) !== printedRest) problems.push(`${where}: frame ${i} still differs: ${printedRest}`);
    }
    if (c.toString !== printedRest) problems.push(`${where}: frame ${i}: CallSite.toString() "${c.toString}" != printed "${printedRest}"`);
    const url = isNonEmpty(c.getScriptNameOrSourceURL) ? c.getScriptNameOrSourceURL : null;
    const frame = {
      function: fnText,
      url,
      line: c.isAsync && c.isPromiseAll ? null : c.getLineNumber,
      column: c.isAsync && c.isPromiseAll ? null : c.getColumnNumber,
      is_async: Boolean(c.isAsync),
      is_constructor: Boolean(c.isConstructor),
      is_native: Boolean(c.isNative),
      is_eval: Boolean(c.isEval),
    };
    if (c.isEval) frame.eval_origin = c.getEvalOrigin;
    if (c.isAsync && c.isPromiseAll) frame.promise_index = c.getPromiseIndex;
    return frame;
  });
  return { header, frames };
}

// Firefox prints one frame per line, "[cause*]function@location", where location is
// "url:line:column" and, for eval / new Function code, url is "OUTER_URL line N > eval" (or
// "> Function"; nested evals repeat the " line N > eval" part). The function text may itself
// contain "@" ("on@click@url:1:2"), so it is everything before the LAST "@". An empty function text
// is top-level code. Firefox prints nothing that marks constructors or native code.
function parseFirefoxFrame(line, where) {
  const at = line.lastIndexOf('@');
  if (at < 0) {
    problems.push(`${where}: no "@" in ${JSON.stringify(line)}`);
    return null;
  }
  let fn = line.slice(0, at);
  const location = line.slice(at + 1);
  const loc = /^(.*):(\d+):(\d+)$/.exec(location);
  if (!loc) {
    problems.push(`${where}: cannot read location ${JSON.stringify(location)}`);
    return null;
  }
  let asyncCause = null;
  const star = fn.indexOf('*');
  if (star >= 0) {
    asyncCause = fn.slice(0, star);
    fn = fn.slice(star + 1);
  }
  let url = loc[1];
  let evalOrigin = null;
  if (/ line \d+ > (eval|Function)/.test(url)) {
    evalOrigin = url;
    url = null;
  }
  const frame = {
    function: fn === '' ? null : fn,
    url,
    line: Number(loc[2]),
    column: Number(loc[3]),
    is_async: asyncCause !== null,
    is_constructor: false,
    is_native: false,
    is_eval: evalOrigin !== null,
  };
  if (evalOrigin !== null) frame.eval_origin = evalOrigin;
  if (asyncCause !== null) frame.async_cause = asyncCause;
  return frame;
}

// JavaScriptCore prints "function@location" too, but: top-level code is "global code" (or
// "eval code" / "module code"), anonymous functions have an empty name, builtins have the location
// "[native code]", and code from eval / new Function has an EMPTY location ("evaluated@"). A line
// without "@" is a function with no location at all. Function names are kept as printed. From the
// text alone, only the "eval code" frame is known to be eval code, and nothing marks constructors
// or async frames (the jsc shell records no async stack traces).
function parseJscFrame(line, where) {
  const at = line.lastIndexOf('@');
  const fn = at < 0 ? line : line.slice(0, at);
  const location = at < 0 ? '' : line.slice(at + 1);
  const frame = {
    function: fn === '' ? null : fn,
    url: null,
    line: null,
    column: null,
    is_async: false,
    is_constructor: false,
    is_native: false,
    is_eval: fn === 'eval code',
  };
  if (location === '[native code]') {
    frame.is_native = true;
  } else if (location !== '') {
    const loc = /^(.*):(\d+):(\d+)$/.exec(location);
    if (!loc) {
      problems.push(`${where}: cannot read location ${JSON.stringify(location)}`);
      return null;
    }
    frame.url = loc[1];
    frame.line = Number(loc[2]);
    frame.column = Number(loc[3]);
  }
  return frame;
}

function jscFrames(entry, where) {
  return { header: null, frames: entry.stack.split('\n').map((l, i) => parseJscFrame(l, `${where} frame ${i}`)) };
}

function firefoxFrames(entry, where) {
  const text = entry.stack.endsWith('\n') ? entry.stack.slice(0, -1) : entry.stack;
  if (!entry.stack.endsWith('\n')) notes.push(`${where}: Firefox stack without the usual trailing newline`);
  return { header: null, frames: text.split('\n').map((l, i) => parseFirefoxFrame(l, `${where} frame ${i}`)) };
}

const manifest = {
  description:
    'Expected frames for each real error.stack text in this directory. See README.md for how ' +
    'they were captured and how the expectations were derived.',
  fields: {
    function: 'function text as the engine prints it, without the "async " / "new " prefixes (V8) or the "cause*" prefix (Firefox); null when none is printed (JSC\'s "global code" is kept as printed)',
    url: 'script URL or path as printed; null for eval code and for frames printed with "<anonymous>" (V8 builtins), "[native code]" (JSC) or no location',
    line: '1-based line, null when not printed',
    column: '1-based column, null when not printed',
    is_async: 'V8: "async " frame; Firefox: a "cause*" frame (async_cause holds the cause)',
    is_constructor: 'V8: "new " frame; always false for Firefox and JSC (not printed)',
    is_native: 'V8: CallSite.isNative(); JSC: location "[native code]"; always false for Firefox (not printed)',
    is_eval: 'eval or new Function code; eval_origin holds the origin text as printed (V8, Firefox). JSC: only the "eval code" frame (the text marks nothing else)',
    promise_index: 'V8 "async Promise.all (index N)" frames only',
  },
  traces: {},
};

let written = 0;
for (const runtime of RUNTIMES) {
  const dir = path.join(TRACES, runtime);
  if (!fs.existsSync(dir)) continue;
  const stale = fs.readdirSync(dir).filter((f) => f.endsWith('.txt'));
  if (!CHECK) for (const f of stale) fs.unlinkSync(path.join(dir, f));
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const name = file.slice(0, -'.json'.length);
    const capture = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    if (capture.runtime !== runtime) problems.push(`${runtime}/${file}: runtime is ${capture.runtime}`);
    const width = Math.max(2, String(capture.errors.length).length);
    capture.errors.forEach((entry, i) => {
      const txt = `${name}-${String(i + 1).padStart(width, '0')}.txt`;
      const rel = `${runtime}/${txt}`;
      if (typeof entry.stack !== 'string') {
        problems.push(`${rel}: no stack`);
        return;
      }
      emit(path.join(dir, txt), entry.stack);
      written++;
      let derived;
      let from;
      if (runtime === 'firefox') {
        derived = firefoxFrames(entry, rel);
        from = 'printed text';
      } else if (runtime === 'jsc') {
        derived = jscFrames(entry, rel);
        from = 'printed text';
      } else if (Array.isArray(entry.callsites)) {
        derived = v8Frames(entry, rel);
        from = 'callsites';
      } else {
        problems.push(`${rel}: V8 runtime without callsites`);
        return;
      }
      manifest.traces[rel] = {
        runtime,
        capture: `${runtime}/${file}`,
        index: i,
        label: entry.label,
        reported_via: entry.source,
        name: entry.name,
        message: entry.message,
        header: derived.header,
        expected_from: from,
        frames: derived.frames,
      };
    });
  }
  if (CHECK) {
    for (const f of stale) {
      if (!expectedFiles.has(path.resolve(dir, f))) problems.push(`${runtime}/${f} is not produced by any capture`);
    }
  }
}

emit(path.join(TRACES, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
for (const n of notes) process.stderr.write(`note: ${n}\n`);
for (const p of problems) process.stderr.write(`PROBLEM: ${p}\n`);
process.stderr.write(`${CHECK ? 'checked' : 'wrote'} ${written} .txt files and manifest.json (${Object.keys(manifest.traces).length} traces) in ${TRACES}\n`);
process.exit(problems.length ? 1 : 0);
