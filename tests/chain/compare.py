"""Compose the chain that build-chain.mjs built with mapback, and check that every lookup
agrees with @ampproject/remapping's composition of the same chain.

Usage: python compare.py WORK_DIR      (after `node build-chain.mjs WORK_DIR`)

Both composed maps are read with mapback (its reader passes the tc39 suite), at every
generated position where either map has a segment, one column after each, and 20
random columns a line. Two answers agree when both are unmapped or both give the same
source, line, column and name. A disagreement is explained when it is the one known
difference: remapping drops a segment whose trace falls off an inner map (so the
position resolves to the segment before it), where mapback keeps it as an unmapped
segment; the script checks that claim at each such position by tracing the chain step
by step. Anything else fails. Prints the figures; exit status 1 on a failure.
"""

from __future__ import print_function

import json
import os
import random
import sys
import time

import mapback


def load(path):
    with open(path, "rb") as handle:
        return mapback.SourceMap.from_bytes(handle.read())


def answer(source_map, line, column):
    token = source_map.lookup(line, column)
    if token is None or not token.has_original:
        return None
    return (
        os.path.normpath(token.source.path),
        token.original_line,
        token.original_column,
        token.name,
    )


def trace_falls_off(dist, outer, line, column):
    """Whether tracing (line, column) step by step ends off an inner map: a position in
    an intermediate file with no segment at or before it on its line."""
    source_map, position = outer, (line, column)
    base = dist
    while True:
        token = source_map.lookup(*position)
        if token is None or not token.has_original:
            return False
        name = os.path.normpath(os.path.join(base, token.source.path))
        if not os.path.exists(name + ".map"):
            return False
        inner = load(name + ".map")
        position = (token.original_line, token.original_column)
        inner_token = inner.lookup(*position)
        if inner_token is None or not inner_token.has_original:
            return True
        source_map, base = inner, os.path.dirname(name)


def main(work):
    dist = os.path.join(work, "dist")
    outer = load(os.path.join(dist, "bundle.min.js.map"))
    reference = load(os.path.join(dist, "remapping.map"))

    loaded = []

    def loader(name):
        path = os.path.normpath(os.path.join(dist, name)) + ".map"
        if not os.path.isfile(path):
            return None
        loaded.append(name)
        return load(path)

    started = time.time()
    builder = mapback.compose([outer], loader=loader)
    composed_json = builder.to_json()
    elapsed = time.time() - started
    composed = mapback.SourceMap.from_bytes(composed_json)
    with open(os.path.join(dist, "mapback.map"), "w") as handle:
        handle.write(composed_json)

    positions = set()
    for source_map in (composed, reference, outer):
        for token in source_map:
            positions.add((token.generated_line, token.generated_column))
            positions.add((token.generated_line, token.generated_column + 1))
    rng = random.Random(42)
    with open(os.path.join(dist, "bundle.min.js")) as handle:
        lines = handle.read().split("\n")
    for line, text in enumerate(lines):
        for _ in range(20):
            positions.add((line, rng.randrange(max(len(text), 1))))

    agree = explained = 0
    failures = []
    for line, column in sorted(positions):
        ours, theirs = answer(composed, line, column), answer(reference, line, column)
        if ours == theirs:
            agree += 1
        elif ours is None and trace_falls_off(dist, outer, line, column):
            explained += 1
        else:
            failures.append((line, column, ours, theirs))

    with open(os.path.join(dist, "chain.json")) as handle:
        chain = json.load(handle)
    total = len(positions)
    print("chain: tsc %s -> esbuild %s -> terser %s; remapping %s" % tuple(
        chain["versions"][k] for k in ("typescript", "esbuild", "terser", "@ampproject/remapping")
    ))
    print("maps loaded: mapback %d, remapping %d; composed segments: mapback %d, remapping %d" % (
        len(loaded), len(chain["remapping_loaded"]), len(composed), len(reference)
    ))
    print("compose + encode in mapback (Python): %.1f ms" % (elapsed * 1000))
    print("positions compared: %d; agree %d (%.2f%%); explained (remapping drops a segment "
          "whose trace falls off an inner map) %d; unexplained %d" % (
              total, agree, 100.0 * agree / total, explained, len(failures)))
    for failure in failures[:20]:
        print("  MISMATCH at %d:%d: mapback %r, remapping %r" % failure)
    if sorted(loaded) != sorted(chain["remapping_loaded"]):
        print("  the two loaded different maps: %r vs %r" % (sorted(loaded), sorted(chain["remapping_loaded"])))
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
