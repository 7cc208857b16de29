#!/usr/bin/env node
// Runs every bundle of the corpus (build/dist/manifest.json) in every runtime with the shared
// capture tool, tools/capture/capture.mjs (not a fork of it), and stores the raw captures in
// build/captures/<runtime>/<bundle>.json. See README.md.
//
//   node capture-corpus.mjs [--runtimes chromium,firefox,node] [--only SCENARIO,...]
//
// Every capture must report every case of its scenario, with the same labels in the same
// order as the reference bundle; a case that did not throw (a "/NO-THROW" label) is an error.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CAPTURE = path.resolve(HERE, '..', 'capture', 'capture.mjs');
const DIST = path.join(HERE, 'build', 'dist');
const OUT = path.join(HERE, 'build', 'captures');

function parseArgs(argv) {
  const opts = { runtimes: ['chromium', 'firefox', 'node'], only: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runtimes') opts.runtimes = argv[++i].split(',');
    else if (argv[i] === '--only') opts.only = argv[++i].split(',');
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return opts;
}

function captureOne(runtime, script, out) {
  // --no-callsites: the scoring reads the stack text only, as an error tracker does; the
  // second V8 run with an Error.prepareStackTrace hook would only double the time.
  const args = [CAPTURE, '--runtime', runtime, '--script', script, '--no-callsites', '--out', out];
  for (let attempt = 1; ; attempt++) {
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 180000 });
    if (r.status === 0) return JSON.parse(fs.readFileSync(out, 'utf8'));
    const why = (r.stderr || '').split('\n').filter((l) => l && !/unexpected operator/.test(l)).slice(-5).join('\n');
    if (attempt >= 2) throw new Error(`capture failed: ${runtime} ${path.basename(script)}\n${why}`);
    console.log(`  retrying ${runtime} ${path.basename(script)} after a failure:\n${why}`);
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const manifest = JSON.parse(fs.readFileSync(path.join(DIST, 'manifest.json'), 'utf8'));
  const scenarios = opts.only || Object.keys(manifest.scenarios);
  const jobs = [];
  for (const scenario of scenarios) {
    const entry = manifest.scenarios[scenario];
    const bundles = [['ref', entry.ref], ...Object.entries(entry.variants)];
    for (const runtime of opts.runtimes) {
      for (const [variant, file] of bundles) jobs.push({ scenario, runtime, variant, file });
    }
  }
  const labels = {};
  const started = Date.now();
  jobs.forEach((job, i) => {
    const out = path.join(OUT, job.runtime, job.file.replace(/\.js$/, '.json'));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const t0 = Date.now();
    const capture = captureOne(job.runtime, path.join(DIST, job.file), out);
    const got = capture.errors.map((e) => e.label);
    const bad = got.filter((l) => l === null || l.endsWith('/NO-THROW'));
    if (bad.length) throw new Error(`${job.runtime} ${job.file}: unexpected reports ${JSON.stringify(bad)}`);
    const key = `${job.runtime}/${job.scenario}`;
    if (job.variant === 'ref') labels[key] = got;
    else if (JSON.stringify(labels[key]) !== JSON.stringify(got)) {
      throw new Error(`${job.runtime} ${job.file}: reported ${JSON.stringify(got)}, the reference ${JSON.stringify(labels[key])}`);
    }
    const elapsed = ((Date.now() - started) / 1000).toFixed(0);
    console.log(
      `[${i + 1}/${jobs.length}] ${job.runtime.padEnd(8)} ${job.file.padEnd(22)} ${String(got.length).padStart(2)} errors ` +
        `(${capture.finished}, ${((Date.now() - t0) / 1000).toFixed(1)}s; ${elapsed}s so far)`,
    );
  });
}

try {
  main();
} catch (e) {
  console.error(`capture-corpus: ${e.message}`);
  process.exit(1);
}
