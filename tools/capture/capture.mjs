#!/usr/bin/env node
// Captures real error.stack texts from headless Chromium, headless Firefox ESR or Node.
// See tools/capture/README.md. Usage:
//   node capture.mjs --runtime chromium|firefox|node|jsc --script PATH.js [--entry EXPR] [--out FILE.json]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CHROMIUM_FLAGS } from './chromium-flags.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const USAGE = `usage: node capture.mjs --runtime chromium|firefox|node|jsc --script PATH.js [options]

runtimes: chromium and firefox (headless, page served from 127.0.0.1), node, and jsc (the
JavaScriptCore shell from Debian's libjavascriptcoregtk-4.0-bin; not Safari)

options:
  --entry EXPR          expression to run after the script has loaded (browser: a classic script
                        with EXPR as its body; node: evaluated with the main module's module,
                        exports and require in scope; jsc: a file with EXPR as its body, run
                        after the script in the same global)
  --out FILE.json       write the capture here (default: standard output)
  --port N              port of the local static server on 127.0.0.1 (default 4173; 0 = any free)
  --driver puppeteer|raw
                        browsers only. puppeteer (default): puppeteer-core drives Chromium over
                        CDP and Firefox over WebDriver BiDi. raw: start the browser binary
                        headless on the page URL and only listen to what the page reports.
  --browser-path PATH   browser binary (default /usr/bin/chromium or /usr/bin/firefox-esr)
  --node-path PATH      node binary for --runtime node (default: the one running this script)
  --jsc-path PATH       jsc binary for --runtime jsc (default /usr/bin/jsc)
  --settle MS           with no __done() call, stop after MS ms without a new report (default 3000)
  --timeout MS          give up waiting after MS ms (default 60000)
  --pref NAME=VALUE     firefox only, repeatable: an extra preference (VALUE is read as JSON if it
                        parses, else as a string), e.g.
                        --pref javascript.options.asyncstack_capture_debuggee_only=false
  --no-callsites        V8 runtimes: skip the second run with the Error.prepareStackTrace hook
  --verbose             log progress to standard error
`;

function parseArgs(argv) {
  const opts = {
    runtime: null,
    script: null,
    entry: null,
    out: null,
    port: 4173,
    driver: 'puppeteer',
    browserPath: null,
    nodePath: process.execPath,
    jscPath: '/usr/bin/jsc',
    settle: 3000,
    timeout: 60000,
    callsites: true,
    verbose: false,
    prefs: {},
  };
  const takes = {
    '--runtime': 'runtime',
    '--script': 'script',
    '--entry': 'entry',
    '--out': 'out',
    '--port': 'port',
    '--driver': 'driver',
    '--browser-path': 'browserPath',
    '--node-path': 'nodePath',
    '--jsc-path': 'jscPath',
    '--settle': 'settle',
    '--timeout': 'timeout',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (a === '--no-callsites') {
      opts.callsites = false;
    } else if (a === '--verbose') {
      opts.verbose = true;
    } else if (a === '--pref') {
      const spec = argv[++i] || '';
      const eq = spec.indexOf('=');
      if (eq <= 0) fail('--pref needs NAME=VALUE');
      let value = spec.slice(eq + 1);
      try {
        value = JSON.parse(value);
      } catch {}
      opts.prefs[spec.slice(0, eq)] = value;
    } else if (takes[a]) {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      opts[takes[a]] = argv[++i];
    } else {
      fail(`unknown argument: ${a}`);
    }
  }
  if (!['chromium', 'firefox', 'node', 'jsc'].includes(opts.runtime)) fail('--runtime must be chromium, firefox, node or jsc');
  if (!opts.script) fail('--script is required');
  if (!['puppeteer', 'raw'].includes(opts.driver)) fail('--driver must be puppeteer or raw');
  if (Object.keys(opts.prefs).length && opts.runtime !== 'firefox') fail('--pref is for --runtime firefox');
  for (const k of ['port', 'settle', 'timeout']) {
    opts[k] = Number(opts[k]);
    if (!Number.isInteger(opts[k]) || opts[k] < 0) fail(`--${k} must be a non-negative integer`);
  }
  opts.script = path.resolve(opts.script);
  if (!fs.statSync(opts.script, { throwIfNoEntry: false })?.isFile()) fail(`no such file: ${opts.script}`);
  if (!opts.browserPath) {
    opts.browserPath = opts.runtime === 'firefox' ? '/usr/bin/firefox-esr' : '/usr/bin/chromium';
  }
  return opts;
}

function fail(msg) {
  process.stderr.write(`capture: ${msg}\n\n${USAGE}`);
  process.exit(2);
}

let VERBOSE = false;
function log(...args) {
  if (VERBOSE) process.stderr.write(`[capture] ${args.join(' ')}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// The local static server (loopback only). It serves the directory of the script under test at
// "/", so the script's URL is http://127.0.0.1:PORT/<file name>, plus the harness under
// /__capture/, and collects the records the harness POSTs.

const MIME = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

function startServer({ root, scriptName, entry, port }) {
  const state = {
    mode: 'plain',
    reports: [],
    done: false,
    lastActivity: Date.now(),
    scriptUserAgent: null,
    listeners: new Set(),
  };
  const notify = () => {
    state.lastActivity = Date.now();
    for (const fn of state.listeners) fn();
  };
  const harnessSource = fs.readFileSync(path.join(HERE, 'harness', 'browser-harness.js'), 'utf8');
  const indexHtml = () =>
    [
      '<!DOCTYPE html>',
      '<html><head><meta charset="utf-8"><title>mapback trace capture</title>',
      '<script src="/__capture/harness.js"></script>',
      `<script src="/${encodeURI(scriptName)}"></script>`,
      entry === null ? '' : '<script src="/__capture/entry.js"></script>',
      '</head><body></body></html>',
      '',
    ].join('\n');

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        let data = null;
        try {
          data = JSON.parse(body);
        } catch {
          return send(400, 'text/plain', 'bad json');
        }
        if (url.pathname === '/__capture/report') {
          state.reports.push(data);
          log(`report #${state.reports.length}: ${data.name}: ${String(data.message).split('\n')[0]}`);
        } else if (url.pathname === '/__capture/done') {
          state.done = true;
          log('done');
        } else {
          return send(404, 'text/plain', 'not found');
        }
        notify();
        send(204, 'text/plain', '');
      });
      return;
    }
    if (url.pathname === '/' || url.pathname === '/index.html') return send(200, MIME['.html'], indexHtml());
    if (url.pathname === '/__capture/harness.js') {
      return send(200, MIME['.js'], harnessSource.replace("'__CAPTURE_MODE__'", JSON.stringify(state.mode)));
    }
    if (url.pathname === '/__capture/entry.js' && entry !== null) return send(200, MIME['.js'], entry + '\n');
    if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
    let rel;
    try {
      rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    } catch {
      return send(400, 'text/plain', 'bad path');
    }
    const file = path.resolve(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) return send(403, 'text/plain', 'forbidden');
    fs.readFile(file, (err, data) => {
      if (err) return send(404, 'text/plain', 'not found');
      if (rel === scriptName) state.scriptUserAgent = req.headers['user-agent'] || null;
      notify();
      send(200, MIME[path.extname(file)] || 'application/octet-stream', data);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      state.port = server.address().port;
      state.origin = `http://127.0.0.1:${state.port}`;
      resolve({ server, state });
    });
  });
}

// Wait for __done(), or for `settle` ms without any report after the page has loaded.
function waitForReports(state, { settle, timeout }) {
  const start = Date.now();
  return new Promise((resolve) => {
    let timer = null;
    const check = () => {
      const now = Date.now();
      if (state.done) return finish('done');
      if (now - start >= timeout) return finish('timeout');
      if (now - state.lastActivity >= settle) return finish('settled');
      clearTimeout(timer);
      timer = setTimeout(check, Math.min(settle - (now - state.lastActivity), timeout - (now - start)) + 5);
    };
    const finish = (why) => {
      clearTimeout(timer);
      state.listeners.delete(check);
      resolve(why);
    };
    state.listeners.add(check);
    check();
  });
}

// ---------------------------------------------------------------------------------------------
// Browsers. Chromium's flags are in chromium-flags.mjs (tools/events starts Chromium with them
// too).

// Firefox preferences with the same intent as those flags: no proxy, no update checks, no
// telemetry, no remote settings, no safe browsing, no captive-portal or connectivity probes, no
// prefetching.
const FIREFOX_PREFS = {
  'network.proxy.type': 0,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.http.speculative-parallel-limit': 0,
  'app.update.enabled': false,
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.search.update': false,
  'browser.region.update.enabled': false,
  'browser.region.network.url': '',
  'browser.newtabpage.enabled': false,
  'browser.startup.page': 0,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.server': '',
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.blocklist.enabled': false,
  'media.gmp-manager.url': '',
  'media.gmp-gmpopenh264.enabled': false,
  'services.settings.server': 'http://127.0.0.1:9/',
  'identity.fxaccounts.enabled': false,
  'dom.push.enabled': false,
  'devtools.chrome.enabled': false,
};

function mkProfile(runtime) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `mapback-capture-${runtime}-`));
}

async function withPuppeteer(opts, state, pageUrl, run) {
  let puppeteer;
  try {
    puppeteer = (await import('puppeteer-core')).default;
  } catch (e) {
    throw new Error(`cannot load puppeteer-core (run \`npm ci\` in ${HERE}): ${e.message}`);
  }
  const profile = mkProfile(opts.runtime);
  const launchOptions =
    opts.runtime === 'chromium'
      ? {
          browser: 'chrome',
          executablePath: opts.browserPath,
          headless: true,
          userDataDir: profile,
          args: CHROMIUM_FLAGS,
        }
      : {
          browser: 'firefox',
          executablePath: opts.browserPath,
          headless: true,
          userDataDir: profile,
          extraPrefsFirefox: { ...FIREFOX_PREFS, ...opts.prefs },
        };
  log(`launching ${opts.browserPath} with puppeteer-core (${opts.runtime === 'chromium' ? 'CDP' : 'WebDriver BiDi'})`);
  const browser = await puppeteer.launch({ ...launchOptions, timeout: opts.timeout });
  try {
    const version = await browser.version();
    return await run(async () => {
      const page = await browser.newPage();
      try {
        await page.goto(pageUrl, { waitUntil: 'load', timeout: opts.timeout });
        state.lastActivity = Date.now();
        const why = await waitForReports(state, opts);
        const userAgent = await page.evaluate(() => navigator.userAgent);
        return { why, version, userAgent };
      } finally {
        await page.close().catch(() => {});
      }
    });
  } finally {
    await browser.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function withRawBrowser(opts, state, pageUrl, run) {
  const versionText = await new Promise((resolve) => {
    const p = spawn(opts.browserPath, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', () => resolve(out.trim()));
    p.on('error', () => resolve(null));
  });
  return run(async () => {
    const profile = mkProfile(opts.runtime);
    let args;
    if (opts.runtime === 'chromium') {
      args = ['--headless', ...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, pageUrl];
    } else {
      const prefs = Object.entries({ ...FIREFOX_PREFS, ...opts.prefs })
        .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`)
        .join('\n');
      fs.writeFileSync(path.join(profile, 'user.js'), prefs + '\n');
      args = ['--headless', '--no-remote', '--profile', profile, pageUrl];
    }
    log(`spawning ${opts.browserPath} ${args.join(' ')}`);
    const child = spawn(opts.browserPath, args, { stdio: 'ignore', detached: true });
    try {
      // The page has no load signal in this mode; the settle timer starts once the script is served.
      const started = Date.now();
      while (state.scriptUserAgent === null && Date.now() - started < opts.timeout) await sleep(50);
      const why = await waitForReports(state, opts);
      return { why, version: versionText, userAgent: state.scriptUserAgent };
    } finally {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
}

async function captureBrowser(opts) {
  const root = path.dirname(opts.script);
  const scriptName = path.basename(opts.script);
  const { server, state } = await startServer({ root, scriptName, entry: opts.entry, port: opts.port });
  const pageUrl = `${state.origin}/`;
  const scriptUrl = `${state.origin}/${encodeURI(scriptName)}`;
  log(`serving ${root} at ${state.origin}/`);
  const modes = opts.runtime === 'chromium' && opts.callsites ? ['plain', 'callsites'] : ['plain'];
  const driver = opts.driver === 'raw' ? withRawBrowser : withPuppeteer;
  const runs = {};
  try {
    await driver(opts, state, pageUrl, async (loadOnce) => {
      for (const mode of modes) {
        state.mode = mode;
        state.reports = [];
        state.done = false;
        state.scriptUserAgent = null;
        state.lastActivity = Date.now();
        log(`run: ${mode}`);
        const info = await loadOnce();
        runs[mode] = { ...info, errors: state.reports };
        log(`run ${mode}: ${state.reports.length} reports (${info.why})`);
      }
    });
  } finally {
    server.close();
  }
  const plain = runs.plain;
  return {
    runtime: opts.runtime,
    version: plain.version,
    userAgent: plain.userAgent,
    url: scriptUrl,
    pageUrl,
    driver: opts.driver === 'raw' ? `${path.basename(opts.browserPath)} --headless (raw)` : driverName(opts.runtime),
    finished: plain.why,
    ...(Object.keys(opts.prefs).length ? { prefs: opts.prefs } : {}),
    errors: merge(plain.errors, runs.callsites ? runs.callsites.errors : null),
  };
}

function driverName(runtime) {
  const v = JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', 'puppeteer-core', 'package.json'), 'utf8')).version;
  return `puppeteer-core ${v} (${runtime === 'chromium' ? 'CDP' : 'WebDriver BiDi'})`;
}

// ---------------------------------------------------------------------------------------------
// Node: `node --require harness/node-harness.cjs SCRIPT`, once plain and once with the hook.

function runNodeOnce(opts, mode) {
  const outFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mapback-capture-node-')), 'out.json');
  const env = { ...process.env, MAPBACK_CAPTURE_MODE: mode, MAPBACK_CAPTURE_OUT: outFile, MAPBACK_CAPTURE_SCRIPT: fs.realpathSync(opts.script) };
  delete env.NODE_OPTIONS;
  if (opts.entry !== null) env.MAPBACK_CAPTURE_ENTRY = opts.entry;
  const args = ['--require', path.join(HERE, 'harness', 'node-harness.cjs'), opts.script];
  log(`spawning ${opts.nodePath} ${args.join(' ')} (${mode})`);
  return new Promise((resolve, reject) => {
    const child = spawn(opts.nodePath, args, { cwd: path.dirname(opts.script), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', () => {});
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let data;
      try {
        data = JSON.parse(fs.readFileSync(outFile, 'utf8'));
      } catch (e) {
        return reject(new Error(`node run (${mode}) wrote no result (exit ${code ?? signal}): ${stderr}`));
      } finally {
        fs.rmSync(path.dirname(outFile), { recursive: true, force: true });
      }
      if (stderr.trim()) log(`node stderr (${mode}):\n${stderr.trimEnd()}`);
      resolve({ ...data, exitCode: code, why: signal ? 'timeout' : data.done ? 'done' : 'exited' });
    });
  });
}

async function captureNode(opts) {
  const plain = await runNodeOnce(opts, 'plain');
  const hooked = opts.callsites ? await runNodeOnce(opts, 'callsites') : null;
  return {
    runtime: 'node',
    version: plain.version,
    userAgent: plain.userAgent,
    url: opts.script,
    pageUrl: null,
    driver: `${path.basename(opts.nodePath)} --require harness/node-harness.cjs`,
    finished: plain.why,
    errors: merge(plain.errors, hooked ? hooked.errors : null),
  };
}

// ---------------------------------------------------------------------------------------------

// Take stack texts from the plain run and CallSites from the hooked run; both runs must have
// reported the same errors in the same order.
function merge(plain, hooked) {
  if (hooked && hooked.length !== plain.length) {
    throw new Error(`the two runs reported ${plain.length} and ${hooked.length} errors`);
  }
  return plain.map((p, i) => {
    const h = hooked ? hooked[i] : null;
    if (h && (h.name !== p.name || h.message !== p.message || h.label !== p.label)) {
      throw new Error(`report #${i + 1} differs between the runs: ${p.name}: ${p.message} / ${h.name}: ${h.message}`);
    }
    return {
      label: p.label,
      source: p.source,
      name: p.name,
      message: p.message,
      stack: p.stack,
      callsites: h ? h.callsites : null,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// JavaScriptCore shell: `jsc harness/jsc-harness.js SCRIPT [ENTRY_FILE]`, one run (JSC has no
// CallSite API). Records come back on standard output, one prefixed JSON line each.

function jscVersion() {
  return new Promise((resolve) => {
    const p = spawn('dpkg-query', ['-W', '-f', '${Version}', 'libjavascriptcoregtk-4.0-bin'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) => resolve(code === 0 && out ? `JavaScriptCore shell, WebKitGTK ${out.trim()}` : null));
    p.on('error', () => resolve(null));
  });
}

async function captureJsc(opts) {
  const PREFIX = '__mapback_capture__ ';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mapback-capture-jsc-'));
  const args = [path.join(HERE, 'harness', 'jsc-harness.js'), opts.script];
  if (opts.entry !== null) {
    const entryFile = path.join(tmp, 'entry.js');
    fs.writeFileSync(entryFile, opts.entry + '\n');
    args.push(entryFile);
  }
  log(`spawning ${opts.jscPath} ${args.join(' ')}`);
  const run = await new Promise((resolve, reject) => {
    const child = spawn(opts.jscPath, args, { cwd: path.dirname(opts.script), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  fs.rmSync(tmp, { recursive: true, force: true });
  const errors = [];
  let done = false;
  const other = [];
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith(PREFIX)) {
      const msg = JSON.parse(line.slice(PREFIX.length));
      if (msg.type === 'report') errors.push(msg.entry);
      else if (msg.type === 'done') done = true;
    } else {
      other.push(line);
    }
  }
  // The shell prints an uncaught exception as "Exception: " + String(err) followed by its stack,
  // then exits with status 3. Keep that text for reference: it is shell output, not error.stack.
  const printed = [...other, ...run.stderr.split('\n')];
  const at = printed.findIndex((l) => l.startsWith('Exception: '));
  const uncaught = at >= 0 ? printed.slice(at).join('\n').trimEnd() : null;
  if (uncaught) log(`jsc stopped on an uncaught exception:\n${uncaught}`);
  return {
    runtime: 'jsc',
    version: await jscVersion(),
    userAgent: null,
    url: opts.script,
    pageUrl: null,
    driver: `${path.basename(opts.jscPath)} harness/jsc-harness.js SCRIPT`,
    finished: run.signal ? 'timeout' : done ? 'done' : uncaught ? 'uncaught-exception' : 'exited',
    exitCode: run.code,
    uncaughtExceptionOutput: uncaught,
    errors,
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  VERBOSE = opts.verbose;
  const result =
    opts.runtime === 'node'
      ? await captureNode(opts)
      : opts.runtime === 'jsc'
        ? await captureJsc(opts)
        : await captureBrowser(opts);
  result.capturedAt = new Date().toISOString();
  const text = JSON.stringify(result, null, 2) + '\n';
  if (opts.out) {
    fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    fs.writeFileSync(opts.out, text);
    log(`wrote ${opts.out}: ${result.errors.length} errors`);
  } else {
    process.stdout.write(text);
  }
}

main().catch((e) => {
  process.stderr.write(`capture: ${e.stack || e}\n`);
  process.exit(1);
});
