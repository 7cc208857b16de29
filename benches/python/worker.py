#!/usr/bin/env python3
"""The Python side of `make bench`: one measurement of one peer on one map per process,
printed as one JSON line on stdout (the protocol is in benches/README.md).

    worker.py parse       PEER MAP REPEAT             {"unit": "s", "samples": [...]}
    worker.py lookup      PEER MAP POSITIONS REPEAT   {"unit": "ns", "samples": [...], "found": N,
                                                       "answers_hash": "...", "python_loop_ns": [...],
                                                       "cffi_call_ns": [...], "request_call_ns": [...]
                                                       (mapback only)}
    worker.py memory      PEER MAP                    {"retained_bytes": B, "tokens": N, "bytes_per_token": X}
    worker.py batch       PEER MAP POSITIONS REPEAT   {"unit": "ns", "samples": [...]}   (mapback only)
    worker.py cache       PEER MAP POSITIONS REPEAT   {"cache_bytes": B, "open_s": [...], "lookup_ns": [...], ...}
    worker.py symbolicate PEER MAP POSITIONS REPEAT   {"unit": "traces/s", "samples": [...]}

Run it with the bench venv's interpreter (benches/.venv, python/requirements.txt) and
PYTHONPATH=<repo>/python, so that mapback is imported from the source tree (after
`make develop`). PEER is one of:

    mapback       mapback's Python package (cffi, ABI mode)
    symbolic      symbolic 13.9.0 (getsentry): SourceMapView, SourceMapCache
    libsourcemap  libsourcemap 0.8.2 (getsentry, 2017): View, memdb
    sourcemap     sourcemap 0.2.1, the pure-Python decoder

Each peer, metric by metric (what "lookup-ready" and "the lookup" are for it):

  parse   bytes already in memory to an object whose next lookup does no preparation.
          mapback: SourceMap.from_bytes(data). symbolic: SourceMapView.from_json_bytes(data).
          libsourcemap: View.from_json(data), or for an index map (which View.from_json
          refuses) the package's from_json(data), which flattens it. sourcemap:
          sourcemap.loads(text), with the bytes decoded to str outside the timed region
          (it only takes str); it cannot read index maps (an error). All four build
          their whole lookup index while parsing, so nothing is forced afterwards.
  lookup  one pass over the positions per sample, one public lookup per position, and
          the original line and column of the answer read. mapback: sm.lookup(l, c) ->
          Token | None. symbolic: view.lookup(l, c) -> SourceMapTokenMatch | None.
          libsourcemap: view.lookup_token(l, c) -> Token | None. sourcemap:
          index.lookup(l, c), 0-based, which raises IndexError when no token is at or
          before the column (caught in the loop: that is what a caller must do).
          `python_loop_ns` is the same loop calling a no-op: the part of every figure
          that is the Python loop and call itself. For mapback, `cffi_call_ns` is the
          same loop calling the C function `mapback_sourcemap_lookup` directly through
          cffi (out-parameters allocated once, no Token built): the floor of any
          cffi ABI-mode lookup with that signature, wrapper and result object aside;
          `request_call_ns` the same for mapback_sourcemap_lookup_request, the
          two-argument export SourceMap.lookup calls.
  batch   mapback only: one sm.lookup_many(lines, columns) over all positions, with
          array('I') inputs (read without a copy); ns per position (see batch_call).
          Also its answers_hash, which must equal the lookup's.
  memory  the process runs with PYTHONMALLOC=malloc (re-executed with it when it is
          not set), so Python objects and native allocations both go through glibc;
          glibc's mallinfo2() (uordblks + hblkhd) is read before the input is read and
          after parsing, dropping the input and gc.collect(). Every peer was warmed on a
          tiny map first, so one-time allocations (cffi types, lazy statics) are in
          the baseline. tokens: len() of the parsed object, which all four can say
          (checked against a count of the `mappings` segments, on stderr if it
          differs). mapback also reports its own count, `native_heap_bytes`.
  cache   {"build_s", "cache_bytes", "open_s", "lookup_ns", "found", "answers_hash"},
          null where the peer cannot. mapback: sm.to_cache() to bytes (build_s), the
          cache written to a file, Cache.open(path) (open_s), cache.lookup (lookup_ns);
          and 5 first opens of the file evicted from the page cache (POSIX_FADV_DONTNEED):
          open_cold_s, and open_cold_read_bytes read from storage (/proc/self/io).
          libsourcemap: view.dump_memdb() to bytes (build_s), written to a file,
          View.from_memdb_file(path) (open_s), lookup_token on that view (lookup_ns); it
          segfaults on big maps. symbolic: SourceMapCache.from_bytes(minified_source,
          map) (build_s) and its lookup (1-based in and out, converted); Python can
          neither save nor open one, so cache_bytes and open_s are null. sourcemap: no
          cache. open_s has max(REPEAT, 20) samples, as the native worker's, each the
          mean of 10 opens in a row (time_batched).
  symbolicate  1,000 synthetic V8 traces of 30 frames (see make_traces), traces/s per
          pass over all of them. Both peers give, per frame, the original file, line,
          column, enclosing function name and 5 lines of context:
          mapback: one Symbolicator.symbolicate(text) call per trace, with a loader that
          serves the script and its map (parsing the trace, lookups, the enclosing
          function's name from the original source's scopes, or from the minified
          script's when the map has no sourcesContent, context lines: all native; the
          map is decoded once and kept by the symbolicator).
          symbolic: what Sentry's Python did around SourceMapView: a regex over the
          frames, a SourceMapView (and the minified SourceView) cached per URL,
          view.lookup(l, c, minified_name, minified_source_view) for the position and
          the original function name, and context from the source's SourceView
          (cached per source), long lines trimmed around the column as mapback does.
          symbolic names a function by finding the frame's minified name near the
          token in the minified source; the synthetic frames all say `fn`, so it
          names almost none (mapback's scopes do not need the minified name). The output says how many
          frames each mapped, named and gave context for.
  event  1,000 Sentry events of 30 frames (the symbolicate metric's positions, in
          Sentry's order, from Chrome), µs per event, warm; the output says how many frames
          each mapped, named and gave context for.
          mapback: the script and its map added to an artifact store (Store.add of their
          directory), Symbolicator.from_store; symbolicate_event(dict) -> dict (samples)
          and symbolicate_event_json(bytes) -> bytes (json_samples). Also, per process:
          ingest_s (Store.add into an empty store, fsync'd) and ingest_floor_s (parse +
          to_cache + a durable write of the cache), 3-10 samples; and 5 times a new
          symbolicator's first event (new Store, new Symbolicator, one event as JSON):
          cold_s with the store's files evicted from the page cache (fsync +
          POSIX_FADV_DONTNEED), cold_read_bytes read from storage meanwhile
          (/proc/self/io), first_s right after with the files cached.
          symbolic: one SourceMapCache built from the script and map and kept in memory,
          SourceMapCache.lookup(lineno, colno, 5) per frame, the event rebuilt in Python
          with the original frames and the frames as sent kept (as Sentry does).

Timed regions run with the garbage collector on, as callers have it, after a
gc.collect(), for every peer alike. A caught error prints {"error": "..."} and exits 2;
progress goes to stderr. libsourcemap 0.8.2 segfaults on some maps: the orchestrator
reports a signal as a crash.
"""

import array
import ctypes
import gc
import hashlib
import json
import os
import re
import sys
import tempfile
import time

clock = time.perf_counter_ns

TINY_MAP = b'{"version":3,"sources":["a.js"],"sourcesContent":["run()"],"names":["run"],"mappings":"AAAAA,IAAI"}'


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


class Fail(Exception):
    """An error the worker reports as {"error": ...}."""


# ---------------------------------------------------------------------- inputs

def read_bytes(path):
    with open(path, "rb") as handle:
        return handle.read()


def load_positions(path):
    """`line column` per text line, 0-based, as (line, column) tuples."""
    positions = []
    with open(path) as handle:
        for text in handle:
            line, column = text.split()
            positions.append((int(line), int(column)))
    if not positions:
        raise Fail("%s: no positions" % path)
    return positions


def generated_path(map_path):
    """The generated file the map describes: the map's path without `.map`."""
    if not map_path.endswith(".map"):
        raise Fail("%s: a map's file name ends with .map" % map_path)
    return map_path[: -len(".map")]


def map_id(map_path):
    """The map's id: its file name without `.map`."""
    return os.path.basename(generated_path(map_path))


# ---------------------------------------------------------------------- answers

def answers_hash(answers):
    """benches/README.md: one line per position, `original_line original_column name`
    (name `-` when absent) or `-` when nothing is found, 0-based, joined with `\\n`; the
    first 16 hex digits of the SHA-256 of that UTF-8 text."""
    lines = []
    for answer in answers:
        if answer is None:
            lines.append("-")
        else:
            line, column, name = answer
            lines.append("%d %d %s" % (line, column, "-" if name is None else name))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def count_segments(data):
    """Segments in `mappings`, summed over the sections of an index map (a cross-check
    of the peers' token counts, and the count for a peer that cannot say)."""
    def count(node):
        if "sections" in node:
            return sum(count(section.get("map") or {}) for section in node["sections"])
        total = 0
        for line in (node.get("mappings") or "").split(";"):
            total += sum(1 for segment in line.split(",") if segment)
        return total

    return count(json.loads(data))


# ---------------------------------------------------------------------- peers
#
# Each peer: parse(data) -> lookup-ready object; lookup_loop(obj) -> a function that
# runs one timed pass over the positions; answer(obj) -> a function (line, column) ->
# (original_line, original_column, name) | None, 0-based; tokens(obj).

class Mapback(object):
    name = "mapback"

    def __init__(self):
        import mapback
        self.mb = mapback

    def parse(self, data):
        return self.mb.SourceMap.from_bytes(data)

    @staticmethod
    def lookup_loop(sm):
        lookup = sm.lookup

        def run(positions):
            total = 0
            for line, column in positions:
                token = lookup(line, column)
                if token is not None and token.original_line is not None:
                    total += token.original_line + token.original_column
            return total

        return run

    @staticmethod
    def bare_call_loop(sm):
        """The lookup loop calling the C lookup directly through cffi, with out-parameters
        allocated once, and building no Token: what any cffi ABI-mode binding of this
        signature pays per call before its own work (the `cffi_call_ns` extra)."""
        from mapback._lowlevel import ffi, lib

        function = lib.mapback_sourcemap_lookup
        pointer = sm._pointer()
        out = ffi.new("mapback_token *")
        err = ffi.new("mapback_error *")
        options = ffi.NULL

        def run(positions):
            found = 0
            for line, column in positions:
                if function(pointer, line, column, options, out, err):
                    found += 1
            return found

        return run

    @staticmethod
    def request_call_loop(sm):
        """The same for `mapback_sourcemap_lookup_request`, the two-argument export that
        SourceMap.lookup calls (the `request_call_ns` extra): the position written into
        the request's words, the call, no Token. The floor of mapback's own design."""
        import array
        from mapback._lowlevel import ffi, lib

        function = getattr(lib, "mapback_sourcemap_lookup_request", None)
        if function is None:  # a mapback from before it (an A/B run against an old build)
            return None
        words = array.array("I", [0]) * 10
        buffer = ffi.from_buffer(words)
        request = ffi.cast("mapback_lookup_request *", buffer)
        request.map = sm._pointer()
        err = ffi.new("mapback_error *")

        def run(positions):
            found = 0
            for line, column in positions:
                words[3] = line
                words[4] = column
                if function(request, err):
                    found += 1
            return found

        run.keep = (sm, buffer)
        return run

    @staticmethod
    def answer(sm):
        def answer(line, column):
            token = sm.lookup(line, column)
            if token is None or token.original_line is None:
                return None  # nothing at or before the column, or a 1-field segment
            return (token.original_line, token.original_column, token.name)

        return answer

    @staticmethod
    def tokens(sm):
        return len(sm)


class SentryView(object):
    """What symbolic's SourceMapView and its ancestor libsourcemap's View share: a
    lookup method (named by `lookup_method`) giving tokens with src, src_line, src_col
    and name, 0-based, and len() as the token count."""

    lookup_method = None

    @classmethod
    def lookup_loop(cls, view):
        lookup = getattr(view, cls.lookup_method)

        def run(positions):
            total = 0
            for line, column in positions:
                token = lookup(line, column)
                if token is not None:
                    total += token.src_line + token.src_col
            return total

        return run

    @classmethod
    def answer(cls, view):
        lookup = getattr(view, cls.lookup_method)

        def answer(line, column):
            token = lookup(line, column)
            if token is None or token.src is None:
                return None  # a 1-field segment has no source (src_id u32::MAX)
            return (token.src_line, token.src_col, token.name)

        return answer

    @staticmethod
    def tokens(view):
        return len(view)


class Symbolic(SentryView):
    name = "symbolic"
    lookup_method = "lookup"

    def __init__(self):
        from symbolic import sourcemap
        self.sourcemap = sourcemap

    def parse(self, data):
        return self.sourcemap.SourceMapView.from_json_bytes(data)


class Libsourcemap(SentryView):
    name = "libsourcemap"
    lookup_method = "lookup_token"

    def __init__(self):
        import libsourcemap
        self.lsm = libsourcemap
        self.entry = None

    # The first parse (always an untimed warm-up) picks the entry point.
    chooses_on_first_parse = True

    def parse(self, data):
        """View.from_json; it refuses an index map (IndexedSourceMap), which the
        package's from_json() flattens into a View (when it has no external sections):
        that is used for index maps, so libsourcemap is measured on what it can read."""
        if self.entry is None:
            try:
                view = self.lsm.View.from_json(data)
                self.entry = self.lsm.View.from_json
                return view
            except self.lsm.IndexedSourceMap:
                self.entry = self.lsm.from_json
                log("libsourcemap: an index map, read with libsourcemap.from_json (flattened)")
        return self.entry(data)


class PureSourcemap(object):
    """sourcemap 0.2.1: `loads(str)` decodes every token into a Python object and builds
    a dict keyed on (line, column) plus a sorted column list per line; lookup is a dict
    hit or a bisect, 0-based in and out, and raises IndexError on a miss."""

    name = "sourcemap"

    def __init__(self):
        import sourcemap
        self.sourcemap = sourcemap

    @staticmethod
    def text(data):
        return data.decode("utf-8")

    def parse(self, text):
        try:
            return self.sourcemap.loads(text)
        except KeyError as error:
            if '"sections"' in text:
                raise Fail("sourcemap 0.2.1 does not read index maps (KeyError: %s)" % error)
            raise

    @staticmethod
    def lookup_loop(index):
        lookup = index.lookup

        def run(positions):
            total = 0
            for line, column in positions:
                try:
                    token = lookup(line, column)
                except IndexError:
                    continue
                total += token.src_line + token.src_col
            return total

        return run

    @staticmethod
    def answer(index):
        def answer(line, column):
            try:
                token = index.lookup(line, column)
            except IndexError:
                return None
            if token.src is None:
                return None  # a 1-field segment
            return (token.src_line, token.src_col, token.name)

        return answer

    @staticmethod
    def tokens(index):
        return len(index)


PEERS = {peer.name: peer for peer in (Mapback, Symbolic, Libsourcemap, PureSourcemap)}


def make_peer(name):
    if name not in PEERS:
        raise Fail("unknown peer %r (have: %s)" % (name, ", ".join(sorted(PEERS))))
    return PEERS[name]()


def parse_input(peer, data):
    """What the peer's parse takes (str for the pure-Python one), made outside any timed
    or measured region."""
    return peer.text(data) if hasattr(peer, "text") else data


# ---------------------------------------------------------------------- timing

def timed(run, *args):
    """(nanoseconds, result) of one call. The collector stays on, as it is for a caller
    (the pure-Python peer's parse allocates millions of tracked objects, and what the
    collector costs it is its users' cost); earlier garbage is collected first."""
    gc.collect()
    start = clock()
    result = run(*args)
    elapsed = clock() - start
    return elapsed, result


def time_each(repeat, run, *args):
    """Seconds per call of run(*args), `repeat` times; each result is dropped outside
    the timed span."""
    samples = []
    for _ in range(repeat):
        elapsed, result = timed(run, *args)
        del result
        samples.append(elapsed / 1e9)
    return samples


def time_batched(samples, batch, run, *args):
    """Seconds per call of run(*args), as `samples` samples of `batch` calls in a row,
    the results kept until the sample ends (their release is not timed). For calls of
    microseconds, where one gc.collect() before each call would time the collector's
    trail through the CPU caches instead (a 30-100 µs effect on a cache open)."""
    out = []
    for _ in range(samples):
        kept = []
        gc.collect()
        start = clock()
        for _ in range(batch):
            kept.append(run(*args))
        out.append((clock() - start) / 1e9 / batch)
        del kept
    return out


OPEN_BATCH = 10


def noop_loop(positions):
    """The lookup loop with a no-op in place of the lookup."""
    def nothing(line, column):
        return None

    total = 0
    for line, column in positions:
        token = nothing(line, column)
        if token is not None:
            total += 1
    return total


def per_position_ns(repeat, run, positions):
    samples = []
    for _ in range(repeat):
        elapsed, _ = timed(run, positions)
        samples.append(elapsed / len(positions))
    return samples


# ---------------------------------------------------------------------- metrics

def metric_parse(peer_name, map_path, repeat):
    peer = make_peer(peer_name)
    source = parse_input(peer, read_bytes(map_path))
    peer.parse(source)  # warm-up, and fail here with the peer's own error
    return {"unit": "s", "samples": time_each(repeat, peer.parse, source)}


def metric_lookup(peer_name, map_path, positions_path, repeat):
    peer = make_peer(peer_name)
    parsed = peer.parse(parse_input(peer, read_bytes(map_path)))
    positions = load_positions(positions_path)
    answer = peer.answer(parsed)
    answers = [answer(line, column) for line, column in positions]  # the warm-up pass
    run = peer.lookup_loop(parsed)
    noop_loop(positions)
    result = {
        "unit": "ns",
        "samples": per_position_ns(repeat, run, positions),
        "found": sum(1 for a in answers if a is not None),
        "answers_hash": answers_hash(answers),
        "python_loop_ns": per_position_ns(repeat, noop_loop, positions),
    }
    bare_call_loop = getattr(peer, "bare_call_loop", None)
    if bare_call_loop is not None:
        bare = bare_call_loop(parsed)
        bare(positions)  # warm-up
        result["cffi_call_ns"] = per_position_ns(repeat, bare, positions)
    request_call_loop = getattr(peer, "request_call_loop", None)
    request = request_call_loop(parsed) if request_call_loop is not None else None
    if request is not None:
        request(positions)  # warm-up
        result["request_call_ns"] = per_position_ns(repeat, request, positions)
    return result


def batch_call(sm, lines, columns):
    """mapback's columnar batch lookup (`lookup_batch`): one native call for all
    positions; the original lines and columns come back as arrays, read here as a bulk
    caller would."""
    batch = sm.lookup_batch(lines, columns)
    return batch, batch.original_line, batch.original_column


def metric_batch(peer_name, map_path, positions_path, repeat):
    if peer_name != "mapback":
        raise Fail("batch: only mapback has a batch lookup")
    peer = make_peer(peer_name)
    sm = peer.parse(read_bytes(map_path))
    positions = load_positions(positions_path)
    lines = array.array("I", (line for line, _ in positions))
    columns = array.array("I", (column for _, column in positions))
    batch = batch_call(sm, lines, columns)[0]  # warm-up
    tokens = (batch.token(i) for i in range(len(batch)))
    answers = [None if t is None or t.original_line is None
               else (t.original_line, t.original_column, t.name) for t in tokens]
    del batch
    samples = [s * 1e9 / len(positions) for s in time_each(repeat, batch_call, sm, lines, columns)]
    return {"unit": "ns", "samples": samples, "answers_hash": answers_hash(answers)}


# memory ---------------------------------------------------------------------------

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]


def heap_bytes_function():
    libc = ctypes.CDLL(None)
    try:
        mallinfo2 = libc.mallinfo2
    except AttributeError:
        raise Fail("memory: this libc has no mallinfo2() (glibc 2.33 or later needed)")
    mallinfo2.restype = Mallinfo2
    mallinfo2.argtypes = []

    def heap_bytes():
        info = mallinfo2()
        return info.uordblks + info.hblkhd

    return heap_bytes


def metric_memory(peer_name, map_path):
    if os.environ.get("PYTHONMALLOC") != "malloc":
        raise Fail("memory: run with PYTHONMALLOC=malloc")
    peer = make_peer(peer_name)
    heap_bytes = heap_bytes_function()
    # One-time allocations (cffi types, the libraries' statics, lookup paths) before
    # the baseline.
    tiny = peer.parse(parse_input(peer, TINY_MAP))
    peer.answer(tiny)(0, 4)
    peer.tokens(tiny)
    del tiny
    if getattr(peer, "chooses_on_first_parse", False):
        peer.entry = None  # chosen for the tiny map: choose for this one, unmeasured
        peer.parse(parse_input(peer, read_bytes(map_path)))
    gc.collect()
    before = heap_bytes()
    source = parse_input(peer, read_bytes(map_path))
    parsed = peer.parse(source)
    del source
    gc.collect()
    retained = heap_bytes() - before
    tokens = peer.tokens(parsed)
    result = {"retained_bytes": retained, "tokens": tokens,
              "bytes_per_token": retained / float(max(tokens, 1))}
    if peer_name == "mapback":
        result["native_heap_bytes"] = parsed.heap_size  # mapback's own count, for reference
    segments = count_segments(read_bytes(map_path))
    if segments != tokens:
        log("memory: %s says %d tokens, mappings has %d segments" % (peer_name, tokens, segments))
    return result


# cache ----------------------------------------------------------------------------

def cache_answer_hash(answer, positions):
    answers = [answer(line, column) for line, column in positions]
    return sum(1 for a in answers if a is not None), answers_hash(answers)


def metric_cache(peer_name, map_path, positions_path, repeat):
    peer = make_peer(peer_name)
    data = read_bytes(map_path)
    positions = load_positions(positions_path)
    opens = max(repeat, 20)  # opening is fast: more samples, as the native worker takes
    result = {"build_s": None, "cache_bytes": None, "open_s": None, "lookup_ns": None,
              "found": None, "answers_hash": None}
    if peer_name == "sourcemap":
        result["note"] = "sourcemap 0.2.1 has no cache format"
        return result
    with tempfile.TemporaryDirectory(prefix="mapback-bench-py-") as tmp:
        path = os.path.join(tmp, "map.cache")
        if peer_name == "mapback":
            sm = peer.parse(data)
            sm.to_cache()  # warm-up
            # build_s: to bytes in memory, as libsourcemap's dump_memdb is timed.
            result["build_s"] = time_each(repeat, sm.to_cache)
            sm.to_cache(path)
            del sm
            result["cache_bytes"] = os.path.getsize(path)
            open_cache = peer.mb.Cache.open
            result["open_s"] = time_batched(opens, OPEN_BATCH, open_cache, path)
            # The first open after the file left the page cache: how much it reads
            # from storage (the goal: O(1) pages, whatever the cache's size).
            result["open_cold_s"], result["open_cold_read_bytes"] = [], []
            for _ in range(5):
                evict_file(path)
                before = io_read_bytes()
                elapsed, opened = timed(open_cache, path)
                result["open_cold_read_bytes"].append(io_read_bytes() - before)
                result["open_cold_s"].append(elapsed / 1e9)
                del opened
            view = open_cache(path)
            result["found"], result["answers_hash"] = cache_answer_hash(Mapback.answer(view), positions)
            run = Mapback.lookup_loop(view)
        elif peer_name == "libsourcemap":
            view = peer.parse(data)
            view.dump_memdb(True, True)  # warm-up
            result["build_s"] = time_each(repeat, view.dump_memdb, True, True)
            memdb = view.dump_memdb(True, True)
            del view
            with open(path, "wb") as handle:
                handle.write(memdb)
            result["cache_bytes"] = len(memdb)
            del memdb
            bpath = path.encode()
            open_memdb = peer.lsm.View.from_memdb_file
            result["open_s"] = time_batched(opens, OPEN_BATCH, open_memdb, bpath)
            view = open_memdb(bpath)
            result["found"], result["answers_hash"] = cache_answer_hash(Libsourcemap.answer(view), positions)
            run = Libsourcemap.lookup_loop(view)
        elif peer_name == "symbolic":
            from symbolic.sourcemapcache import SourceMapCache
            minified = read_bytes(generated_path(map_path))
            SourceMapCache.from_bytes(minified, data)  # warm-up
            result["build_s"] = time_each(repeat, SourceMapCache.from_bytes, minified, data)
            view = SourceMapCache.from_bytes(minified, data)
            result["note"] = ("SourceMapCache is built in memory from the minified source and "
                              "the map; Python can neither save nor open one")
            lookup = view.lookup

            # SourceMapCache.lookup(line, col, context_lines) is 1-based in and out.
            def answer(line, column):
                token = lookup(line + 1, column + 1, 0)
                if token is None or token.src is None:
                    return None
                return (token.line - 1, token.col - 1, token.name)

            def run(positions):
                total = 0
                for line, column in positions:
                    token = lookup(line + 1, column + 1, 0)
                    if token is not None:
                        total += token.line + token.col
                return total

            result["found"], result["answers_hash"] = cache_answer_hash(answer, positions)
        else:
            raise Fail("unknown peer %r" % peer_name)
        run(positions)  # warm-up pass
        result["lookup_ns"] = per_position_ns(repeat, run, positions)
        del view
    return result


# symbolicate -------------------------------------------------------------------

TRACES = 1000
FRAMES = 30
BASE_URL = "https://bench.invalid/"
CONTEXT_LINES = 5
MAX_LINE_CHARS = 150  # mapback's default: longer context lines are cut around the column


def make_traces(positions, script):
    """1,000 V8 traces of 30 frames; trace k has positions k*30 .. k*30+29 (wrapping
    around), printed 1-based as Node and Chrome do."""
    url = BASE_URL + script + ".js"
    traces = []
    for k in range(TRACES):
        lines = ["Error: boom"]
        for j in range(FRAMES):
            line, column = positions[(k * FRAMES + j) % len(positions)]
            lines.append("    at fn (%s:%d:%d)" % (url, line + 1, column + 1))
        traces.append("\n".join(lines))
    return url, traces


def mapback_symbolicator(peer, url, generated, map_bytes):
    """A Symbolicator whose loader serves the generated file at the frames' URL and the
    map at any `.map` URL under https://bench.invalid/ (the script's sourceMappingURL
    names the map as its package did, e.g. pdf.mjs.map, resolved against the URL)."""
    def loader(requested):
        if requested == url:
            return generated
        if requested.startswith(BASE_URL) and requested.endswith(".map"):
            return map_bytes
        return None

    symbolicator = peer.mb.Symbolicator.from_loader(loader, context_lines=CONTEXT_LINES,
                                                     max_line_chars=MAX_LINE_CHARS)

    def symbolicate(trace):
        result = symbolicator.symbolicate(trace)
        return [(f.mapped, f.filename, f.lineno, f.colno, f.function, f.pre_context,
                 f.context_line, f.post_context) for f in result.frames]

    def errors():
        return list(symbolicator.loader_errors)

    return symbolicate, errors


# Sentry's V8 frame shape: `    at FUNCTION (URL:LINE:COLUMN)` or `    at URL:LINE:COLUMN`.
V8_FRAME = re.compile(r"^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?\s*$")


def trim_line(line, column):
    """A context line cut to MAX_LINE_CHARS around `column`, as mapback (and Sentry's
    trim_line) do for minified one-line sources."""
    if len(line) <= MAX_LINE_CHARS:
        return line
    start = max(0, min(column - MAX_LINE_CHARS // 2, len(line) - MAX_LINE_CHARS))
    return line[start:start + MAX_LINE_CHARS]


def symbolic_symbolicator(peer, url, generated, map_bytes):
    """Sentry-style symbolication with symbolic's SourceMapView, in Python."""
    from symbolic.sourcemap import SourceMapView, SourceView

    scripts = {}  # url -> (SourceMapView, SourceView of the minified script)
    sources = {}  # (url, source id) -> SourceView of the original source

    def fetch(requested):
        # The same files mapback's loader serves: the script, and its map.
        if requested != url:
            return None
        return SourceMapView.from_json_bytes(map_bytes), SourceView.from_bytes(generated)

    def symbolicate(trace):
        frames = []
        for text in trace.splitlines()[1:]:
            match = V8_FRAME.match(text)
            if match is None:
                continue
            function, frame_url, lineno, colno = match.groups()
            lineno, colno = int(lineno), int(colno)
            script = scripts.get(frame_url)
            if script is None:
                script = scripts[frame_url] = fetch(frame_url)
            if script is None:
                frames.append((False, frame_url, lineno, colno, function, [], None, []))
                continue
            view, minified = script
            if function:
                token = view.lookup(lineno - 1, colno - 1, function, minified)
            else:
                token = view.lookup(lineno - 1, colno - 1)
            if token is None or token.src is None:
                frames.append((False, frame_url, lineno, colno, function, [], None, []))
                continue
            key = (frame_url, token.src_id)
            source = sources.get(key)
            if source is None:
                source = sources[key] = view.get_sourceview(token.src_id)
            line = token.src_line
            pre, context, post = [], None, []
            if source is not None and line < len(source):
                column = token.src_col
                pre = [trim_line(t, column) for t in source[max(0, line - CONTEXT_LINES):line]]
                context = trim_line(source[line], column)
                post = [trim_line(t, column) for t in source[line + 1:line + 1 + CONTEXT_LINES]]
            # The original name when symbolic found one, else the minified name (Sentry).
            frames.append((True, token.src, line + 1, token.src_col + 1,
                           token.function_name or function, pre, context, post))
        return frames

    return symbolicate, lambda: []


def metric_symbolicate(peer_name, map_path, positions_path, repeat):
    peer = make_peer(peer_name)
    if peer_name == "mapback":
        build = mapback_symbolicator
    elif peer_name == "symbolic":
        build = symbolic_symbolicator
    else:
        raise Fail("symbolicate: only mapback and symbolic symbolicate traces")
    positions = load_positions(positions_path)
    url, traces = make_traces(positions, map_id(map_path))
    symbolicate, errors = build(peer, url, read_bytes(generated_path(map_path)),
                                read_bytes(map_path))

    def run(traces):
        return [symbolicate(trace) for trace in traces]

    results = run(traces)  # warm-up: loads and decodes the map, fills the caches
    frames = [frame for trace in results for frame in trace]
    if errors():
        raise Fail("symbolicate: loader errors: %s" % "; ".join(errors()))
    # What the output holds, so that readers can see both did the same work: frames
    # mapped, frames given an original function name (not the trace's "fn"), frames
    # with a context line (none when the map has no sourcesContent).
    mapped = sum(1 for f in frames if f[0])
    if not mapped:
        raise Fail("symbolicate: no frame was mapped")
    summary = {
        "frames": len(frames),
        "mapped_frames": mapped,
        "named_frames": sum(1 for f in frames if f[0] and f[4] not in (None, "fn")),
        "context_frames": sum(1 for f in frames if f[6] is not None),
    }
    del results, frames
    samples = []
    for _ in range(repeat):
        elapsed, _ = timed(run, traces)
        samples.append(len(traces) / (elapsed / 1e9))
    return dict({"unit": "traces/s", "samples": samples}, **summary)


# event ----------------------------------------------------------------------------

EVENTS = 1000


def make_events(positions, url, count=EVENTS):
    """1,000 (or ``count``) Sentry events of one exception with 30 frames each, built
    from the same positions as make_traces: SDK frames (1-based), in Sentry's order (the
    outermost caller first), from Chrome."""
    events = []
    for k in range(count):
        frames = []
        for j in range(FRAMES):
            line, column = positions[(k * FRAMES + j) % len(positions)]
            frames.append({"filename": url, "abs_path": url, "lineno": line + 1,
                           "colno": column + 1, "function": "fn", "in_app": True})
        frames.reverse()
        events.append({
            "event_id": "%032x" % k, "platform": "javascript", "level": "error",
            "sdk": {"name": "sentry.javascript.browser", "version": "11.19.0"},
            "contexts": {"browser": {"name": "Chrome", "version": "156.0.0"}},
            "exception": {"values": [{"type": "Error", "value": "boom",
                                      "stacktrace": {"frames": frames}}]},
        })
    return events


def store_directory(map_path):
    """A build output directory holding the generated file and its map, as a build
    step would upload them (copies: the store refuses symbolic links)."""
    import shutil
    directory = tempfile.mkdtemp(prefix="mapback-bench-dist-")
    shutil.copy(generated_path(map_path), directory)
    shutil.copy(map_path, directory)
    return directory


def io_read_bytes():
    """Bytes this process has read from storage (not from the page cache)."""
    with open("/proc/self/io") as handle:
        for line in handle:
            if line.startswith("read_bytes:"):
                return int(line.split()[1])
    return 0


def evict(directory):
    """Drops a directory's files from the page cache, as after a reboot or memory
    pressure."""
    for root, _, files in os.walk(directory):
        for name in files:
            evict_file(os.path.join(root, name))


def evict_file(path):
    """Drops one file from the page cache (fsync first: dirty pages are not dropped)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def event_summary(events):
    frames = [f for e in events for v in e["exception"]["values"]
              for f in v["stacktrace"]["frames"]]
    mapped = [f for f in frames if (f.get("data") or {}).get("symbolicated")]
    return {
        "frames": len(frames),
        "mapped_frames": len(mapped),
        "named_frames": sum(1 for f in mapped if f.get("function") not in (None, "fn")),
        "context_frames": sum(1 for f in mapped if f.get("context_line") is not None),
    }


def metric_event(peer_name, map_path, positions_path, repeat):
    """Sentry events from an artifact store (mapback) or SourceMapCache (symbolic)."""
    positions = load_positions(positions_path)
    url = BASE_URL + os.path.basename(generated_path(map_path))
    events = make_events(positions, url)
    texts = [json.dumps(e, separators=(",", ":")).encode("utf-8") for e in events]
    if peer_name == "mapback":
        return mapback_events(map_path, events, texts, repeat)
    if peer_name == "symbolic":
        return symbolic_events(map_path, events, repeat)
    raise Fail("event: only mapback and symbolic symbolicate events")


def mapback_events(map_path, events, texts, repeat):
    import shutil
    import mapback

    dist = store_directory(map_path)
    stores = []
    try:
        def new_store():
            path = tempfile.mkdtemp(prefix="mapback-bench-store-")
            stores.append(path)
            return path

        # Ingest: the directory into an empty store, against the floor of what it must
        # do at least: parse the map, build its cache, write it durably.
        map_bytes = read_bytes(map_path)

        def ingest():
            store = mapback.Store(new_store())
            summary = store.add(dist)
            store.close()
            return summary

        def floor():
            cache = mapback.SourceMap.from_bytes(map_bytes).to_cache()
            target = os.path.join(new_store(), "cache")
            with open(target, "wb") as handle:
                handle.write(cache)
                handle.flush()
                os.fsync(handle.fileno())

        summary = ingest()
        if not summary.get("added"):
            raise Fail("event: the store added no bundle: %r" % (summary,))
        ingest_s, floor_s = [], []
        for _ in range(max(3, min(repeat, 10))):
            ingest_s.append(timed(ingest)[0] / 1e9)
            floor_s.append(timed(floor)[0] / 1e9)
        store_path = stores[0]
        for path in stores[1:]:
            shutil.rmtree(path, ignore_errors=True)
        del stores[1:]

        # Cold: a new process's first event, the store's files evicted from the page
        # cache. Then the same with them cached: what is not page-ins.
        cold_s, cold_read, first_s = [], [], []
        for _ in range(5):
            evict(store_path)
            before = io_read_bytes()
            elapsed, _ = timed(lambda: mapback.Symbolicator.from_store(
                mapback.Store(store_path), context_lines=CONTEXT_LINES,
                max_line_chars=MAX_LINE_CHARS).symbolicate_event_json(texts[0]))
            cold_read.append(io_read_bytes() - before)
            cold_s.append(elapsed / 1e9)
            elapsed, _ = timed(lambda: mapback.Symbolicator.from_store(
                mapback.Store(store_path), context_lines=CONTEXT_LINES,
                max_line_chars=MAX_LINE_CHARS).symbolicate_event_json(texts[0]))
            first_s.append(elapsed / 1e9)

        symbolicator = mapback.Symbolicator.from_store(
            mapback.Store(store_path), context_lines=CONTEXT_LINES, max_line_chars=MAX_LINE_CHARS)
        results = [symbolicator.symbolicate_event(e) for e in events]  # warm-up
        summary = event_summary(results)
        if not summary["mapped_frames"]:
            raise Fail("event: no frame was mapped")
        as_json = [json.loads(symbolicator.symbolicate_event_json(t).decode("utf-8")) for t in texts]
        if as_json != results:
            raise Fail("event: the JSON form answered differently from the dict form")
        del results, as_json

        def run_dicts(events):
            return [symbolicator.symbolicate_event(e) for e in events]

        def run_texts(texts):
            return [symbolicator.symbolicate_event_json(t) for t in texts]

        samples, json_samples = [], []
        for _ in range(repeat):
            elapsed, _ = timed(run_dicts, events)
            samples.append(elapsed / 1e3 / len(events))
            elapsed, _ = timed(run_texts, texts)
            json_samples.append(elapsed / 1e3 / len(texts))
        return dict({"unit": "us", "samples": samples, "json_samples": json_samples,
                     "ingest_s": ingest_s, "ingest_floor_s": floor_s,
                     "cold_s": cold_s, "cold_read_bytes": cold_read, "first_s": first_s},
                    **summary)
    finally:
        shutil.rmtree(dist, ignore_errors=True)
        for path in stores:
            shutil.rmtree(path, ignore_errors=True)


def symbolic_events(map_path, events, repeat):
    """What a Python backend does with symbolic: one SourceMapCache per bundle, built
    once and kept in memory, a lookup per frame with 5 lines of context, and the event
    rebuilt with the original frames (the frames as sent kept, as Sentry does)."""
    import copy
    from symbolic.sourcemapcache import SourceMapCache

    cache = SourceMapCache.from_bytes(read_bytes(generated_path(map_path)), read_bytes(map_path))
    lookup = cache.lookup

    def symbolicate(event):
        out = dict(event)
        values = []
        for value in event["exception"]["values"]:
            sent = value["stacktrace"]["frames"]
            frames = []
            for frame in sent:
                token = lookup(frame["lineno"], frame["colno"], CONTEXT_LINES)
                new = dict(frame)
                data = {"symbolicated": token is not None and token.src is not None}
                if data["symbolicated"]:
                    context = token.context_line
                    new.update({
                        "filename": token.src, "abs_path": token.src, "lineno": token.line,
                        "colno": token.col, "function": token.function_name or frame["function"],
                        "context_line": None if context is None else trim_line(context.rstrip("\n"), token.col - 1),
                        "pre_context": [trim_line(t.rstrip("\n"), 0) for t in token.pre_context],
                        "post_context": [trim_line(t.rstrip("\n"), 0) for t in token.post_context],
                    })
                new["data"] = data
                frames.append(new)
            value = dict(value)
            value["raw_stacktrace"] = copy.deepcopy(value["stacktrace"])
            value["stacktrace"] = dict(value["stacktrace"], frames=frames)
            values.append(value)
        out["exception"] = dict(event["exception"], values=values)
        return out

    results = [symbolicate(e) for e in events]  # warm-up
    summary = event_summary(results)
    summary["named_frames"] = sum(
        1 for e in results for v in e["exception"]["values"] for f in v["stacktrace"]["frames"]
        if f["data"]["symbolicated"] and f.get("function") not in (None, "fn", "<unknown>"))
    del results

    def run(events):
        return [symbolicate(e) for e in events]

    samples = []
    for _ in range(repeat):
        elapsed, _ = timed(run, events)
        samples.append(elapsed / 1e3 / len(events))
    return dict({"unit": "us", "samples": samples}, **summary)


# ---------------------------------------------------------------------- main

def metric_compose(peer_name, outer_path, inner_path, repeat):
    """JSON texts in, composed JSON text out: parse both maps, compose, encode."""
    if peer_name != "mapback":
        raise Fail("compose: only mapback composes in Python")
    import mapback

    outer, inner = read_bytes(outer_path), read_bytes(inner_path)

    def run():
        chain = [mapback.SourceMap.from_bytes(outer), mapback.SourceMap.from_bytes(inner)]
        return mapback.compose(chain).to_json()

    size = len(run())
    return {"unit": "s", "samples": time_each(repeat, run), "output_bytes": size}


METRICS = {
    "parse": (metric_parse, ("PEER", "MAP", "REPEAT")),
    "lookup": (metric_lookup, ("PEER", "MAP", "POSITIONS", "REPEAT")),
    "memory": (metric_memory, ("PEER", "MAP")),
    "batch": (metric_batch, ("PEER", "MAP", "POSITIONS", "REPEAT")),
    "cache": (metric_cache, ("PEER", "MAP", "POSITIONS", "REPEAT")),
    "symbolicate": (metric_symbolicate, ("PEER", "MAP", "POSITIONS", "REPEAT")),
    "event": (metric_event, ("PEER", "MAP", "POSITIONS", "REPEAT")),
    "compose": (metric_compose, ("PEER", "OUTER", "INNER", "REPEAT")),
}


def describe(error):
    # libsourcemap's exceptions return bytes from __str__ (a Python 2 leftover), so
    # str() raises on Python 3: take their `message` attribute first.
    message = getattr(error, "message", None)
    if not isinstance(message, str):
        try:
            message = str(error)
        except Exception:  # noqa: BLE001
            message = repr(getattr(error, "args", ()))
    if isinstance(error, Fail):
        return message
    return "%s: %s" % (type(error).__name__, message)


def usage():
    return "usage: worker.py " + " | ".join(
        "%s %s" % (name, " ".join(args)) for name, (_, args) in METRICS.items())


def main(argv):
    if len(argv) < 1 or argv[0] not in METRICS:
        raise Fail(usage())
    function, names = METRICS[argv[0]]
    args = argv[1:]
    if len(args) != len(names):
        raise Fail(usage())
    if "REPEAT" in names:
        try:
            args[-1] = int(args[-1])
        except ValueError:
            raise Fail("REPEAT must be a number, not %r" % args[-1])
        if args[-1] < 1:
            raise Fail("REPEAT must be at least 1")
    return function(*args)


if __name__ == "__main__":
    if sys.argv[1:2] == ["memory"] and os.environ.get("PYTHONMALLOC") != "malloc":
        # Every allocation through glibc, so that mallinfo2() sees Python objects too.
        env = dict(os.environ, PYTHONMALLOC="malloc")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    try:
        output = main(sys.argv[1:])
        status = 0
    except Exception as error:  # noqa: BLE001 - reported on stdout as the protocol says
        output = {"error": describe(error)}
        status = 2
    sys.stdout.write(json.dumps(output) + "\n")
    sys.stdout.flush()
    sys.exit(status)
