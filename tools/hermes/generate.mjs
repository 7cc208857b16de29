#!/usr/bin/env node
// Regenerates tests/data/hermes/ (run through generate.sh, from its staging folder):
//   1. Metro bundles app/ twice: minified (the release bundle) and unminified (the reference);
//   2. hermesc compiles the release bundle to bytecode with its own map, and metro-source-map's
//      composeSourceMaps joins the two maps, as React Native's release build does;
//   3. the Hermes VM runs the bytecode and the reference bundle; each prints two stack traces;
//   4. expectations.json pairs every bytecode frame with the reference frame at the same index,
//      mapped through the reference bundle's map (source and line), and with the function name
//      metro-symbolicate reads from the composed map's function maps (x_facebook_sources).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { FlattenMap, originalPositionFor } from '@jridgewell/trace-mapping';

const require = createRequire(import.meta.url);
const Metro = require('metro');
const { composeSourceMaps } = require('metro-source-map');

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.resolve(process.argv[2]);
const BUILD = path.join(HERE, 'build');
const HERMES_BIN = path.join(path.dirname(require.resolve('hermes-engine-cli/package.json')), 'linux64-bin');
// The VM tells bytecode from source by the `.hbc` extension, and prints the name it was given.
const BUNDLE = 'index.android.bundle.hbc';

const nullable = (text) => (text === 'null' ? null : text);
const step = (text) => console.log(`\n== hermes: ${text}`);
const version = (pkg) => require(`${pkg}/package.json`).version;

async function bundle(minify, out) {
  const config = await Metro.loadConfig({ cwd: HERE }, {
    projectRoot: path.join(HERE, 'app'),
    watchFolders: [path.join(HERE, 'app'), path.join(HERE, 'node_modules')],
    resolver: { nodeModulesPaths: [path.join(HERE, 'node_modules')] },
    transformer: { babelTransformerPath: require.resolve('metro-babel-transformer') },
    cacheStores: [],
    reporter: { update() {} },
  });
  await Metro.runBuild(config, {
    entry: './index.js', out, platform: 'android', minify, dev: false, sourceMap: true,
    sourceMapUrl: `${path.basename(out)}.map`,
  });
}

function runHermes(file) {
  // The app prints each caught error's stack; the VM exits 0.
  return execFileSync(path.join(HERMES_BIN, 'hermes'), [path.basename(file)], { cwd: path.dirname(file), encoding: 'utf8' });
}

// `print(e.stack)` output: traces start at an unindented line, frames are indented `at` lines.
function splitTraces(text) {
  const traces = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) traces.push([line]);
    else traces[traces.length - 1].push(line);
  }
  return traces.map((lines) => lines.join('\n') + '\n');
}

const FRAME = /^\s*at (\S+) \((?:address at )?([^:()]+):(\d+):(\d+)\)$/;

function frames(trace) {
  return trace.split('\n').slice(1).filter(Boolean).map((line) => {
    const native = /^\s*at (\S+) \(native\)$/.exec(line);
    if (native) return { raw: line.trim(), function: native[1], native: true };
    const m = FRAME.exec(line);
    if (!m) throw new Error(`not a Hermes frame: ${line}`);
    return { raw: line.trim(), function: m[1], file: m[2], line: Number(m[3]), column: Number(m[4]) };
  });
}

async function main() {
  fs.rmSync(BUILD, { recursive: true, force: true });
  fs.mkdirSync(BUILD, { recursive: true });
  step('Metro: release and reference bundles');
  const release = path.join(BUILD, 'index.android.bundle.js');
  const reference = path.join(BUILD, 'reference.bundle.js');
  await bundle(true, release);
  await bundle(false, reference);
  // Metro names the map after --sourcemap-output; React Native calls it the packager map.
  fs.renameSync(path.join(BUILD, 'index.android.bundle.map'), path.join(BUILD, `${BUNDLE}.packager.map`));

  step('hermesc: bytecode and its map; metro-source-map: the composed map');
  const hbc = path.join(BUILD, BUNDLE);
  execFileSync(path.join(HERMES_BIN, 'hermesc'),
    ['-emit-binary', '-O', '-output-source-map', `-out=${hbc}`, release], { stdio: 'inherit' });
  fs.renameSync(`${hbc}.map`, path.join(BUILD, `${BUNDLE}.compiler.map`));
  const packagerMap = JSON.parse(fs.readFileSync(path.join(BUILD, `${BUNDLE}.packager.map`), 'utf8'));
  const compilerMap = JSON.parse(fs.readFileSync(path.join(BUILD, `${BUNDLE}.compiler.map`), 'utf8'));
  fs.writeFileSync(path.join(BUILD, `${BUNDLE}.map`), JSON.stringify(composeSourceMaps([packagerMap, compilerMap])));

  step('Hermes VM: the bytecode and the reference bundle');
  const traces = splitTraces(runHermes(hbc));
  const referenceTraces = splitTraces(runHermes(reference));
  if (traces.length !== referenceTraces.length) throw new Error('the two runs printed different numbers of traces');
  // Metro writes an index map (a section per module).
  const referenceMap = new FlattenMap(fs.readFileSync(`${reference.replace(/\.js$/, '')}.map`, 'utf8'));

  step('metro-symbolicate: the peer reading of each trace');
  const symbolicate = path.join(path.dirname(require.resolve('metro-symbolicate/package.json')), 'src', 'index.js');
  const expectations = [];
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(path.join(OUT, 'traces'), { recursive: true });
  traces.forEach((trace, t) => {
    const name = `trace-${t + 1}.txt`;
    fs.writeFileSync(path.join(OUT, 'traces', name), trace);
    const peer = execFileSync('node', [symbolicate, path.join(BUILD, `${BUNDLE}.map`)], { input: trace, encoding: 'utf8' });
    const peerFrames = peer.split('\n').slice(1).filter(Boolean);
    const ours = frames(trace);
    const theirs = frames(referenceTraces[t]);
    if (ours.length !== theirs.length || peerFrames.length !== ours.length) {
      throw new Error(`${name}: ${ours.length} bytecode frames, ${theirs.length} reference frames, ${peerFrames.length} symbolicated`);
    }
    expectations.push({
      trace: `traces/${name}`,
      header: trace.split('\n')[0],
      frames: ours.map((frame, i) => {
        const ref = theirs[i];
        if (frame.native || ref.native) {
          if (!(frame.native && ref.native)) throw new Error(`${name}: frame ${i} is native in one run only`);
          return { raw: frame.raw, reference_raw: ref.raw, native: true, printed_function: frame.function };
        }
        // Hermes prints 1-based source columns; trace-mapping takes 0-based ones.
        const original = originalPositionFor(referenceMap, { line: ref.line, column: ref.column - 1 });
        // metro-symbolicate writes `SOURCE:LINE:NAME` where the trace had `FILE:LINE:COLUMN`.
        const peerMatch = /\((?:address at )?(.*):(\w+):([^:)]*)\)$/.exec(peerFrames[i]);
        return {
          raw: frame.raw,
          reference_raw: ref.raw,
          source: original.source,
          line: original.line,
          printed_function: frame.function,
          reference_function: ref.function,
          metro_symbolicate: peerMatch ? { source: nullable(peerMatch[1]), line: nullable(peerMatch[2]) && Number(peerMatch[2]), name: nullable(peerMatch[3]) } : null,
        };
      }),
    });
  });

  step('writing the fixtures');
  fs.copyFileSync(path.join(HERE, 'fixtures-README.md'), path.join(OUT, 'README.md'));
  for (const file of [BUNDLE, `${BUNDLE}.map`, `${BUNDLE}.packager.map`, `${BUNDLE}.compiler.map`]) {
    fs.copyFileSync(path.join(BUILD, file), path.join(OUT, file));
  }
  const versions = Object.fromEntries(['metro', 'metro-source-map', 'metro-symbolicate', 'hermes-engine-cli',
    '@babel/plugin-transform-block-scoping', '@jridgewell/trace-mapping'].map((p) => [p, version(p)]));
  versions.node = process.version;
  versions.staging_folder = HERE;
  fs.writeFileSync(path.join(OUT, 'expectations.json'), `${JSON.stringify({ versions, traces: expectations }, null, 2)}\n`);
  console.log(`wrote ${expectations.length} traces to ${OUT}`);
}

main().catch((error) => { console.error(error); process.exit(1); });
