// The Node side of `make bench`: one measurement of one peer on one map per process,
// printed as one JSON line (the protocol is in benches/README.md; native/src/main.rs is
// the model). `benches/run.py` runs it round after round, interleaving the peers.
//
//   node --expose-gc worker.mjs parse  PEER MAP REPEAT            seconds per parse to a lookup-ready map
//   node --expose-gc worker.mjs lookup PEER MAP POSITIONS REPEAT  ns per lookup over the positions
//   node --expose-gc worker.mjs memory PEER MAP                   bytes the parsed map keeps
//
// PEER is `trace-mapping` (@jridgewell/trace-mapping) or `source-map` (mozilla's, whose
// consumer is async and decodes `mappings` in WASM). Both are pinned in package.json.
//
// Lookup-ready, per peer (what `parse` times, and what `memory` measures):
//
// - trace-mapping: `FlattenMap(text)` (the pinned 0.3.31 also exports it as `AnyMap`),
//   which takes regular and index (`sections`) maps alike; on a regular map it JSON-parses
//   once and hands the object to `new TraceMap`, so it costs nothing over TraceMap. A
//   TraceMap keeps `mappings` encoded until the first query; its only lazy step is
//   `decodedMappings(map)` (VLQ decode into per-line arrays of segments, sorted), after
//   which a lookup is a binary search. We force it with one lookup, as the README says,
//   which calls exactly `decodedMappings` plus one binary search. An index map is decoded
//   eagerly by FlattenMap (it decodes every section to merge them), so the lookup is then
//   a no-op preparation-wise.
// - source-map: `await new SourceMapConsumer(text)`; its mappings are parsed in WASM on the
//   first query, so we run one `originalPositionFor`. An index map gives an
//   IndexedSourceMapConsumer whose sections each parse lazily and whose lookups reach only
//   one section, so we run one lookup on every section's consumer (`_sections`, a private
//   field: the public alternative, a lookup at each section's offset, does the same).
//   Every consumer is `destroy()`ed once done with, outside the timed span, or its WASM
//   memory would pile up between repetitions.
//
// The answers hash is the README's recipe (and native/src/peers.rs `hash_answers`): per
// position `original_line original_column name` (0-based; both peers answer 1-based
// lines, so we subtract 1), name `-` when absent, or `-` alone when the answer has no
// original line; joined with "\n", SHA-256, first 16 hex digits.
//
// Checked against native mapback (`mapback-bench-native positions MAP 100000 42` and
// `lookup mapback`) on jquery 4.0.0, pdf.js 6.5.438 pdf.mjs, babel-standalone 8.0.5 and a
// two-section index map (jquery + pdf.mjs): trace-mapping's hash equals mapback's on all
// four. source-map's equals it on pdf.mjs and babel, and differs on jquery (and so on the
// index map holding it) by tie-breaking alone: jquery's map has several segments at one
// generated position (7,252 of the 100,000 positions land on such a column); mapback and
// trace-mapping answer the first of them in map order, source-map's WASM binary search
// answers whichever of the tied segments it lands on. Every one of the 4,441 differing
// answers is one of the tied segments, and no position without a tie differs, so it is
// not an off-by-one in the line or column.

import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { FlattenMap, originalPositionFor, decodedMappings } from "@jridgewell/trace-mapping";
import sourceMap from "source-map";

const { SourceMapConsumer } = sourceMap;

/** Written by the timed loops and read at the end, so the lookups cannot be dropped. */
let sink = 0;

/** One peer behind one interface; every method is what the README says it does. */
const PEERS = {
  "trace-mapping": {
    /** Map text to a lookup-ready TraceMap (see the top of this file). */
    async parse(text) {
      const map = FlattenMap(text);
      sink ^= originalPositionFor(map, { line: 1, column: 0 }).column | 0;
      return map;
    },
    destroy(_map) {},
    /** The timed loop: one public lookup per position, reading line and column. */
    checksum(map, lines, columns) {
      let sum = 0;
      for (let i = 0; i < lines.length; i++) {
        const answer = originalPositionFor(map, { line: lines[i] + 1, column: columns[i] });
        if (answer.line !== null) sum = (sum + ((answer.line << 20) ^ answer.column)) | 0;
      }
      return sum;
    },
    answer(map, line, column) {
      return originalPositionFor(map, { line: line + 1, column });
    },
    /** Every decoded segment, with or without a source (1-, 4- and 5-field alike). */
    tokens(map) {
      let count = 0;
      for (const segments of decodedMappings(map)) count += segments.length;
      return count;
    },
  },

  "source-map": {
    async parse(text) {
      const consumer = await new SourceMapConsumer(text);
      const parts = consumer._sections ? consumer._sections.map((s) => s.consumer) : [consumer];
      for (const part of parts) {
        sink ^= part.originalPositionFor({ line: 1, column: 0 }).column | 0;
      }
      return consumer;
    },
    destroy(consumer) {
      consumer.destroy();
    },
    checksum(consumer, lines, columns) {
      let sum = 0;
      for (let i = 0; i < lines.length; i++) {
        const answer = consumer.originalPositionFor({ line: lines[i] + 1, column: columns[i] });
        if (answer.line !== null) sum = (sum + ((answer.line << 20) ^ answer.column)) | 0;
      }
      return sum;
    },
    answer(consumer, line, column) {
      return consumer.originalPositionFor({ line: line + 1, column });
    },
    /**
     * source-map has no token count, so we walk `eachMapping` (generated order), which
     * yields every mapping, sourceless ones included, like trace-mapping's segments. It
     * builds one object per mapping, so it runs after the memory is measured.
     */
    tokens(consumer) {
      let count = 0;
      consumer.eachMapping(() => {
        count++;
      });
      return count;
    },
  },
};

function peerNamed(name) {
  const peer = Object.hasOwn(PEERS, name) ? PEERS[name] : undefined;
  if (!peer) throw new Error(`unknown peer ${JSON.stringify(name)}`);
  return peer;
}

function number(text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`not a number: ${JSON.stringify(text)}`);
  return value;
}

function read(path) {
  return readFileSync(path, "utf8");
}

/** Full collections, with a turn of the event loop between them for weak callbacks. */
async function collect() {
  if (typeof globalThis.gc !== "function") throw new Error("run node with --expose-gc");
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function parse(peerName, mapPath, repeat) {
  const peer = peerNamed(peerName);
  const text = read(mapPath);
  peer.destroy(await peer.parse(text)); // the warm-up, and fail before timing
  const samples = [];
  for (let i = 0; i < repeat; i++) {
    await collect(); // so one sample does not pay for the last one's garbage
    const start = process.hrtime.bigint();
    const parsed = await peer.parse(text);
    const elapsed = process.hrtime.bigint() - start;
    samples.push(Number(elapsed) / 1e9);
    peer.destroy(parsed);
  }
  return { unit: "s", samples };
}

function loadPositions(path) {
  const rows = read(path).split("\n");
  if (rows.at(-1) === "") rows.pop();
  const lines = new Uint32Array(rows.length);
  const columns = new Uint32Array(rows.length);
  rows.forEach((row, i) => {
    const match = /^(\d+) (\d+)$/.exec(row);
    if (!match) throw new Error(`${path}: bad line ${JSON.stringify(row)}`);
    lines[i] = Number(match[1]);
    columns[i] = Number(match[2]);
  });
  return { lines, columns };
}

async function lookup(peerName, mapPath, positionsPath, repeat) {
  const peer = peerNamed(peerName);
  const { lines, columns } = loadPositions(positionsPath);
  if (lines.length === 0) throw new Error(`${positionsPath}: no positions`);
  const parsed = await peer.parse(read(mapPath));
  try {
    // The warm-up pass, and what every peer must agree on (not timed).
    const answers = [];
    let found = 0;
    for (let i = 0; i < lines.length; i++) {
      const answer = peer.answer(parsed, lines[i], columns[i]);
      if (answer.line === null) {
        answers.push("-");
      } else {
        found++;
        answers.push(`${answer.line - 1} ${answer.column} ${answer.name ?? "-"}`);
      }
    }
    const answersHash = createHash("sha256").update(answers.join("\n"), "utf8").digest("hex").slice(0, 16);
    sink ^= peer.checksum(parsed, lines, columns); // and warm the timed loop itself
    const samples = [];
    for (let r = 0; r < repeat; r++) {
      const start = process.hrtime.bigint();
      sink ^= peer.checksum(parsed, lines, columns);
      const elapsed = process.hrtime.bigint() - start;
      samples.push(Number(elapsed) / lines.length);
    }
    return { unit: "ns", samples, found, answers_hash: answersHash };
  } finally {
    peer.destroy(parsed);
  }
}

/**
 * The README's measure: `heapUsed + external`. Node counts `arrayBuffers` inside
 * `external`, so it is not added again. source-map's mappings live in WASM linear
 * memory, which is in `external`; that memory grows in pages and never shrinks, so its
 * figure is the peak the parse needed (the copied `mappings` text included), which is
 * what the process goes on holding.
 */
function usedBytes() {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

async function memory(peerName, mapPath) {
  const peer = peerNamed(peerName);
  // The peer's fixed, per-process cost is not the map's: instantiate source-map's WASM
  // module (and let both peers' code warm up) on a one-token map before the baseline.
  peer.destroy(await peer.parse('{"version":3,"sources":["a"],"names":[],"mappings":"AAAA"}'));
  await collect();
  const before = usedBytes();
  let text = read(mapPath);
  const parsed = await peer.parse(text);
  text = null; // the input is gone; whatever still holds its pieces is the peer's
  await collect();
  const retained = usedBytes() - before;
  const tokens = peer.tokens(parsed);
  peer.destroy(parsed);
  return { retained_bytes: retained, tokens, bytes_per_token: retained / Math.max(tokens, 1) };
}

/**
 * JSON texts in, composed JSON text out: @ampproject/remapping parses both maps (the
 * loader hands over the inner map's text for the outer map's one source), composes and
 * encodes, as mapback is measured.
 */
async function compose(peerName, outerPath, innerPath, repeat) {
  if (peerName !== "remapping") throw new Error("compose: the Node peer is remapping");
  const { default: remapping } = await import("@ampproject/remapping");
  const outer = read(outerPath);
  const inner = read(innerPath);
  const innerName = JSON.parse(outer).sources[0];
  const run = () => remapping(outer, (file) => (file === innerName ? inner : null)).toString();
  const bytes = run().length;
  const samples = [];
  for (let i = 0; i < repeat; i++) {
    const start = process.hrtime.bigint();
    const text = run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (text.length !== bytes) throw new Error("remapping gave different output on a rerun");
  }
  return { unit: "s", samples, output_bytes: bytes };
}

async function main(args) {
  const [metric, ...rest] = args;
  if (metric === "parse" && rest.length === 3) return parse(rest[0], rest[1], number(rest[2]));
  if (metric === "lookup" && rest.length === 4) return lookup(rest[0], rest[1], rest[2], number(rest[3]));
  if (metric === "memory" && rest.length === 2) return memory(rest[0], rest[1]);
  if (metric === "compose" && rest.length === 4) return compose(rest[0], rest[1], rest[2], number(rest[3]));
  throw new Error("usage: see the top of benches/node/worker.mjs");
}

try {
  const result = await main(process.argv.slice(2));
  if (sink === 0.5) process.stderr.write("unreachable\n"); // keeps `sink` observable
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: String(error?.message ?? error) })}\n`);
  process.exitCode = 2;
}
