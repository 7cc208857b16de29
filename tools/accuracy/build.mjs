#!/usr/bin/env node
// Builds the accuracy corpus: for every scenario in scenarios/, one unminified reference bundle
// and one bundle per minifier, each with a source map that points at the ORIGINAL sources
// (the scenario and the library files under node_modules/). See README.md.
//
//   node build.mjs [--out DIR] [--only SCENARIO,...]
//
// Output (default build/dist/, flat, so that one static server serves all of it):
//   <scenario>.ref.js      esbuild --bundle, not minified        (the ground truth)
//   <scenario>.esbuild.js  esbuild --bundle --minify, from the original sources
//   <scenario>.terser.js   terser on the reference bundle, its map composed with the reference map
//   <scenario>.uglify.js   uglify-js likewise
//   <scenario>.swc.js      swc's minifier (@swc/core transform with minify) likewise
// each with <file>.map, linked by a sourceMappingURL comment; and build/dist/manifest.json.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';
import { minify as terserMinify } from 'terser';
import UglifyJS from 'uglify-js';
import swc from '@swc/core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const SCENARIOS = ['yaml', 'acorn', 'markdown', 'zod', 'datefns', 'lodash', 'immer', 'semver', 'dispatch'];
export const MINIFIERS = ['esbuild', 'terser', 'uglify', 'swc'];

function parseArgs(argv) {
  const opts = { out: path.join(HERE, 'build', 'dist'), only: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') opts.out = path.resolve(argv[++i]);
    else if (argv[i] === '--only') opts.only = argv[++i].split(',');
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return opts;
}

function version(pkg) {
  return require(`${pkg}/package.json`).version;
}

export function toolVersions() {
  const libs = {};
  const pkg = JSON.parse(fs.readFileSync(path.join(HERE, 'package.json'), 'utf8'));
  for (const name of Object.keys(pkg.dependencies)) libs[name] = version(name);
  return {
    node: process.version,
    minifiers: {
      esbuild: esbuild.version,
      terser: version('terser'),
      'uglify-js': version('uglify-js'),
      '@swc/core': version('@swc/core'),
    },
    libraries: libs,
  };
}

function writeOutput(out, name, code, map) {
  const mapName = `${name}.map`;
  const mapObj = typeof map === 'string' ? JSON.parse(map) : map;
  mapObj.file = name;
  // Every minifier gets to write its own comment; normalise to exactly one, at the end.
  code = code.replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '');
  fs.writeFileSync(path.join(out, name), `${code}\n//# sourceMappingURL=${mapName}\n`);
  fs.writeFileSync(path.join(out, mapName), JSON.stringify(mapObj));
  return mapObj;
}

async function buildEsbuild(out, scenario, minify) {
  const name = `${scenario}.${minify ? 'esbuild' : 'ref'}.js`;
  const result = await esbuild.build({
    entryPoints: [path.join(HERE, 'scenarios', `${scenario}.js`)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    minify,
    // esbuild defines process.env.NODE_ENV as "production" only when minifying; the reference
    // must run the same code paths (immer, for one, throws other errors in production).
    define: { 'process.env.NODE_ENV': '"production"' },
    sourcemap: 'external',
    sourcesContent: true,
    outfile: path.join(out, name),
    write: false,
    logLevel: 'warning',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  return { name, mapObj: writeOutput(out, name, js.text, map.text) };
}

async function buildTerser(out, scenario, ref) {
  const name = `${scenario}.terser.js`;
  const result = await terserMinify(ref.code, {
    compress: true,
    mangle: true,
    sourceMap: { content: ref.map, includeSources: true, filename: name, url: `${name}.map` },
  });
  return { name, mapObj: writeOutput(out, name, result.code, result.map) };
}

function buildUglify(out, scenario, ref) {
  const name = `${scenario}.uglify.js`;
  const result = UglifyJS.minify(
    { [ref.name]: ref.code },
    {
      compress: true,
      mangle: true,
      sourceMap: { content: ref.map, includeSources: true, filename: name, url: `${name}.map` },
    },
  );
  if (result.error) throw result.error;
  return { name, mapObj: writeOutput(out, name, result.code, result.map) };
}

function buildSwc(out, scenario, ref) {
  // swc's `minify()` API has no input-map option (its options refuse `inputSourceMap`), so the
  // minifier runs through `transform` with `minify: true`, which does compose the input map.
  const name = `${scenario}.swc.js`;
  const result = swc.transformSync(ref.code, {
    filename: ref.name,
    isModule: false,
    minify: true,
    sourceMaps: true,
    inputSourceMap: ref.map,
    inlineSourcesContent: true,
    jsc: { target: 'es2022', minify: { compress: true, mangle: true } },
  });
  return { name, mapObj: writeOutput(out, name, result.code, result.map) };
}

// The sources of a minified map must be the reference map's sources (the originals), never
// the intermediate bundle, and every one must carry its content.
function checkSources(variant, refMap) {
  const { name, mapObj } = variant;
  const refSources = new Set(refMap.sources);
  const problems = [];
  if (!mapObj.sources.length) problems.push('no sources');
  mapObj.sources.forEach((src, i) => {
    if (/\.(ref|esbuild|terser|uglify|swc)\.js$/.test(src)) problems.push(`source ${src} is a bundle`);
    else if (!refSources.has(src)) problems.push(`source ${src} is not one of the reference map's sources`);
    if (!mapObj.sourcesContent || typeof mapObj.sourcesContent[i] !== 'string') problems.push(`no content for ${src}`);
  });
  if (problems.length) throw new Error(`${name}: ${problems.slice(0, 5).join('; ')}`);
  return mapObj.sources.length;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  fs.mkdirSync(opts.out, { recursive: true });
  const manifest = { versions: toolVersions(), scenarios: {} };
  for (const scenario of opts.only || SCENARIOS) {
    const ref = await buildEsbuild(opts.out, scenario, false);
    const refInput = {
      name: ref.name,
      code: fs.readFileSync(path.join(opts.out, ref.name), 'utf8'),
      map: fs.readFileSync(path.join(opts.out, `${ref.name}.map`), 'utf8'),
    };
    const variants = {
      esbuild: await buildEsbuild(opts.out, scenario, true),
      terser: await buildTerser(opts.out, scenario, refInput),
      uglify: buildUglify(opts.out, scenario, refInput),
      swc: buildSwc(opts.out, scenario, refInput),
    };
    const entry = { ref: ref.name, sources: ref.mapObj.sources, variants: {} };
    const sizes = [`ref ${fs.statSync(path.join(opts.out, ref.name)).size}`];
    for (const [minifier, variant] of Object.entries(variants)) {
      const n = checkSources(variant, ref.mapObj);
      entry.variants[minifier] = variant.name;
      sizes.push(`${minifier} ${fs.statSync(path.join(opts.out, variant.name)).size} (${n} sources)`);
    }
    manifest.scenarios[scenario] = entry;
    console.log(`built ${scenario}: ${sizes.join(', ')} bytes`);
  }
  fs.writeFileSync(path.join(opts.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`build: ${e.stack || e}`);
    process.exit(1);
  });
}
