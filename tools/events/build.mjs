#!/usr/bin/env node
// Builds the fixture app (app/) with Rollup, twice per runtime:
//   min: @rollup/plugin-terser (compress + mangle), the build the fixtures are about;
//   ref: the same Rollup build without the minifier, whose map gives the ground truth.
// Both get `output.sourcemapDebugIds` and Sentry's Rollup plugin (debug-ID registration
// snippet; no upload, no auth token, no telemetry), exactly as an application would.
//
//   node build.mjs [--out DIR]      (default build/)
//
// Output: DIR/{min,ref}/browser/{index.html,assets/app.js,assets/vendor.js,+maps}
//         DIR/{min,ref}/node/dist/server.cjs(+map)
// Map sources are rewritten relative to the project root (this directory) as a deployed app
// would have them: "../app/src/cart.js" next to assets/ or dist/.
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

import { rollup, VERSION as ROLLUP_VERSION } from 'rollup';
import terser from '@rollup/plugin-terser';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { sentryRollupPlugin } from '@sentry/rollup-plugin';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const VARIANTS = ['min', 'ref'];

function sentryPlugin() {
  return sentryRollupPlugin({
    telemetry: false,
    // Inject the debug-ID registration and stamp the IDs into code and maps, upload nothing.
    sourcemaps: { disable: 'disable-upload' },
    release: { create: false, finalize: false, inject: false },
  });
}

// Sources relative to the project root, one directory up from assets/ or dist/.
function sourcePath(relative, mapPath) {
  const absolute = path.resolve(path.dirname(mapPath), relative);
  return `../${path.relative(HERE, absolute).split(path.sep).join('/')}`;
}

// The SDK's own sources would make the vendor map 1.1 MB of sourcesContent (Rollup's
// sourcemapExcludeSources is all-or-nothing per output). Keep the app's sources, drop the
// SDK's: the committed fixtures stay small, and they cover a map whose sources lack content.
function dropVendorSourcesContent() {
  return {
    name: 'drop-vendor-sources-content',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || chunk.name !== 'vendor') continue;
        const asset = bundle[chunk.sourcemapFileName ?? `${chunk.fileName}.map`];
        const map = JSON.parse(asset.source);
        delete map.sourcesContent;
        asset.source = JSON.stringify(map);
      }
    },
  };
}

function plugins(variant) {
  const list = [];
  if (variant === 'min') list.push(terser());
  list.push(sentryPlugin()); // the Sentry plugin goes last, as its README says
  return list;
}

async function buildBrowser(out, variant) {
  const dir = path.join(out, variant, 'browser');
  const bundle = await rollup({
    input: path.join(HERE, 'app', 'browser.js'),
    plugins: [nodeResolve({ browser: true }), ...plugins(variant), dropVendorSourcesContent()],
  });
  await bundle.write({
    dir,
    format: 'es',
    entryFileNames: 'assets/app.js',
    chunkFileNames: 'assets/[name].js',
    manualChunks: (id) => (id.includes(`${path.sep}node_modules${path.sep}`) ? 'vendor' : undefined),
    sourcemap: true,
    sourcemapDebugIds: true,
    sourcemapPathTransform: sourcePath,
  });
  await bundle.close();
  fs.writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>shop</title></head>\n' +
      '<body><script type="module" src="/assets/app.js"></script></body></html>\n',
  );
}

async function buildNode(out, variant) {
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const bundle = await rollup({
    input: path.join(HERE, 'app', 'node.js'),
    external: (id) => builtins.has(id) || id.startsWith('@sentry/'),
    plugins: plugins(variant),
  });
  await bundle.write({
    file: path.join(out, variant, 'node', 'dist', 'server.cjs'),
    format: 'cjs',
    sourcemap: true,
    sourcemapDebugIds: true,
    sourcemapPathTransform: sourcePath,
  });
  await bundle.close();
}

export function toolVersions() {
  // Read from node_modules directly: some of these packages do not export their package.json.
  const version = (name) =>
    JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version;
  return {
    node: process.version,
    rollup: ROLLUP_VERSION,
    '@rollup/plugin-terser': version('@rollup/plugin-terser'),
    '@rollup/plugin-node-resolve': version('@rollup/plugin-node-resolve'),
    terser: version('terser'),
    '@sentry/rollup-plugin': version('@sentry/rollup-plugin'),
    // The plugin's implementation, a nested dependency of @sentry/rollup-plugin.
    '@sentry/bundler-plugins': version('@sentry/rollup-plugin/node_modules/@sentry/bundler-plugins'),
    '@sentry/browser': version('@sentry/browser'),
    '@sentry/node': version('@sentry/node'),
    '@sentry/cli': version('@sentry/cli'),
    'puppeteer-core': version('puppeteer-core'),
  };
}

export async function build(out) {
  fs.rmSync(out, { recursive: true, force: true });
  for (const variant of VARIANTS) {
    await buildBrowser(out, variant);
    await buildNode(out, variant);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const out = args[0] === '--out' ? path.resolve(args[1]) : path.join(HERE, 'build');
  await build(out);
  console.log(`built ${out}`);
}
