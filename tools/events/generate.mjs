#!/usr/bin/env node
// Regenerates tests/data/events/ from scratch (`make events-fixtures` runs it through
// generate.sh, which installs what it needs first):
//   1. build.mjs: Rollup + terser + Sentry's Rollup plugin, minified and reference builds;
//   2. capture.mjs: each build under @sentry/browser (headless Chromium) and @sentry/node;
//   3. artifact-bundle.mjs: sentry-cli makes the artifact bundle from the minified builds;
//   4. expectations.json: every frame of every minified event paired with the reference
//      event's frame at the same index, mapped through the reference map (see README.md).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { TraceMap, decodedMappings } from '@jridgewell/trace-mapping';

import { build, toolVersions } from './build.mjs';
import { BROWSER_PORT, NODE_STAGE, SCENARIOS, captureBrowser, captureNode } from './capture.mjs';
import { makeArtifactBundle, sentryCliBinary } from './artifact-bundle.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const OUT = path.join(ROOT, 'tests', 'data', 'events');
const BUILD = path.join(HERE, 'build');
const RUNTIMES = ['browser', 'node'];

const step = (text) => console.log(`\n== events: ${text}`);

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

// Where a runtime's bundles live in the build, and where they were served or run from.
const DEPLOY = {
  browser: { dir: 'browser', files: ['assets/app.js', 'assets/vendor.js'], base: `http://127.0.0.1:${BROWSER_PORT}/` },
  node: { dir: 'node', files: ['dist/server.cjs'], base: `${NODE_STAGE}/` },
};

// Bundles that hold only the SDK (the browser build's vendor chunk).
const SDK_FILES = new Set([`${DEPLOY.browser.base}assets/vendor.js`]);

function deployedName(runtime, file) {
  return DEPLOY[runtime].base + file;
}

function resolveSource(runtime, bundleName, source) {
  if (runtime === 'browser') return new URL(source, bundleName).href;
  return path.posix.resolve(path.posix.dirname(bundleName), source);
}

function frameOf(frame) {
  const { filename, abs_path, function: fn, lineno, colno, in_app } = frame;
  return { filename, abs_path, function: fn, lineno, colno, in_app };
}

// The reference map's segment at or before the frame's (1-based) position on its line
// (greatest lower bound, same line only), with the map's own `sources` entry.
function lookupReference(ref, lineno, colno) {
  const segments = decodedMappings(ref.map)[lineno - 1] || [];
  let found = null;
  for (const segment of segments) {
    if (segment[0] > colno - 1) break;
    found = segment;
  }
  if (!found || found.length < 4) return null;
  return {
    source: ref.json.sources[found[1]],
    line: found[2] + 1,
    column: found[3] + 1,
    exact: found[0] === colno - 1,
  };
}

function expectationsFor(runtime, scenario, minEvent, refEvent, refMaps, debugIds) {
  const minValues = minEvent.exception.values;
  const refValues = refEvent.exception.values;
  if (minValues.length !== refValues.length) {
    throw new Error(`${runtime}/${scenario}: ${minValues.length} exceptions, reference has ${refValues.length}`);
  }
  return minValues.map((value, v) => {
    const minFrames = value.stacktrace.frames;
    const refFrames = refValues[v].stacktrace.frames;
    if (value.type !== refValues[v].type || value.value !== refValues[v].value) {
      throw new Error(`${runtime}/${scenario}: exception ${v} differs from the reference`);
    }
    // Paired from the innermost (crashing) frame out. The minified event may have more outer
    // frames: the SDK drops its own wrapper frames by name (`sentryWrapped`), which it can no
    // longer recognise once terser renamed them. Any other difference is an error.
    const extra = minFrames.length - refFrames.length;
    if (extra < 0) {
      throw new Error(`${runtime}/${scenario}: ${minFrames.length} frames, reference has ${refFrames.length} (inlined?)`);
    }
    const frames = minFrames.map((minFrame, i) => {
      if (i < extra) {
        if (!SDK_FILES.has(minFrame.filename)) {
          throw new Error(`${runtime}/${scenario}: unpaired frame ${i} is not the SDK's: ${minFrame.filename}`);
        }
        return {
          minified: frameOf(minFrame),
          reference: null,
          debug_id: debugIds.get(minFrame.filename),
          expected: null,
          why: 'an SDK wrapper frame the SDK removed from the reference event by its unminified name; no truth',
        };
      }
      const refFrame = refFrames[i - extra];
      if (minFrame.filename !== refFrame.filename) {
        throw new Error(`${runtime}/${scenario}: frame ${i} is in ${minFrame.filename}, reference in ${refFrame.filename}`);
      }
      const entry = { minified: frameOf(minFrame), reference: frameOf(refFrame) };
      const map = refMaps.get(minFrame.filename);
      if (!map) {
        entry.expected = null;
        entry.why = 'not in a bundle of this build: the frame stays as it is';
        return entry;
      }
      entry.debug_id = debugIds.get(minFrame.filename);
      const original = lookupReference(map, refFrame.lineno, refFrame.colno);
      if (!original) {
        entry.expected = null;
        entry.why = 'the reference map maps this position to no source';
        return entry;
      }
      entry.expected = {
        source: original.source,
        abs_path: resolveSource(runtime, minFrame.filename, original.source),
        filename: original.source.replace(/^(\.\.\/)+/, ''),
        lineno: original.line,
        colno: original.column,
        function: refFrame.function,
        exact_segment: original.exact,
      };
      return entry;
    });
    return { type: value.type, value: value.value, frames };
  });
}

function loadMaps(variantDir, runtime) {
  const maps = new Map();
  const debugIds = new Map();
  for (const file of DEPLOY[runtime].files) {
    const full = path.join(variantDir, DEPLOY[runtime].dir, file);
    const raw = fs.readFileSync(`${full}.map`, 'utf8');
    const json = JSON.parse(raw);
    const name = deployedName(runtime, file);
    maps.set(name, { map: new TraceMap(json), json });
    debugIds.set(name, json.debugId);
  }
  return { maps, debugIds };
}

async function captureAll(variant) {
  const dir = path.join(BUILD, variant);
  const browser = await captureBrowser(path.join(dir, 'browser'));
  const node = captureNode(path.join(dir, 'node', 'dist'));
  for (const [runtime, result] of Object.entries({ browser, node })) {
    for (const scenario of SCENARIOS) {
      const n = result.runs[scenario].events.length;
      if (n !== 1) {
        const detail = result.runs[scenario].stderr || '';
        throw new Error(`${variant} ${runtime} ${scenario}: ${n} events captured, expected 1\n${detail}`);
      }
    }
  }
  return { browser, node };
}

function chromiumPackage() {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'chromium'], { encoding: 'utf8' });
  } catch {
    return 'unknown';
  }
}

async function main() {
  step('1/4 build (Rollup + terser + @sentry/rollup-plugin), minified and reference');
  await build(BUILD);

  step('2/4 capture: @sentry/browser in headless Chromium, @sentry/node in Node');
  const captured = { min: await captureAll('min'), ref: await captureAll('ref') };

  step('3/4 artifact bundle: sentry-cli sourcemaps upload to a loopback server');
  const bundle = await makeArtifactBundle([path.join(BUILD, 'min', 'browser'), path.join(BUILD, 'min', 'node')]);

  step('4/4 expectations and tests/data/events/');
  fs.rmSync(OUT, { recursive: true, force: true });
  const expectations = {};
  for (const runtime of RUNTIMES) {
    for (const file of DEPLOY[runtime].files) {
      for (const suffix of ['', '.map']) {
        const from = path.join(BUILD, 'min', DEPLOY[runtime].dir, file + suffix);
        const to = path.join(OUT, 'bundles', runtime, file + suffix);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(from, to);
      }
    }
    const { maps: refMaps } = loadMaps(path.join(BUILD, 'ref'), runtime);
    const { debugIds } = loadMaps(path.join(BUILD, 'min'), runtime);
    for (const scenario of SCENARIOS) {
      const minEvent = captured.min[runtime].runs[scenario].events[0];
      const refEvent = captured.ref[runtime].runs[scenario].events[0];
      writeJson(path.join(OUT, 'events', runtime, `${scenario}.json`), minEvent);
      writeJson(path.join(OUT, 'reference-events', runtime, `${scenario}.json`), refEvent);
      expectations[`events/${runtime}/${scenario}.json`] = {
        runtime,
        scenario,
        exceptions: expectationsFor(runtime, scenario, minEvent, refEvent, refMaps, debugIds),
      };
    }
  }
  fs.writeFileSync(path.join(OUT, 'artifact-bundle.zip'), bundle.zip);

  const versions = {
    ...toolVersions(),
    'sentry-cli': execFileSync(sentryCliBinary(), ['--version'], { encoding: 'utf8' }).trim(),
    chromium: captured.min.browser.version,
    'chromium (Debian package)': chromiumPackage(),
    'browser user agent': captured.min.browser.runs.thrown.userAgent,
  };
  const provenance = {
    generated: new Date().toISOString(),
    command: 'make events-fixtures',
    versions,
    browser_base_url: DEPLOY.browser.base,
    node_stage_dir: NODE_STAGE,
    artifact_bundle: { requests: bundle.log, assemble_request: bundle.request, sentry_cli_output: bundle.stdout },
  };
  writeJson(path.join(OUT, 'provenance.json'), provenance);
  writeJson(path.join(OUT, 'expectations.json'), {
    about:
      'Per minified event, per exception, per frame (Sentry order: outermost first): the frame as sent, ' +
      'the reference run frame at the same index, and the expected original frame. See README.md.',
    events: expectations,
  });
  fs.writeFileSync(path.join(OUT, 'README.md'), readme(versions, provenance.generated));
  console.log(`wrote ${OUT}`);
}

function readme(versions, generated) {
  const rows = Object.entries(versions)
    .map(([name, version]) => `| ${name} | ${String(version).replace(/\|/g, '\\|')} |`)
    .join('\n');
  return fs
    .readFileSync(path.join(HERE, 'fixtures-README.template.md'), 'utf8')
    .replace('{{VERSIONS}}', rows)
    .replace('{{GENERATED}}', generated);
}

await main();
