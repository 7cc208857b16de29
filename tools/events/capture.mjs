#!/usr/bin/env node
// Runs a build of the fixture app (build.mjs) under the real SDKs and records what they send:
// @sentry/browser in Debian's headless Chromium (puppeteer-core, pages served from 127.0.0.1)
// and @sentry/node in Node. The app's transport hands each serialized envelope to a recorder
// instead of the network; this module parses the envelopes and returns the event items.
//
// One run per (runtime, scenario): one page load or one Node process, so that each error is
// captured alone and an uncaught exception (which ends a Node process) cannot hide the next.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CHROMIUM_FLAGS } from '../capture/chromium-flags.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const SCENARIOS = ['thrown', 'rejected', 'callback', 'caused'];
export const BROWSER_PORT = 4174; // fixed, so the committed URLs do not change between runs
// Node runs the bundle from a fixed directory, so its absolute paths are the same on every machine.
export const NODE_STAGE = '/tmp/mapback-events';
export const CHROMIUM = '/usr/bin/chromium';

// An envelope is a header line, then items: an item header line and a payload, whose byte
// length the item header gives (or which runs to the next newline when it does not).
export function parseEnvelope(text) {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  const readLine = () => {
    let end = bytes.indexOf(0x0a, offset);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(offset, end).toString('utf8');
    offset = end + 1;
    return line;
  };
  const header = JSON.parse(readLine());
  const items = [];
  while (offset < bytes.length) {
    const line = readLine();
    if (line === '') continue;
    const itemHeader = JSON.parse(line);
    let payload;
    if (typeof itemHeader.length === 'number') {
      payload = bytes.subarray(offset, offset + itemHeader.length).toString('utf8');
      offset += itemHeader.length + 1;
    } else {
      payload = readLine();
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items };
}

function eventsFrom(envelopes) {
  const events = [];
  for (const text of envelopes) {
    for (const item of parseEnvelope(text).items) {
      if (item.header.type === 'event') events.push(JSON.parse(item.payload));
    }
  }
  return events;
}

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };

function serve(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(BROWSER_PORT, '127.0.0.1', () => resolve(server));
  });
}

// Waits until `count()` stops growing for `settleMs` after it became non-zero, or `timeoutMs`.
async function settle(count, settleMs, timeoutMs) {
  const start = Date.now();
  let last = -1;
  let since = Date.now();
  for (;;) {
    const now = Date.now();
    const n = count();
    if (n !== last) {
      last = n;
      since = now;
    }
    if (n > 0 && now - since >= settleMs) return;
    if (now - start >= timeoutMs) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function captureBrowser(root) {
  const { default: puppeteer } = await import('puppeteer-core');
  const server = await serve(path.resolve(root));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mapback-events-chromium-'));
  const browser = await puppeteer.launch({
    browser: 'chrome',
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: CHROMIUM_FLAGS,
  });
  try {
    const runs = {};
    for (const scenario of SCENARIOS) {
      const page = await browser.newPage();
      const envelopes = [];
      const pageErrors = [];
      await page.exposeFunction('__recordEnvelope', (body) => {
        envelopes.push(typeof body === 'string' ? body : Buffer.from(Object.values(body)).toString('utf8'));
      });
      page.on('pageerror', (err) => pageErrors.push(String(err)));
      await page.goto(`http://127.0.0.1:${BROWSER_PORT}/?scenario=${scenario}`, { waitUntil: 'load' });
      await settle(() => envelopes.length, 1000, 20000);
      runs[scenario] = { events: eventsFrom(envelopes), userAgent: await page.evaluate(() => navigator.userAgent) };
      await page.close();
    }
    return { version: await browser.version(), runs };
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

export function captureNode(distDir) {
  fs.rmSync(NODE_STAGE, { recursive: true, force: true });
  fs.mkdirSync(path.join(NODE_STAGE, 'dist'), { recursive: true });
  for (const name of fs.readdirSync(distDir)) {
    fs.copyFileSync(path.join(distDir, name), path.join(NODE_STAGE, 'dist', name));
  }
  const runs = {};
  for (const scenario of SCENARIOS) {
    const out = path.join(NODE_STAGE, `envelopes-${scenario}.jsonl`);
    const result = spawnSync(
      process.execPath,
      ['--require', path.join(HERE, 'harness', 'node-recorder.cjs'), 'dist/server.cjs', scenario],
      {
        cwd: NODE_STAGE,
        env: { ...process.env, NODE_PATH: path.join(HERE, 'node_modules'), MAPBACK_ENVELOPES_OUT: out },
        encoding: 'utf8',
        timeout: 30000,
      },
    );
    if (result.error) throw result.error;
    const envelopes = fs.existsSync(out)
      ? fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
      : [];
    runs[scenario] = { events: eventsFrom(envelopes), status: result.status, stderr: result.stderr };
  }
  return { version: process.version, runs };
}
