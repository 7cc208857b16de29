#!/usr/bin/env node
// Makes a Sentry artifact bundle the way Sentry's own tooling does: `sentry-cli sourcemaps upload`
// builds it (zip + manifest.json, debug-id and sourcemap headers). sentry-cli cannot write the
// bundle to disk, only upload it, so this module runs it against a loopback HTTP server that
// speaks just enough of Sentry's API to receive the zip:
//   GET  /api/0/organizations/{org}/chunk-upload/           -> chunking options (sha1, no compression)
//   POST /api/0/organizations/{org}/artifactbundle/assemble/ -> which chunks are missing / "ok"
//   POST /api/0/organizations/{org}/chunk-upload/            -> multipart chunks, named by sha1
// The server checks every chunk's and the whole file's SHA-1 before it writes the zip.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ORG = 'fixtures';
const PROJECT = 'shop';

const sha1 = (data) => crypto.createHash('sha1').update(data).digest('hex');

function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

// multipart/form-data: the parts' bodies keyed by their filename (the chunk's sha1).
function parseMultipart(body, contentType) {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType || '');
  if (!match) throw new Error(`not multipart: ${contentType}`);
  const delimiter = Buffer.from(`--${match[1] || match[2]}`);
  const parts = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // CRLF after, before
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8');
    const name = /name="([^"]*)"/.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    parts.push({ name, filename, data: part.subarray(split + 4) });
    start = next;
  }
  return parts;
}

function startServer(onBundle) {
  const chunks = new Map();
  const log = [];
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url, 'http://127.0.0.1');
    log.push(`${req.method} ${url.pathname}`);
    const json = (status, value) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    try {
      if (url.pathname === `/api/0/organizations/${ORG}/chunk-upload/` && req.method === 'GET') {
        const { port } = server.address();
        return json(200, {
          url: `http://127.0.0.1:${port}/api/0/organizations/${ORG}/chunk-upload/`,
          chunkSize: 8 * 1024 * 1024,
          chunksPerRequest: 64,
          maxRequestSize: 32 * 1024 * 1024,
          maxFileSize: 2 * 1024 * 1024 * 1024,
          concurrency: 1,
          hashAlgorithm: 'sha1',
          compression: [],
          accept: ['artifact_bundles'],
        });
      }
      if (url.pathname === `/api/0/organizations/${ORG}/chunk-upload/` && req.method === 'POST') {
        for (const part of parseMultipart(body, req.headers['content-type'])) {
          if (part.name !== 'file') throw new Error(`unexpected form field ${part.name}`);
          if (sha1(part.data) !== part.filename) throw new Error(`chunk ${part.filename}: bad sha1`);
          chunks.set(part.filename, part.data);
        }
        return json(200, {});
      }
      if (url.pathname === `/api/0/organizations/${ORG}/artifactbundle/assemble/` && req.method === 'POST') {
        const request = JSON.parse(body.toString('utf8'));
        const missing = request.chunks.filter((c) => !chunks.has(c));
        if (missing.length) return json(200, { state: 'not_found', missingChunks: missing });
        const zip = Buffer.concat(request.chunks.map((c) => chunks.get(c)));
        if (sha1(zip) !== request.checksum) throw new Error('assembled bundle: bad sha1');
        onBundle(zip, request);
        return json(200, { state: 'ok', missingChunks: [] });
      }
      json(404, { detail: `not served here: ${req.method} ${url.pathname}` });
    } catch (err) {
      json(500, { detail: String(err && err.message) });
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, log })));
}

export function sentryCliBinary() {
  return path.join(path.dirname(require.resolve('@sentry/cli/package.json')), 'bin', 'sentry-cli');
}

// Uploads `dirs` (each scanned for .js/.cjs/.map, URLs `~/<path relative to the dir>`) and
// returns { zip, request, log, stdout } once the server received the whole bundle.
export async function makeArtifactBundle(dirs) {
  let received = null;
  const { server, log } = await startServer((zip, request) => {
    received = { zip, request };
  });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mapback-events-cli-'));
  try {
    const { port } = server.address();
    const args = ['sourcemaps', 'upload', '--org', ORG, '--project', PROJECT, ...dirs];
    const child = spawn(sentryCliBinary(), args, {
      // A clean environment: no user config, no .env, only the loopback server.
      env: {
        PATH: process.env.PATH,
        HOME: home,
        SENTRY_URL: `http://127.0.0.1:${port}/`,
        SENTRY_AUTH_TOKEN: 'loopback-fixture-token',
        SENTRY_LOAD_DOTENV: '0',
        SENTRY_NO_PROGRESS_BAR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    const status = await new Promise((resolve) => child.on('close', resolve));
    if (status !== 0 || !received) {
      throw new Error(`sentry-cli exited with ${status}; requests: ${log.join(', ')}\n${stdout}`);
    }
    return { ...received, log, stdout };
  } finally {
    server.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, ...dirs] = process.argv.slice(2);
  const result = await makeArtifactBundle(dirs.map((d) => path.resolve(d)));
  fs.writeFileSync(out, result.zip);
  console.log(result.stdout);
  console.log(result.log.join('\n'));
}
