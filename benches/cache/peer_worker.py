#!/usr/bin/env python3
"""One (peer, map) measurement of the cache benchmark, run in its own process.

    python peer_worker.py PEER MAP_PATH POSITIONS_PATH [--minified JS_PATH] [options]

Prints exactly ONE JSON line on stdout with the metrics. peers.py runs this once per
(peer, map) in a subprocess because libsourcemap 0.8.2 segfaults on many real maps: a
crash must only lose that one measurement. So that a crash still tells something, the
worker also writes to stderr, flushed, a `PHASE <name>` line before each phase and a
`PARTIAL <json>` line with the metrics gathered so far after each phase; peers.py
reports the phase that crashed and keeps the partial metrics.

POSITIONS_PATH is a JSON list of [line, column] pairs, 0-based (generated columns as in
the map's `mappings`, i.e. UTF-16 code units). Every metric and the correctness sample
use 0-based [source, original_line, original_column]; each peer's own convention is
converted here:
  * libsourcemap 0.8.2 View.lookup_token(line, col): 0-based in and out.
  * symbolic SourceMapView.lookup(line, col): 0-based in and out.
  * symbolic SourceMapCache.lookup(line, col, context_lines): 1-BASED in and out (the
    C ABI does `SourcePosition::new(line - 1, col - 1)` and returns `line() + 1`,
    `column() + 1`), so we pass +1 and subtract 1.

Timing (all through each library's Python binding, as a Python caller would see it):
  * one-shot operations (parse, dump, open) are repeated until a time budget is spent
    (with a minimum and maximum count); median and min are reported;
  * lookups: the positions are timed in chunks of 1000 calls, over several passes;
    `*_ns` is the median of the per-chunk ns/call. `python_call_overhead_ns` is the
    same loop calling a no-op lambda, i.e. the part of every lookup figure that is
    the Python loop and call itself.

Adding a peer (e.g. mapback): write `run_<peer>(args, res)` below and register it in
WORKERS; see the MAPBACK HOOK further down.
"""

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import tempfile
import time

pc = time.perf_counter_ns


# ---------------------------------------------------------------- helpers

def phase(name):
    print("PHASE " + name, file=sys.stderr, flush=True)


def partial(res):
    print("PARTIAL " + json.dumps(res, sort_keys=True), file=sys.stderr, flush=True)


def repeat(fn, budget_s, min_reps, max_reps):
    """Calls fn() repeatedly; returns (times_ns, last_result).

    The result of each call is released outside the timed region (the previous one is
    kept alive until the next call returns, so its destructor is never timed)."""
    times = []
    last = None
    spent = 0
    while len(times) < max_reps and (len(times) < min_reps or spent < budget_s * 1e9):
        t0 = pc()
        r = fn()
        dt = pc() - t0
        times.append(dt)
        spent += dt
        last = None
        last = r
    return times, last


def summary_ms(times):
    return {"median_ms": round(statistics.median(times) / 1e6, 3),
            "min_ms": round(min(times) / 1e6, 3), "reps": len(times)}


def summary_us(times):
    return {"median_us": round(statistics.median(times) / 1e3, 2),
            "min_us": round(min(times) / 1e3, 2), "reps": len(times)}


def time_lookups(fn, positions, passes, chunk=1000):
    """Median (over chunks of `chunk` calls, all passes) of ns per call of fn(line, col)."""
    per_call = []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(passes):
            for i in range(0, len(positions), chunk):
                part = positions[i:i + chunk]
                t0 = pc()
                for line, col in part:
                    fn(line, col)
                per_call.append((pc() - t0) / len(part))
    finally:
        if was_enabled:
            gc.enable()
    return {"median_ns": round(statistics.median(per_call), 1),
            "min_ns": round(min(per_call), 1),
            "calls": len(positions) * passes}


def count_hits(fn, positions):
    return sum(1 for line, col in positions if fn(line, col) is not None)


def max_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def public_api(obj):
    return sorted(n for n in dir(obj) if not n.startswith("_"))


def describe_error(exc):
    # libsourcemap's exceptions define a py2-style __str__ that returns bytes on
    # Python 3, so str(exc) itself raises; use the message attribute when present.
    msg = getattr(exc, "message", None)
    if msg is None:
        try:
            msg = str(exc)
        except Exception:  # noqa: BLE001
            msg = repr(exc.args)
    return {"type": type(exc).__name__, "message": msg}


# ---------------------------------------------------------------- libsourcemap

def run_libsourcemap(args, res, data, positions):
    import libsourcemap
    from importlib import metadata

    res["version"] = metadata.version("libsourcemap")
    View = libsourcemap.View
    sample = positions[:args.sample]

    def lookup_fn(view):
        return lambda line, col: view.lookup_token(line, col)

    def raw_fn(view):
        # Straight into the C ABI with preallocated out-params: no Token namedtuple, no
        # string decoding, no per-call cffi allocations. The engine's own lookup cost
        # plus one cffi call.
        from libsourcemap.highlevel import _ffi, _lib
        tok_out = _ffi.new("lsm_token_t *")
        err = _ffi.new("lsm_error_t *")
        f = _lib.lsm_view_lookup_token
        ptr = view._get_ptr()
        return lambda line, col: f(ptr, line, col, tok_out, err)

    def answer(tok):
        return None if tok is None else [tok.src, tok.src_line, tok.src_col]

    phase("json_parse")
    times, view = repeat(lambda: View.from_json(data), args.budget, 3, 20)
    res["json_parse"] = summary_ms(times)
    res["tokens"] = len(view)
    res["sources"] = view.get_source_count()
    partial(res)

    phase("json_view_lookup")
    res["json_view_lookup"] = time_lookups(lookup_fn(view), positions, args.passes)
    res["json_view_lookup_raw"] = time_lookups(raw_fn(view), positions, args.passes)
    json_sample = [answer(view.lookup_token(l, c)) for l, c in sample]
    partial(res)

    phase("memdb_dump")
    try:
        times, db = repeat(lambda: view.dump_memdb(True, True), args.budget, 3, 10)
    except libsourcemap.SourceMapError as exc:
        res["memdb_dump_error"] = describe_error(exc)
        res["sample"] = json_sample
        res["sample_from"] = "json_view"
        partial(res)
        return
    res["memdb_dump"] = summary_ms(times)
    res["memdb_bytes"] = len(db)
    partial(res)

    phase("memdb_sizes")
    sizes = {}
    for contents, names in ((False, True), (True, False), (False, False)):
        key = "contents=%d,names=%d" % (contents, names)
        try:
            sizes[key] = len(view.dump_memdb(contents, names))
        except libsourcemap.SourceMapError as exc:
            sizes[key] = describe_error(exc)
    res["memdb_bytes_variants"] = sizes
    partial(res)

    with tempfile.TemporaryDirectory(prefix="peer-memdb-") as tmp:
        path = os.path.join(tmp, "map.memdb")
        with open(path, "wb") as f:
            f.write(db)
        bpath = path.encode()

        phase("memdb_open_bytes")
        times, mview = repeat(lambda: View.from_memdb(db), args.budget, 5, 2000)
        res["memdb_open_bytes"] = summary_us(times)
        partial(res)

        phase("memdb_open_path")
        times, fview = repeat(lambda: View.from_memdb_file(bpath), args.budget, 5, 2000)
        res["memdb_open_path"] = summary_us(times)
        partial(res)

        # open + one lookup + close: the whole cost of answering one frame from a cold
        # (not yet opened, but page-cached) memdb file.
        phase("memdb_open_lookup_close")
        l0, c0 = positions[0]
        times, _ = repeat(lambda: View.from_memdb_file(bpath).lookup_token(l0, c0),
                          args.budget, 5, 2000)
        res["memdb_open_lookup_close_path"] = summary_us(times)
        partial(res)

        phase("memdb_lookup")
        res["memdb_path_view_lookup"] = time_lookups(lookup_fn(fview), positions, args.passes)
        res["memdb_path_view_lookup_raw"] = time_lookups(raw_fn(fview), positions, args.passes)
        res["memdb_bytes_view_lookup"] = time_lookups(lookup_fn(mview), positions, args.passes)
        res["memdb_hits"] = count_hits(lookup_fn(fview), positions)
        partial(res)

        phase("memdb_sample")
        res["sample"] = [answer(fview.lookup_token(l, c)) for l, c in sample]
        res["sample_from"] = "memdb_path_view"
        res["sample_memdb_vs_json_view_mismatches"] = sum(
            1 for a, b in zip(res["sample"], json_sample) if a != b)
        del fview, mview


# ---------------------------------------------------------------- symbolic

def run_symbolic(args, res, data, positions):
    import symbolic
    from importlib import metadata
    from symbolic import sourcemap as sm_mod

    res["version"] = metadata.version("symbolic")
    sample = positions[:args.sample]

    # What the Python package exposes for source maps (the point of the issue: is there a
    # SourceMapCache that can be saved/loaded from Python?).
    api = {"symbolic.sourcemap": list(sm_mod.__all__)}
    for name in ("SourceMapView", "SourceView"):
        api["symbolic.sourcemap." + name] = public_api(getattr(sm_mod, name))
    try:
        from symbolic import sourcemapcache as smc_mod
    except ImportError:
        smc_mod = None
    if smc_mod is not None:
        api["symbolic.sourcemapcache"] = list(smc_mod.__all__)
        api["symbolic.sourcemapcache.SourceMapCache"] = public_api(smc_mod.SourceMapCache)
    lowlevel = [n for n in dir(symbolic._lowlevel.lib)
                if n.startswith(("symbolic_sourcemapcache_", "symbolic_sourcemapview_"))]
    api["c_abi_functions"] = sorted(lowlevel)
    cache_io = [n for n in lowlevel if any(w in n for w in ("bytes", "open", "get_", "size"))
                and n.startswith("symbolic_sourcemapcache_")]
    api["sourcemapcache_serialize_or_load_functions"] = [
        n for n in cache_io if n != "symbolic_sourcemapcache_from_bytes"]
    res["api"] = api
    partial(res)

    phase("view_parse")
    times, view = repeat(lambda: sm_mod.SourceMapView.from_json_bytes(data), args.budget, 3, 20)
    res["view_parse"] = summary_ms(times)
    res["tokens"] = len(view)
    res["sources"] = view.source_count
    partial(res)

    phase("view_lookup")
    vlookup = view.lookup
    res["view_lookup"] = time_lookups(lambda l, c: vlookup(l, c), positions, args.passes)
    # Raw: straight into the C ABI (the call allocates a token match, which we free;
    # no Python object, no string decoding).
    lib, NULL = symbolic._lowlevel.lib, symbolic._lowlevel.ffi.NULL
    vraw, vfree, vptr = (lib.symbolic_sourcemapview_lookup_token,
                         lib.symbolic_token_match_free, view._get_objptr())

    def view_raw(line, col):
        rv = vraw(vptr, line, col)
        if rv != NULL:
            vfree(rv)

    res["view_lookup_raw"] = time_lookups(view_raw, positions, args.passes)
    res["view_hits"] = count_hits(lambda l, c: vlookup(l, c), positions)

    def vanswer(tok):
        return None if tok is None else [tok.src, tok.src_line, tok.src_col]

    res["sample"] = [vanswer(vlookup(l, c)) for l, c in sample]
    res["sample_from"] = "SourceMapView"
    partial(res)

    if smc_mod is None:
        return
    if not args.minified:
        res["sourcemapcache_skipped"] = "no --minified source given (SourceMapCache needs it)"
        return
    with open(args.minified, "rb") as f:
        js = f.read()

    phase("sourcemapcache_build")
    SMC = smc_mod.SourceMapCache
    try:
        times, cache = repeat(lambda: SMC.from_bytes(js, data), args.budget, 3, 20)
    except Exception as exc:  # noqa: BLE001 (symbolic raises its own error classes)
        res["sourcemapcache_build_error"] = describe_error(exc)
        return
    # from_bytes = parse JSON + SourceMapCacheWriter (scope extraction from the minified
    # source) + serialize to an in-memory Vec + SourceMapCache::parse. The serialized
    # bytes never reach Python: there is no get_bytes/open/from-serialized entry point.
    res["sourcemapcache_build"] = summary_ms(times)
    partial(res)

    phase("sourcemapcache_lookup")
    clookup = cache.lookup
    res["sourcemapcache_lookup"] = time_lookups(
        lambda l, c: clookup(l + 1, c + 1, 0), positions, args.passes)
    craw, cfree, cptr = (lib.symbolic_sourcemapcache_lookup_token,
                         lib.symbolic_sourcemapcache_token_match_free, cache._get_objptr())

    def cache_raw(line, col):
        rv = craw(cptr, line + 1, col + 1, 0)
        if rv != NULL:
            cfree(rv)

    res["sourcemapcache_lookup_raw"] = time_lookups(cache_raw, positions, args.passes)
    res["sourcemapcache_hits"] = count_hits(lambda l, c: clookup(l + 1, c + 1, 0), positions)

    def canswer(tok):
        return None if tok is None else [tok.src, tok.line - 1, tok.col - 1]

    res["sample_sourcemapcache"] = [canswer(clookup(l + 1, c + 1, 0)) for l, c in sample]
    partial(res)


# ---------------------------------------------------------------- mapback

def run_mapback(args, res, data, positions):
    """mapback through its Python package, with the same metric names as libsourcemap
    (cache_* for memdb_*); `raw` calls the C ABI with preallocated out-params."""
    import mapback
    from mapback._lowlevel import ffi, lib

    res["version"] = mapback.__version__
    sample = positions[:args.sample]

    def lookup_fn(source_map):
        return lambda line, col: source_map.lookup(line, col)

    def raw_fn(source_map):
        token = ffi.new("mapback_token *")
        err = ffi.new("mapback_error *")
        f = lib.mapback_sourcemap_lookup
        ptr = source_map._pointer()
        return lambda line, col: f(ptr, line, col, ffi.NULL, token, err)

    def answer(token):
        if token is None or token.source is None:
            return None
        return [token.source.name, token.original_line, token.original_column]

    def batch_ns(source_map):
        lines = [p[0] for p in positions]
        columns = [p[1] for p in positions]
        times, _ = repeat(lambda: source_map.lookup_many(lines, columns), args.budget, 3, 20)
        return {"median_ns": round(statistics.median(times) / len(positions), 1),
                "min_ns": round(min(times) / len(positions), 1), "calls": len(positions)}

    phase("json_parse")
    times, sm = repeat(lambda: mapback.SourceMap.from_bytes(data), args.budget, 3, 20)
    res["json_parse"] = summary_ms(times)
    res["tokens"] = len(sm)
    res["sources"] = len(sm.sources)
    partial(res)

    phase("json_view_lookup")
    res["json_view_lookup"] = time_lookups(lookup_fn(sm), positions, args.passes)
    res["json_view_lookup_raw"] = time_lookups(raw_fn(sm), positions, args.passes)
    res["json_view_lookup_many"] = batch_ns(sm)
    json_sample = [answer(sm.lookup(l, c)) for l, c in sample]
    partial(res)

    phase("cache_build")
    times, blob = repeat(lambda: sm.to_cache(), args.budget, 3, 10)
    res["cache_build"] = summary_ms(times)
    res["cache_bytes"] = len(blob)
    res["cache_bytes_variants"] = {
        "contents=0,names=1": len(sm.to_cache(include_contents=False)),
        "contents=0,names=0": len(sm.to_cache(include_contents=False, include_names=False)),
    }
    partial(res)

    with tempfile.TemporaryDirectory(prefix="mapback-cache-") as tmp:
        path = os.path.join(tmp, "map.mbc")
        sm.to_cache(path)

        phase("cache_open_bytes")
        times, bview = repeat(lambda: mapback.Cache.from_bytes(blob), args.budget, 5, 2000)
        res["cache_open_bytes"] = summary_us(times)
        partial(res)

        phase("cache_open_path")
        times, fview = repeat(lambda: mapback.open_cache(path), args.budget, 5, 2000)
        res["cache_open_path"] = summary_us(times)
        partial(res)

        phase("cache_open_lookup_close")
        l0, c0 = positions[0]

        def open_lookup_close():
            with mapback.open_cache(path) as cache:
                return cache.lookup(l0, c0)

        times, _ = repeat(open_lookup_close, args.budget, 5, 2000)
        res["cache_open_lookup_close_path"] = summary_us(times)
        partial(res)

        phase("cache_lookup")
        res["cache_path_view_lookup"] = time_lookups(lookup_fn(fview), positions, args.passes)
        res["cache_path_view_lookup_raw"] = time_lookups(raw_fn(fview), positions, args.passes)
        res["cache_bytes_view_lookup"] = time_lookups(lookup_fn(bview), positions, args.passes)
        res["cache_path_view_lookup_many"] = batch_ns(fview)
        res["cache_hits"] = count_hits(lookup_fn(fview), positions)
        partial(res)

        phase("cache_sample")
        res["sample"] = [answer(fview.lookup(l, c)) for l, c in sample]
        res["sample_from"] = "cache_path_view"
        res["sample_cache_vs_json_view_mismatches"] = sum(
            1 for a, b in zip(res["sample"], json_sample) if a != b)
        fview.close()
        bview.close()


WORKERS = {
    "libsourcemap": run_libsourcemap,
    "symbolic": run_symbolic,
    "mapback": run_mapback,
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("peer", choices=sorted(WORKERS))
    p.add_argument("map_path")
    p.add_argument("positions_path")
    p.add_argument("--minified", help="the generated JS file the map describes "
                   "(symbolic's SourceMapCache is built from it)")
    p.add_argument("--sample", type=int, default=1000,
                   help="how many leading positions go into the correctness sample")
    p.add_argument("--passes", type=int, default=3, help="timed passes over the positions")
    p.add_argument("--budget", type=float, default=2.0,
                   help="seconds to spend repeating each one-shot operation")
    args = p.parse_args(argv)

    with open(args.map_path, "rb") as f:
        data = f.read()
    with open(args.positions_path) as f:
        positions = [(int(l), int(c)) for l, c in json.load(f)]

    res = {"peer": args.peer, "map": os.path.basename(args.map_path),
           "map_bytes": len(data), "positions": len(positions),
           "python": sys.version.split()[0]}
    phase("python_call_overhead")
    res["python_call_overhead"] = time_lookups(lambda l, c: None, positions, args.passes)
    partial(res)
    t0 = pc()
    WORKERS[args.peer](args, res, data, positions)
    res["worker_wall_s"] = round((pc() - t0) / 1e9, 2)
    res["max_rss_mb"] = max_rss_mb()
    phase("done")
    sys.stdout.write(json.dumps(res, sort_keys=True) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
