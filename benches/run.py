#!/usr/bin/env python3
"""`make bench`: mapback beside every peer on real published source maps.

    python3 benches/run.py [--rounds R] [--maps M,...] [--metrics X,...] [--peers P,...]
                           [--quick] [--timeout S] [--no-setup] [--out DIR]

benches/README.md defines the layout, the inputs and the worker protocol. This script,
standard library only, for the system python3:

1. Setup, idempotent, each step printed: fetch.sh (the pinned maps, sha256-checked);
   benches/.venv (`python3 -m venv`, then `pip install -r python/requirements.txt` with
   PIP_FIND_LINKS empty, again only when that file changes); `npm ci` in node/ (when
   its lock file changes); `cargo build --release` of the native worker; a check that
   `make develop` has put python/mapback/libmapback.so in place.
2. Derived inputs in data/, rewritten only when what they are made from changes (the
   sha256 of the inputs, remembered with their size and mtime in data/derived.json):
   the index map of INDEX_PAIR, the `.nocontent.map` variants, and the positions files
   (`mapback-bench-native positions MAP 100000 42 OUT`).
3. A calibration pass (REPEAT=1, discarded) sizes REPEAT per (map, metric, peer) so
   the timed part of each process takes about TARGET_S; then R rounds. In a round, for
   each map and metric, every peer that has the metric runs once, in its own process,
   with a timeout, in an order that rotates from round to round.
4. Per (map, quantity, peer): the median of each process's samples, then the median
   and min-max over rounds. Ratios are taken round by round (mapback's value in round
   r over the peer's in round r), then their median. Writes bench.json, bench.md and
   bench.png (chart.py, with the venv's matplotlib) into results/, the goals and main
   tables into docs/benchmarks.md, and a three-line summary into the repository README,
   each between <!-- bench:start --> and <!-- bench:end -->.

The `inspect` metric is no comparison: benches/inspect_page.py makes each map's inspector
page and measures its size and its time to first render in headless chromium
(results/inspect.{md,json}, figures in docs/inspect.md).

--quick is a smoke run: 2 rounds, small REPEATs, results in results/quick/ and the
README and docs page left alone. Runs filtered with --maps/--metrics/--peers do not touch
them either (--readme forces it).
"""

import argparse
import collections
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
DATA = os.path.join(BENCH, "data")
VENV = os.path.join(BENCH, ".venv")
VPY = os.path.join(VENV, "bin", "python")
NATIVE_DIR = os.path.join(BENCH, "native")
NATIVE_BIN = os.path.join(NATIVE_DIR, "target", "release", "mapback-bench-native")
PYTHON_DIR = os.path.join(BENCH, "python")
PYTHON_WORKER = os.path.join(PYTHON_DIR, "worker.py")
REQUIREMENTS = os.path.join(PYTHON_DIR, "requirements.txt")
NODE_DIR = os.path.join(BENCH, "node")
NODE_WORKER = os.path.join(NODE_DIR, "worker.mjs")
NODE_LOCK = os.path.join(NODE_DIR, "package-lock.json")
MAPBACK_SO = os.path.join(REPO, "python", "mapback", "libmapback.so")
README = os.path.join(REPO, "README.md")
BENCH_PAGE = os.path.join(REPO, "docs", "benchmarks.md")
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"

POSITIONS_COUNT = 100000
POSITIONS_SEED = 42

# The maps fetch.sh extracts (id = file name without .map), smallest first, with the
# short names the tables use.
FETCHED_MAPS = [
    ("jquery-4.0.0.min.js", "jquery"),
    ("pdfjs-6.5.438.pdf.mjs", "pdf.mjs"),
    ("pdfjs-6.5.438.pdf.worker.mjs", "pdf.worker"),
    ("maplibre-gl-6.17.0.mjs", "maplibre"),
    ("babel-8.0.5.min.js", "babel.min"),
    ("babel-8.0.5.js", "babel"),
    ("mermaid-12.3.0.min.js", "mermaid"),
]
# The index map's two sections. pdf.mjs is an unminified ESM build (many short lines,
# 2.2 MB) and babel.min.js a minified one (a few very long lines, 6.5 MB): the index map
# joins both shapes that real maps have, at a mid-range size (8.7 MB), and both carry
# sourcesContent, so its .nocontent variant differs from it as the others do.
INDEX_PAIR = ("pdfjs-6.5.438.pdf.mjs", "babel-8.0.5.min.js")
INDEX_ID = "index-%s+%s" % INDEX_PAIR
INDEX_LABEL = "index"
MAPS = FETCHED_MAPS[:5] + [(INDEX_ID, INDEX_LABEL)] + FETCHED_MAPS[5:]

METRICS = ["parse", "lookup", "memory", "batch", "cache", "symbolicate", "event", "compose", "scale", "inspect"]
# `scale` is not a per-map, per-peer measurement: benches/python/scale.py runs once over
# every selected map (run_scale below), in .venv-scale (pyspark).
SCALE_SCRIPT = os.path.join(PYTHON_DIR, "scale.py")
SCALE_VENV = os.path.join(REPO, ".venv-scale")
SCALE_GOAL = 0.8  # events/s per core over the single process's, on 2 workers
# Not a peer comparison either: the inspector page of each map (benches/inspect_page.py).
PAGE_METRICS = {"inspect"}
LANGUAGES = {"native": "Rust", "python": "Python", "node": "Node"}


class Peer(object):
    def __init__(self, worker, name, metrics):
        self.worker = worker
        self.name = name
        self.metrics = metrics
        self.key = "%s:%s" % (worker, name)
        self.lang = LANGUAGES.get(worker, worker)
        self.label = "%s (%s)" % (name, self.lang)

    def __repr__(self):
        return self.key


PEERS = [
    Peer("native", "mapback", {"parse", "lookup", "memory", "cache", "compose"}),
    Peer("native", "sourcemap", {"parse", "lookup", "memory"}),
    Peer("native", "oxc", {"parse", "lookup", "memory"}),
    Peer("native", "srcmap", {"parse", "lookup", "memory"}),
    Peer("native", "floor-read", {"parse"}),
    Peer("native", "floor-json", {"parse"}),
    Peer("native", "floor-vlq", {"parse"}),
    Peer("python", "mapback", {"parse", "lookup", "memory", "batch", "cache", "symbolicate", "event",
                                "compose"}),
    Peer("python", "symbolic", {"parse", "lookup", "memory", "cache", "symbolicate", "event"}),
    Peer("python", "libsourcemap", {"parse", "lookup", "memory", "cache"}),
    Peer("python", "sourcemap", {"parse", "lookup", "memory"}),
    Peer("node", "trace-mapping", {"parse", "lookup", "memory"}),
    Peer("node", "source-map", {"parse", "lookup", "memory"}),
    Peer("node", "remapping", {"compose"}),
]
# Not a process: the floor's JSON parse plus its VLQ decode, summed round by round.
FLOOR = Peer("native", "floor-json+vlq", set())
FLOOR.label = "floor json+vlq (Rust)"


def median(values):
    return statistics.median(values) if values else None


def worker_command(peer, metric, args):
    """The argv and extra environment of one measurement."""
    if peer.worker == "native":
        if metric == "cache":  # the native cache metric has no PEER argument
            return [NATIVE_BIN, metric] + args, {}
        return [NATIVE_BIN, metric, peer.name] + args, {}
    if peer.worker == "python":
        env = {"PYTHONPATH": os.path.join(REPO, "python")}
        if metric == "memory":
            env["PYTHONMALLOC"] = "malloc"
        return [VPY, PYTHON_WORKER, metric, peer.name] + args, env
    if peer.worker == "node":
        return ["node", "--expose-gc", NODE_WORKER, metric, peer.name] + args, {}
    raise ValueError("unknown worker %r" % peer.worker)


# Which workers can run, and why not: filled by check_workers().
WORKERS = {}


def check_workers():
    WORKERS["native"] = None if os.access(NATIVE_BIN, os.X_OK) else "%s is not built" % NATIVE_BIN
    if not os.path.exists(PYTHON_WORKER):
        WORKERS["python"] = "benches/python/worker.py is missing"
    elif not os.path.exists(VPY):
        WORKERS["python"] = "benches/.venv is missing"
    else:
        WORKERS["python"] = None
    if not os.path.exists(NODE_WORKER):
        WORKERS["node"] = "benches/node/worker.mjs is missing"
    elif shutil.which("node") is None:
        WORKERS["node"] = "node is not installed"
    elif not os.path.isdir(os.path.join(NODE_DIR, "node_modules")):
        WORKERS["node"] = "benches/node/node_modules is missing (npm ci)"
    else:
        WORKERS["node"] = None


# ---------------------------------------------------------------------- quantities
#
# What a table shows. A metric's process gives one or more quantities, each reduced to
# one value per process (the median of its samples). Every quantity is "lower is
# better", so that every ratio below 1 means mapback is faster or smaller.

QUANTITIES = collections.OrderedDict([
    ("parse", ("Parse to a lookup-ready map", "ms")),
    ("lookup", ("Lookup, one call per position", "ns per call")),
    ("memory", ("Retained memory (map without sourcesContent)", "bytes per token")),
    ("batch", ("Batch lookup, one call for all positions", "ns per position")),
    ("cache_open", ("Cache: open from a file", "µs")),
    ("cache_open_bytes", ("Cache: open from bytes in memory", "µs")),
    ("cache_open_cold", ("Cache: first open of the file, evicted from the page cache", "µs")),
    ("cache_open_cold_read", ("Cache: bytes that first open read from storage", "KiB")),
    ("cache_lookup", ("Cache: lookup, one call per position", "ns per call")),
    ("cache_build", ("Cache: build from the parsed map", "ms")),
    ("cache_size", ("Cache: size over the JSON map's size", "× JSON")),
    ("symbolicate", ("Symbolicate V8 traces of 30 frames (positions, names, 5 context lines)",
                     "µs per trace")),
    ("event", ("Symbolicate a Sentry event of 30 frames from an artifact store, warm "
               "(dict in, dict out; symbolic: SourceMapCache kept in memory)", "µs per event")),
    ("event_json", ("Symbolicate a Sentry event of 30 frames, warm, JSON bytes in and out",
                    "µs per event")),
    ("event_first", ("First event of a new symbolicator, store files in the page cache", "µs")),
    ("event_cold", ("First event of a new symbolicator, store files evicted from the page cache",
                    "µs")),
    ("event_cold_read", ("Bytes read from storage by that cold first event", "KiB")),
    ("ingest", ("Store ingest of the script and its map (fsync'd)", "ms")),
    ("ingest_over_floor", ("Store ingest over parse + cache build + durable write of the cache",
                           "×")),
    ("compose", ("Compose: the map of the bundle minified again (esbuild) through the "
                 "bundle's own map, JSON in, JSON out", "ms")),
])
MAIN_QUANTITIES = ["parse", "lookup", "memory"]  # docs/benchmarks.md shows these


def process_values(metric, result, json_bytes):
    """The quantities of one successful process."""
    def med(field, scale=1.0):
        samples = result.get(field)
        if not samples:
            return None
        return median(samples) * scale

    if metric == "parse":
        return {"parse": med("samples", 1e3)}
    if metric == "lookup":
        return {"lookup": med("samples")}
    if metric == "memory":
        return {"memory": result.get("bytes_per_token")}
    if metric == "batch":
        return {"batch": med("samples")}
    if metric == "cache":
        size = result.get("cache_bytes")
        return {
            "cache_open": med("open_file_s", 1e6) if "open_file_s" in result else med("open_s", 1e6),
            "cache_open_bytes": med("open_bytes_s", 1e6),
            "cache_open_cold": med("open_cold_s", 1e6),
            "cache_open_cold_read": med("open_cold_read_bytes", 1 / 1024.0),
            "cache_lookup": med("lookup_ns"),
            "cache_build": med("build_s", 1e3),
            "cache_size": size / float(json_bytes) if size is not None and json_bytes else None,
        }
    if metric == "symbolicate":
        samples = result.get("samples")
        return {"symbolicate": median([1e6 / s for s in samples]) if samples else None}
    if metric == "event":
        values = {"event": med("samples"), "event_json": med("json_samples")}
        if result.get("ingest_s"):
            values.update({
                "event_first": med("first_s", 1e6),
                "event_cold": med("cold_s", 1e6),
                "event_cold_read": med("cold_read_bytes", 1 / 1024.0),
                "ingest": med("ingest_s", 1e3),
                "ingest_over_floor": med("ingest_s") / med("ingest_floor_s"),
            })
        return values
    if metric == "compose":
        return {"compose": med("samples", 1e3)}
    raise ValueError(metric)


def seconds_per_repeat(metric, result, positions):
    """How long one repetition took in a process: what REPEAT is sized from."""
    def med(field):
        samples = result.get(field)
        return median(samples) if samples else 0.0

    if metric in ("parse", "compose"):
        return med("samples")
    if metric in ("lookup", "batch"):
        # Each repetition also runs the worker's floor loops (no-op call, bare cffi call).
        return (med("samples") + med("python_loop_ns") + med("cffi_call_ns")
                + med("request_call_ns")) * positions / 1e9
    if metric == "cache":
        opens = med("open_s") + med("open_file_s") + med("open_bytes_s")
        return med("build_s") + med("lookup_ns") * positions / 1e9 + opens
    if metric == "symbolicate":
        traces = result.get("frames", 30000) / 30.0
        return traces / med("samples") if result.get("samples") else 0.0
    if metric == "event":
        # Each repetition runs the 1,000 events twice (dicts, then JSON).
        return (med("samples") + med("json_samples")) * result.get("frames", 30000) / 30.0 / 1e6
    return 0.0


# ---------------------------------------------------------------------- running

def sh(cmd, cwd=None, env=None, check=True):
    """Runs a setup command with its output going straight to the terminal."""
    print("  $ " + " ".join(cmd), flush=True)
    full_env = dict(os.environ, **(env or {}))
    code = subprocess.call(cmd, cwd=cwd, env=full_env)
    if check and code != 0:
        sys.exit("run.py: `%s` failed with status %d" % (" ".join(cmd), code))
    return code


def signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return "signal %d" % number


def run_process(cmd, extra_env, timeout):
    """One measurement: (status, result, wall seconds, return code, stderr tail).
    status is "ok", "timeout", "crash (SIGxxx)" or "error: message"."""
    env = dict(os.environ, **extra_env)
    start = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                cwd=BENCH, start_new_session=True)
    except OSError as error:
        return "error: %s" % error, None, 0.0, None, ""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        return "timeout", None, time.monotonic() - start, None, tail(err)
    except BaseException:
        # Ctrl-C: the worker is in its own session, so the terminal did not signal it.
        kill_group(proc)
        proc.wait()
        raise
    wall = time.monotonic() - start
    code = proc.returncode
    result = None
    lines = [line for line in out.decode("utf-8", "replace").splitlines() if line.strip()]
    if lines:
        try:
            result = json.loads(lines[-1])
        except ValueError:
            result = None
        if not isinstance(result, dict):
            result = None
    if code < 0:
        return "crash (%s)" % signal_name(-code), result, wall, code, tail(err)
    if result is not None and "error" in result:
        # The first line only (libsourcemap appends a whole backtrace); bench.json keeps
        # the worker's output.
        message = (str(result["error"]).strip().splitlines() or [""])[0]
        return "error: %s" % short(message, 300), result, wall, code, tail(err)
    if code != 0:
        last = tail(err).strip().splitlines()
        return ("error: exit status %d%s" % (code, ": " + last[-1] if last else ""),
                result, wall, code, tail(err))
    if result is None:
        return "error: no JSON line on stdout", None, wall, code, tail(err)
    return "ok", result, wall, code, ""


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker and anything it started
    except ProcessLookupError:
        pass


def tail(data, limit=2000):
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else (data or "")
    return text[-limit:]


def summarize_lists(result):
    """bench.json keeps each list of samples as n, median, min and max (some processes
    take tens of thousands of samples)."""
    if result is None:
        return None
    out = {}
    for key, value in result.items():
        if isinstance(value, list) and value and all(isinstance(v, (int, float)) for v in value):
            out[key] = {"n": len(value), "median": median(value), "min": min(value), "max": max(value)}
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------- setup

def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def setup(args, metrics):
    print("== setup", flush=True)
    started = time.monotonic()
    if "scale" in metrics:
        print("- scale: .venv-scale (tests/scale/requirements.txt: pyspark) and Java 17", flush=True)
        sh(["make", "-C", REPO, "--no-print-directory", ".venv-scale/.installed"])
        sh(["bash", os.path.join(REPO, "tests", "scale", "ensure-java.sh")])

    print("- maps: benches/fetch.sh (pinned npm tarballs, sha256-checked)", flush=True)
    sh(["bash", os.path.join(BENCH, "fetch.sh")])

    print("- Python peers: benches/.venv", flush=True)
    if not os.path.exists(REQUIREMENTS):
        print("  benches/python/requirements.txt is missing: the Python peers are skipped")
    else:
        if not os.path.exists(VPY):
            sh([sys.executable, "-m", "venv", VENV])
        stamp = os.path.join(VENV, ".requirements.sha256")
        wanted = file_sha256(REQUIREMENTS)
        if read_text(stamp).strip() == wanted:
            print("  up to date with benches/python/requirements.txt")
        else:
            sh([VPY, "-m", "pip", "install", "--quiet", "-r", REQUIREMENTS],
               env={"PIP_FIND_LINKS": "", "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
            write_text(stamp, wanted + "\n")

    print("- Node peers: npm ci in benches/node", flush=True)
    if not os.path.exists(NODE_LOCK):
        print("  benches/node/package-lock.json is missing: the Node peers are skipped")
    elif shutil.which("npm") is None:
        print("  npm is not installed: the Node peers are skipped")
    else:
        stamp = os.path.join(NODE_DIR, "node_modules", ".mapback-bench-lock.sha256")
        wanted = file_sha256(NODE_LOCK)
        if read_text(stamp).strip() == wanted or node_modules_match_lock():
            print("  up to date with benches/node/package-lock.json")
        else:
            sh(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR)
            write_text(stamp, wanted + "\n")

    print("- native worker: cargo build --release", flush=True)
    sh(["cargo", "build", "--release", "--manifest-path", os.path.join(NATIVE_DIR, "Cargo.toml")])

    print("- mapback's Python package (make develop)", flush=True)
    check_mapback_package()
    print("  setup took %.1f s" % (time.monotonic() - started), flush=True)


def node_modules_match_lock():
    """Whether node_modules holds what package-lock.json pins (npm's own record of what
    it installed, node_modules/.package-lock.json, has the same packages), so that an
    `npm ci` someone already ran is not repeated."""
    def packages(path):
        try:
            with open(path) as handle:
                listed = json.load(handle).get("packages", {})
        except (OSError, ValueError):
            return None
        return {k: (v.get("version"), v.get("integrity")) for k, v in listed.items() if k}

    wanted = packages(NODE_LOCK)
    return bool(wanted) and wanted == packages(os.path.join(NODE_DIR, "node_modules", ".package-lock.json"))


def check_mapback_package():
    built = os.path.join(REPO, "target", "release", "libmapback.so")
    if not os.path.exists(MAPBACK_SO):
        print("  WARNING: python/mapback/libmapback.so is missing: run `make develop` "
              "(`make bench` does). The mapback (Python) rows will be errors.", flush=True)
    elif os.path.exists(built) and os.path.getmtime(built) > os.path.getmtime(MAPBACK_SO):
        print("  WARNING: python/mapback/libmapback.so is older than %s: run `make develop`"
              % os.path.relpath(built, REPO), flush=True)
    else:
        print("  python/mapback/libmapback.so is there", flush=True)


def read_text(path):
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return ""


def write_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------------- derived inputs

class Derived(object):
    """data/derived.json: the sha256 of every input (with the size and mtime it was
    computed at, so an unchanged file is not hashed again), the key each output was
    made from, and what run.py learnt about each map (token count, ...)."""

    RECIPE = "derived-v1"

    def __init__(self):
        self.path = os.path.join(DATA, "derived.json")
        try:
            with open(self.path) as handle:
                state = json.load(handle)
        except (OSError, ValueError):
            state = {}
        self.hashes = state.get("hashes", {})
        self.outputs = state.get("outputs", {})
        self.info = state.get("info", {})

    def save(self):
        write_text(self.path, json.dumps({"hashes": self.hashes, "outputs": self.outputs,
                                          "info": self.info}, indent=1, sort_keys=True))

    def sha256(self, path):
        stat = os.stat(path)
        name = os.path.basename(path)
        known = self.hashes.get(name)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            return known[2]
        digest = file_sha256(path)
        self.hashes[name] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest

    def key(self, inputs, recipe):
        parts = [self.RECIPE, recipe] + [self.sha256(p) for p in inputs]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def fresh(self, outputs, key):
        return all(os.path.exists(o) and self.outputs.get(os.path.basename(o)) == key
                   for o in outputs)

    def made(self, outputs, key):
        for o in outputs:
            self.outputs[os.path.basename(o)] = key
        self.save()


def map_path(map_id):
    return os.path.join(DATA, map_id + ".map")


def nocontent_path(map_id):
    return os.path.join(DATA, map_id + ".nocontent.map")


def positions_path(map_id):
    return os.path.join(DATA, map_id + ".positions")


def reminified_path(map_id):
    """The compose benchmark's outer step: the bundle minified again by esbuild."""
    return os.path.join(DATA, map_id + ".reminified.js")


def write_reminified(derived, map_id):
    source = os.path.join(DATA, map_id)
    outputs = [reminified_path(map_id), reminified_path(map_id) + ".map"]
    key = derived.key([source, os.path.join(NODE_DIR, "reminify.mjs"), NODE_LOCK], "reminify")
    if derived.fresh(outputs, key):
        return False
    proc = subprocess.run(["node", os.path.join(NODE_DIR, "reminify.mjs"), source, outputs[0]],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        sys.exit("run.py: reminify of %s failed: %s" % (map_id, proc.stdout.decode().strip()))
    derived.made(outputs, key)
    return True


def write_index_map(derived):
    """data/index-<a>+<b>.map, and its generated file <a> + "\\n" + <b>. The section maps
    are the originals' bytes, unchanged."""
    a, b = INDEX_PAIR
    inputs = [map_path(a), os.path.join(DATA, a), map_path(b), os.path.join(DATA, b)]
    outputs = [map_path(INDEX_ID), os.path.join(DATA, INDEX_ID)]
    key = derived.key(inputs, "index")
    if derived.fresh(outputs, key):
        print("  %s: up to date" % os.path.basename(outputs[0]))
        return
    with open(os.path.join(DATA, a), "rb") as handle:
        generated_a = handle.read()
    with open(os.path.join(DATA, b), "rb") as handle:
        generated_b = handle.read()
    sections = []
    for path in (map_path(a), map_path(b)):
        with open(path, "rb") as handle:
            text = handle.read()
        parsed = json.loads(text.decode("utf-8"))  # a plain JSON object, not an index map
        if not isinstance(parsed, dict) or "sections" in parsed:
            sys.exit("run.py: %s cannot be a section of an index map" % path)
        sections.append(text.strip())
    # Map b starts on the line after a's last line: the generated file is a, "\n", b.
    b_line = generated_a.count(b"\n") + 1
    index = (b'{"version":3,"file":"' + INDEX_ID.encode() + b'","sections":['
             b'{"offset":{"line":0,"column":0},"map":' + sections[0] + b"},"
             b'{"offset":{"line":' + str(b_line).encode() + b',"column":0},"map":'
             + sections[1] + b"}]}\n")
    json.loads(index.decode("utf-8"))
    write_bytes(outputs[0], index)
    write_bytes(outputs[1], generated_a + b"\n" + generated_b)
    derived.made(outputs, key)
    print("  %s: written (%d bytes; section 2 at line %d)" % (os.path.basename(outputs[0]),
                                                             len(index), b_line))


def write_bytes(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def write_nocontent(derived, map_id):
    source, output = map_path(map_id), nocontent_path(map_id)
    key = derived.key([source], "nocontent")
    if derived.fresh([output], key):
        return False
    with open(source, "rb") as handle:
        parsed = json.loads(handle.read().decode("utf-8"))

    def strip(node):
        node.pop("sourcesContent", None)
        for section in node.get("sections") or []:
            if isinstance(section.get("map"), dict):
                strip(section["map"])

    strip(parsed)
    try:
        data = json.dumps(parsed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in a name: keep it escaped
        data = json.dumps(parsed, separators=(",", ":")).encode("utf-8")
    write_bytes(output, data)
    derived.made([output], key)
    return True


def write_positions(derived, map_id):
    source, output = map_path(map_id), positions_path(map_id)
    key = derived.key([source], "positions %d %d" % (POSITIONS_COUNT, POSITIONS_SEED))
    if derived.fresh([output], key) and map_id in derived.info:
        return False
    proc = subprocess.run([NATIVE_BIN, "positions", source, str(POSITIONS_COUNT),
                           str(POSITIONS_SEED), output], stdout=subprocess.PIPE)
    if proc.returncode != 0:
        sys.exit("run.py: positions for %s failed: %s" % (map_id, proc.stdout.decode().strip()))
    told = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    with open(source, "rb") as handle:
        parsed = json.loads(handle.read().decode("utf-8"))
    derived.info[map_id] = {
        "json_bytes": os.path.getsize(source),
        "tokens": told["tokens"],
        "sections": len(parsed.get("sections") or []) or 1,
        "has_sources_content": bool(parsed.get("sourcesContent")) or any(
            bool((s.get("map") or {}).get("sourcesContent")) for s in parsed.get("sections") or []),
        "sources": sum(len((s.get("map") or {}).get("sources") or []) for s in parsed.get("sections"))
        if parsed.get("sections") else len(parsed.get("sources") or []),
    }
    derived.made([output], key)
    return True


def derive_inputs(maps, metrics):
    print("== derived inputs (data/)", flush=True)
    if WORKERS.get("native"):
        sys.exit("run.py: the positions need the native worker: %s" % WORKERS["native"])
    derived = Derived()
    if any(m == INDEX_ID for m, _ in maps):
        write_index_map(derived)
    for map_id, label in maps:
        if not os.path.exists(map_path(map_id)):
            sys.exit("run.py: %s is missing (fetch.sh writes it)" % map_path(map_id))
        wrote = []
        if write_nocontent(derived, map_id):
            wrote.append("nocontent")
        if write_positions(derived, map_id):
            wrote.append("positions")
        if map_id != INDEX_ID and "compose" in metrics and write_reminified(derived, map_id):
            wrote.append("reminified")
        print("  %-10s %s" % (label, ("wrote " + ", ".join(wrote)) if wrote else "up to date"),
              flush=True)
    derived.save()
    return derived.info


# ---------------------------------------------------------------------- rounds

class Settings(object):
    def __init__(self, args):
        self.rounds = args.rounds if args.rounds is not None else (2 if args.quick else 5)
        self.quick = args.quick
        # The timed part of each process: REPEAT = TARGET_S / (one repetition's time).
        self.target_s = 0.05 if args.quick else 0.5
        self.max_repeat = 20 if args.quick else 100000
        self.timeout = args.timeout if args.timeout is not None else (120 if args.quick else 600)


def metric_args(metric, map_id, repeat):
    if metric == "compose":
        return [reminified_path(map_id) + ".map", map_path(map_id), str(repeat)]
    if metric == "parse":
        return [map_path(map_id), str(repeat)]
    if metric == "memory":
        return [nocontent_path(map_id)]
    return [map_path(map_id), positions_path(map_id), str(repeat)]


def measure(peer, metric, map_id, repeat, settings, info):
    cmd, env = worker_command(peer, metric, metric_args(metric, map_id, repeat))
    status, result, wall, code, err = run_process(cmd, env, settings.timeout)
    record = {
        "peer": peer.key, "metric": metric, "map": map_id, "repeat": repeat,
        "status": status, "wall_s": round(wall, 3), "returncode": code,
        "command": [os.path.relpath(c, REPO) if c.startswith(REPO + os.sep) else c for c in cmd],
    }
    if status == "ok" or result is not None:
        # A crashed or failed process keeps whatever it printed.
        values = process_values(metric, result, info.get(map_id, {}).get("json_bytes")) \
            if status == "ok" else {}
        record["values"] = {k: v for k, v in values.items() if v is not None}
        record["result"] = summarize_lists(result)
    if status != "ok":
        record["stderr_tail"] = err
    return record, result


def describe_values(record):
    values = record.get("values") or {}
    parts = []
    for quantity, value in values.items():
        unit = QUANTITIES[quantity][1]
        parts.append("%s %s %s" % (quantity, number(value), unit))
    return "; ".join(parts)


def rotated(items, shift):
    if not items:
        return items
    shift %= len(items)
    return items[shift:] + items[:shift]


def plan(maps, metrics, peers):
    """[(map_id, label, metric, [peers])] in run order."""
    tasks = []
    for map_id, label in maps:
        for metric in metrics:
            if metric == "compose" and map_id == INDEX_ID:
                continue  # the index map's generated file is two bundles; compose the parts
            chosen = [p for p in peers if metric in p.metrics]
            if chosen:
                tasks.append((map_id, label, metric, chosen))
    return tasks


def run_rounds(tasks, settings, info):
    """The calibration pass, then the rounds: (records, repeats, skipped, interrupted)."""
    records = []
    repeats = {}
    skip = {}  # (map, metric, peer) -> status: what failed for good in calibration
    estimate = 0.0  # seconds per round, from the calibration
    total = sum(len(t[3]) for t in tasks)
    print("== calibration: %d processes with REPEAT=1 (results discarded), target %.2f s "
          "of timed work per process" % (total, settings.target_s), flush=True)
    try:
        for map_id, label, metric, peers in tasks:
            positions = info[map_id]["positions"]
            for peer in peers:
                key = (map_id, metric, peer.key)
                if metric == "memory":
                    repeats[key] = None  # one measurement per process, no REPEAT
                    estimate += 1.0
                    continue
                record, result = measure(peer, metric, map_id, 1, settings, info)
                record["round"] = "calibration"
                records.append(record)
                if record["status"] == "ok":
                    per = seconds_per_repeat(metric, result, positions)
                    wanted = int(round(settings.target_s / per)) if per > 0 else settings.max_repeat
                    repeats[key] = max(1, min(settings.max_repeat, wanted))
                    note = "%.3g s per repetition -> REPEAT %d" % (per, repeats[key])
                    estimate += record["wall_s"] + per * (repeats[key] - 1)
                else:
                    repeats[key] = 1
                    estimate += record["wall_s"]
                    note = record["status"]
                    if not record["status"].startswith("crash"):
                        skip[key] = record["status"]  # errors and timeouts are not retried
                        note += " (not run in the rounds)"
                print("  %-10s %-11s %-24s %s" % (label, metric, peer.label, short(note, 110)),
                      flush=True)
        print("== about %s per round, %s for %d rounds (from the calibration)" % (
            duration(estimate), duration(estimate * settings.rounds), settings.rounds), flush=True)
        for r in range(settings.rounds):
            print("== round %d/%d" % (r + 1, settings.rounds), flush=True)
            started = time.monotonic()
            for map_id, label, metric, peers in tasks:
                for peer in rotated(peers, r):
                    key = (map_id, metric, peer.key)
                    if key in skip:
                        continue
                    record, _ = measure(peer, metric, map_id, repeats[key], settings, info)
                    record["round"] = r
                    records.append(record)
                    shown = describe_values(record) if record["status"] == "ok" else record["status"]
                    print("  %-10s %-11s %-24s %-7s %5.1f s  %s" % (
                        label, metric, peer.label,
                        "" if repeats[key] is None else "x%d" % repeats[key],
                        record["wall_s"], short(shown, 100)), flush=True)
            print("  round %d took %.0f s" % (r + 1, time.monotonic() - started), flush=True)
    except KeyboardInterrupt:
        print("\nrun.py: interrupted; writing what was measured", flush=True)
        return records, repeats, skip, True
    return records, repeats, skip, False


def duration(seconds):
    return "%.0f s" % seconds if seconds < 120 else "%.0f min" % (seconds / 60)


def short(text, limit):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ---------------------------------------------------------------------- results

class Results(object):
    """The per-round values, reduced."""

    def __init__(self, records, maps, peers, skip, rounds):
        self.maps = maps
        self.peers = peers
        self.rounds = rounds
        # (map, quantity, peer key) -> {round: value}
        self.values = collections.defaultdict(dict)
        # (map, metric, peer key) -> Counter of failure statuses over the rounds
        self.failures = collections.defaultdict(collections.Counter)
        self.hashes = collections.defaultdict(collections.Counter)  # (map, peer, metric)
        self.found = {}
        self.extra = collections.defaultdict(dict)  # (map, peer, field) -> {round: value}
        # Errors and timeouts of the calibration run: not run again in the rounds.
        self.skipped = set(skip)
        for key, status in skip.items():
            self.failures[key][status] += 1
        for record in records:
            if record["round"] == "calibration":
                continue
            key = (record["map"], record["metric"], record["peer"])
            if record["status"] != "ok":
                self.failures[key][record["status"]] += 1
                continue
            for quantity, value in record.get("values", {}).items():
                self.values[(record["map"], quantity, record["peer"])][record["round"]] = value
            result = record.get("result") or {}
            if result.get("answers_hash"):
                self.hashes[(record["map"], record["peer"], record["metric"])][result["answers_hash"]] += 1
                self.found[(record["map"], record["peer"], record["metric"])] = result.get("found")
            # The Python lookup worker's floors: the same loop with a no-op, and with the
            # bare cffi call.
            extras = ("python_loop_ns", "cffi_call_ns", "request_call_ns") \
                if record["metric"] == "lookup" else ()
            for extra in extras:
                if isinstance(result.get(extra), dict):
                    self.extra[(record["map"], record["peer"], extra)][record["round"]] = \
                        result[extra]["median"]
        # The floor row: JSON parse + VLQ decode, summed round by round.
        for map_id, _ in maps:
            json_rounds = self.values.get((map_id, "parse", "native:floor-json"), {})
            vlq_rounds = self.values.get((map_id, "parse", "native:floor-vlq"), {})
            summed = {r: json_rounds[r] + vlq_rounds[r] for r in json_rounds if r in vlq_rounds}
            if summed:
                self.values[(map_id, "parse", FLOOR.key)] = summed

    def extra_median(self, map_id, peer_key, field):
        """The median over rounds of a worker's extra figure (e.g. `cffi_call_ns`), or None."""
        rounds = self.extra.get((map_id, peer_key, field))
        return median(list(rounds.values())) if rounds else None

    def summary(self, map_id, quantity, peer_key):
        rounds = self.values.get((map_id, quantity, peer_key))
        if not rounds:
            return None
        values = list(rounds.values())
        return {"median": median(values), "min": min(values), "max": max(values),
                "rounds": {str(r): v for r, v in sorted(rounds.items())}}

    def rows(self, quantity):
        """The peers that have this quantity, in PEERS order (the floor after the floors)."""
        metric = metric_of(quantity)
        rows = []
        for peer in self.peers + [FLOOR]:
            has_values = any((m, quantity, peer.key) in self.values for m, _ in self.maps)
            has_failures = any(self.failures.get((m, metric, peer.key)) for m, _ in self.maps)
            if has_values or (has_failures and quantity == first_quantity(metric)):
                rows.append(peer)
        floors = [p for p in rows if p.name.startswith("floor-") and p is not FLOOR]
        if FLOOR in rows and floors:
            rows.remove(FLOOR)
            rows.insert(rows.index(floors[-1]) + 1, FLOOR)
        return rows

    def ratio(self, map_id, quantity, numerator, denominator):
        """The median over rounds of numerator_r / denominator_r, with min and max."""
        a = self.values.get((map_id, quantity, numerator), {})
        b = self.values.get((map_id, quantity, denominator), {})
        ratios = [a[r] / b[r] for r in a if r in b and b[r]]
        if not ratios:
            return None
        return {"median": median(ratios), "min": min(ratios), "max": max(ratios), "n": len(ratios)}

    def fastest(self, map_id, quantity, candidates):
        best = None
        for key in candidates:
            s = self.summary(map_id, quantity, key)
            if s and (best is None or s["median"] < best[1]):
                best = (key, s["median"])
        return best[0] if best else None

    def failure_text(self, map_id, metric, peer_key):
        counts = self.failures.get((map_id, metric, peer_key))
        if not counts:
            return ""
        return ", ".join("%s ×%d" % (status, n) if n > 1 else status
                         for status, n in counts.most_common())


def metric_of(quantity):
    if quantity.startswith("cache"):
        return "cache"
    if quantity.startswith(("event", "ingest")):
        return "event"
    return quantity


def first_quantity(metric):
    return "cache_open" if metric == "cache" else metric


PEER_BY_KEY = {p.key: p for p in PEERS + [FLOOR]}


def label(key):
    return PEER_BY_KEY[key].label if key in PEER_BY_KEY else key


# Comparisons shown under the tables: (quantity, mapback row, peers, how). "fastest"
# divides by the fastest (by median) of the peers on that map; "each" gives one row
# per peer.
COMPARISONS = [
    ("parse", "native:mapback", ["native:oxc", "native:sourcemap", "native:srcmap"], "fastest"),
    ("parse", "native:mapback", [FLOOR.key], "each"),
    ("parse", "python:mapback", ["python:symbolic", "python:libsourcemap", "python:sourcemap"], "fastest"),
    ("lookup", "native:mapback", ["native:oxc", "native:sourcemap", "native:srcmap"], "each"),
    ("lookup", "python:mapback", ["python:symbolic", "python:libsourcemap", "python:sourcemap"], "each"),
    ("memory", "native:mapback", ["native:oxc", "native:sourcemap", "native:srcmap"], "each"),
    ("memory", "python:mapback", ["python:symbolic", "python:libsourcemap", "python:sourcemap"], "fastest"),
    ("cache_open", "python:mapback", ["python:libsourcemap"], "each"),
    ("cache_lookup", "python:mapback", ["python:libsourcemap", "python:symbolic"], "each"),
    ("cache_build", "python:mapback", ["python:libsourcemap", "python:symbolic"], "each"),
    ("symbolicate", "python:mapback", ["python:symbolic"], "each"),
    ("event", "python:mapback", ["python:symbolic"], "each"),
]
# Absolute goals: (quantity, row, goal value).
ABSOLUTE = [
    ("batch", "python:mapback", 100.0),
    ("event", "python:mapback", 100.0),
    ("event_json", "python:mapback", 100.0),
    ("cache_open", "python:mapback", 20.0),
]
# The Python lookup goal (issue 21): the wrapper adds at most this much to the bare cffi
# call of the same native lookup, and beats the pure-Python `sourcemap` package on maps
# of at least this many tokens.
PYTHON_LOOKUP_OVER_CFFI_NS = 150.0
PYTHON_LOOKUP_BEATS_SOURCEMAP_FROM = 10000
# A first open of a cache that left the page cache reads O(1) pages: at most this many
# KiB (16 pages), whatever the cache's size.
COLD_OPEN_READ_KIB = 64.0


def comparisons(results):
    """[{quantity, numerator, denominator, title, cells: {map: {...}}}]"""
    out = []
    for quantity, numerator, candidates, how in COMPARISONS:
        groups = [candidates] if how == "fastest" else [[c] for c in candidates]
        for group in groups:
            cells = {}
            for map_id, _ in results.maps:
                peer = results.fastest(map_id, quantity, group)
                ratio = results.ratio(map_id, quantity, numerator, peer) if peer else None
                if ratio:
                    ratio["peer"] = peer
                    cells[map_id] = ratio
            if cells:
                if len(group) > 1:
                    over = "fastest of %s" % ", ".join(PEER_BY_KEY[c].name for c in group)
                else:
                    over = label(group[0])
                out.append({"quantity": quantity, "numerator": numerator, "denominators": group,
                            "title": "%s / %s" % (label(numerator), over), "cells": cells})
    for quantity, row, goal in ABSOLUTE:
        cells = {}
        for map_id, _ in results.maps:
            s = results.summary(map_id, quantity, row)
            if s:
                rounds = [v / goal for v in results.values[(map_id, quantity, row)].values()]
                cells[map_id] = {"median": median(rounds), "min": min(rounds), "max": max(rounds),
                                 "n": len(rounds), "peer": None}
        if cells:
            out.append({"quantity": quantity, "numerator": row, "denominators": [],
                        "title": "%s / the goal of %s %s" % (label(row), number(goal),
                                                            QUANTITIES[quantity][1]),
                        "cells": cells})
    return out


def goals(results, info=None):
    """The goals, each with ✓/✗ (or ? without data) and the measured values per map.
    `info` is data/derived.json's per-map facts (token counts)."""
    info = info or {}
    def ratio_goal(title, quantity, numerator, candidates, limit, what):
        parts, verdicts = [], []
        for map_id, map_label in results.maps:
            peer = results.fastest(map_id, quantity, candidates)
            ratio = results.ratio(map_id, quantity, numerator, peer) if peer else None
            if ratio is None:
                continue
            ok = ratio["median"] <= limit
            verdicts.append(ok)
            a = results.summary(map_id, quantity, numerator)["median"]
            b = results.summary(map_id, quantity, peer)["median"]
            versus = "" if len(candidates) == 1 else " %s" % PEER_BY_KEY[peer].name
            parts.append({"map": map_id, "ok": ok, "ratio": ratio["median"], "peer": peer,
                          "text": "%s %s×%s (%s vs %s %s)" % (
                              map_label, number(ratio["median"]), versus, number(a), number(b), what)})
        return finish(title, parts, verdicts)

    def absolute_goal(title, quantity, row, limit, what, floor_extra=None):
        parts, verdicts = [], []
        for map_id, map_label in results.maps:
            s = results.summary(map_id, quantity, row)
            if not s:
                continue
            ok = s["median"] <= limit
            verdicts.append(ok)
            text = "%s %s %s" % (map_label, number(s["median"]), what)
            floor = results.extra_median(map_id, row, floor_extra[0]) if floor_extra else None
            if floor is not None:
                text += " (%s %s)" % (floor_extra[1], number(floor))
            parts.append({"map": map_id, "ok": ok, "value": s["median"], "text": text})
        return finish(title, parts, verdicts)

    def python_lookup_goal():
        """Python lookup ≤ the bare cffi call + 150 ns on every map, and faster than the
        pure-Python `sourcemap` on maps of 10,000 tokens or more (where it has a value:
        it cannot read index maps)."""
        title = ("Python lookup ≤ bare cffi call + %d ns, and < sourcemap (Python) on maps ≥ %s tokens"
                 % (PYTHON_LOOKUP_OVER_CFFI_NS, "{:,}".format(PYTHON_LOOKUP_BEATS_SOURCEMAP_FROM)))
        parts, verdicts = [], []
        for map_id, map_label in results.maps:
            s = results.summary(map_id, "lookup", "python:mapback")
            cffi = results.extra_median(map_id, "python:mapback", "cffi_call_ns")
            if not s or cffi is None:
                continue
            value = s["median"]
            ok = value <= cffi + PYTHON_LOOKUP_OVER_CFFI_NS
            text = "%s %s ns (bare cffi call %s, +%s" % (map_label, number(value), number(cffi),
                                                        number(value - cffi))
            request = results.extra_median(map_id, "python:mapback", "request_call_ns")
            if request is not None:
                text += "; its 2-argument request call %s" % number(request)
            pure = results.summary(map_id, "lookup", "python:sourcemap")
            tokens = info.get(map_id, {}).get("tokens") or 0
            if pure and tokens >= PYTHON_LOOKUP_BEATS_SOURCEMAP_FROM:
                ok = ok and value < pure["median"]
                text += "; sourcemap %s" % number(pure["median"])
            verdicts.append(ok)
            parts.append({"map": map_id, "ok": ok, "value": value, "text": text + ")"})
        return finish(title, parts, verdicts)

    def finish(title, parts, verdicts):
        mark = "?" if not verdicts else ("✓" if all(verdicts) else "✗")
        return {"goal": title, "mark": mark, "maps": parts}

    native_peers = ["native:oxc", "native:sourcemap", "native:srcmap"]
    return [
        ratio_goal("parse ≤ 0.66× the fastest other native peer (oxc, sourcemap, srcmap)",
                   "parse", "native:mapback", native_peers, 0.66, "ms"),
        ratio_goal("parse ≤ the JSON+VLQ floor", "parse", "native:mapback", [FLOOR.key], 1.0, "ms"),
        ratio_goal("native lookup ≤ 0.8× oxc", "lookup", "native:mapback", ["native:oxc"], 0.8, "ns"),
        python_lookup_goal(),
        absolute_goal("Python batch ≤ 0.1 µs per position", "batch", "python:mapback", 100.0, "ns"),
        ratio_goal("retained memory per token ≤ 0.5× oxc's", "memory", "native:mapback",
                   ["native:oxc"], 0.5, "B/token"),
        absolute_goal("a warm 30-frame event through Python ≤ 100 µs (dict in, dict out)", "event",
                      "python:mapback", 100.0, "µs"),
        absolute_goal("a warm 30-frame event through Python ≤ 100 µs (JSON bytes in and out)",
                      "event_json", "python:mapback", 100.0, "µs"),
        ratio_goal("a warm event ≥ 20× faster than symbolic's SourceMapCache kept in memory",
                   "event", "python:mapback", ["python:symbolic"], 0.05, "µs"),
        absolute_goal("the first event of a new symbolicator ≤ 2 ms (page cache warm)",
                      "event_first", "python:mapback", 2000.0, "µs"),
        absolute_goal("store ingest ≤ 1.5× parse + cache build + durable cache write",
                      "ingest_over_floor", "python:mapback", 1.5, "×"),
        absolute_goal("a cold cache open reads O(1): ≤ %d KiB from storage, whatever the cache's size"
                      % COLD_OPEN_READ_KIB, "cache_open_cold_read", "python:mapback",
                      COLD_OPEN_READ_KIB, "KiB"),
        absolute_goal("a warm cache open through Python ≤ 20 µs", "cache_open", "python:mapback",
                      20.0, "µs"),
    ]


# ---------------------------------------------------------------------- scale

SCALE_TITLE = "Scaling out: events/s on 2 cores vs one process (CLI --jobs, Spark local[2])"


def run_scale(maps, args, settings):
    """benches/python/scale.py in .venv-scale over the selected maps (the index map
    aside: its generated file is two bundles'): its result, or {"error": ...}."""
    events = args.scale_events or (10000 if settings.quick else 100000)
    map_ids = [m for m, _ in maps if m != INDEX_ID]
    python = os.path.join(SCALE_VENV, "bin", "python")
    print("== scale: %d events over %d maps, CLI --jobs 1 and 2, Spark local[2]" % (events, len(map_ids)),
          flush=True)
    if not os.path.exists(python):
        return {"error": "%s is missing (make .venv-scale/.installed)" % python}
    out = os.path.join(DATA, "scale-result.json")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(REPO, "python"), PYTHON_DIR]))
    code = subprocess.call([python, SCALE_SCRIPT, "--data", DATA, "--maps", ",".join(map_ids),
                            "--events", str(events), "--out", out], env=env, stdout=subprocess.DEVNULL)
    if code != 0:
        return {"error": "scale.py failed with status %d" % code}
    with open(out) as handle:
        return json.load(handle)


def scale_goals(scale):
    if scale.get("error"):
        return [{"goal": "scale: %s" % scale["error"], "mark": "?", "maps": []}]
    out = []
    single = scale["events_per_s"]["cli_jobs1"]
    for key, what in (("cli_jobs2", "the CLI with --jobs 2"), ("spark", "Spark local[2]")):
        ratio = scale["over_linear"][key]
        ok = ratio >= SCALE_GOAL
        out.append({
            "goal": "%s ≥ %.1f× linear (events/s per core vs the single-process CLI)" % (what, SCALE_GOAL),
            "mark": "✓" if ok else "✗",
            "maps": [{"ok": ok, "value": ratio, "text": "%s× (%s vs %s events/s per core; from CPU time %s×)" % (
                number(ratio), number(scale["events_per_s_per_core"][key]), number(single),
                number(scale["over_linear_cpu"][key]))}],
        })
    return out


def scale_table(scale):
    if scale.get("error"):
        return scale["error"]
    rows = [("single-process CLI (--jobs 1)", "cli_jobs1"), ("CLI --jobs 2", "cli_jobs2"),
            ("Spark local[2] (best of 2 runs)", "spark")]
    lines = ["| run | events/s | events/s per core | × linear | CPU µs per event | × linear from CPU |",
             "|---|---:|---:|---:|---:|---:|"]
    for label, key in rows:
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            label, number(scale["events_per_s"][key]), number(scale["events_per_s_per_core"][key]),
            "1" if key == "cli_jobs1" else number(scale["over_linear"][key]),
            number(scale["cpu_us_per_event"][key]),
            "1" if key == "cli_jobs1" else number(scale["over_linear_cpu"][key])))
    lines.append("")
    lines.append("%s events of 30 frames over %d maps (%s bytes in, %s out per event); Spark adds %s µs of "
                 "CPU per event (%s µs from wall time); load average at the end %s." % (
                     "{:,}".format(scale["events"]), len(scale["maps"]), number(scale["input_bytes_per_event"]),
                     number(scale["output_bytes_per_event"]), number(scale["spark_overhead_cpu_us_per_event"]),
                     number(scale["spark_overhead_us_per_event"]),
                     ", ".join("%.2f" % x for x in scale["load"])))
    return "\n".join(lines)


def goals_text(goal_list, maps):
    lines = []
    for g in goal_list:
        lines.append("%s %s" % (g["mark"], g["goal"]))
        if g["maps"]:
            lines.append("    " + "; ".join(("" if p["ok"] else "✗ ") + p["text"] for p in g["maps"]))
        else:
            lines.append("    no data")
    return "\n".join(lines)


def agreement(results):
    """Per map: which peers' answers_hash equals native mapback's lookup hash."""
    out = {}
    for map_id, _ in results.maps:
        reference = results.hashes.get((map_id, "native:mapback", "lookup"))
        if not reference:
            continue
        ref_hash = reference.most_common(1)[0][0]
        entry = {"reference": ref_hash, "found": results.found.get((map_id, "native:mapback", "lookup")),
                 "agree": [], "differ": []}
        order = {key: i for i, key in enumerate(PEER_BY_KEY)}
        for (m, peer_key, metric), counts in sorted(
                results.hashes.items(), key=lambda kv: (METRICS.index(kv[0][2]) if kv[0][2] in METRICS else 99,
                                                        order.get(kv[0][1], 99))):
            if m != map_id or (peer_key, metric) == ("native:mapback", "lookup"):
                continue
            name = label(peer_key) + ("" if metric == "lookup" else " " + metric)
            h = counts.most_common(1)[0][0]
            item = {"peer": peer_key, "metric": metric, "name": name, "hash": h,
                    "found": results.found.get((m, peer_key, metric)),
                    "stable": len(counts) == 1}
            (entry["agree"] if h == ref_hash else entry["differ"]).append(item)
        out[map_id] = entry
    return out


# ---------------------------------------------------------------------- formatting

def number(x):
    if x is None:
        return "–"
    a = abs(x)
    if a >= 1000:
        return "{:,.0f}".format(x)
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    if a >= 1:
        return "%.2f" % x
    if a == 0:
        return "0"
    return "%#.3g" % x  # three significant digits, trailing zeros kept: 0.300, 0.00860


def cell(summary, failure):
    if summary is None:
        return short(failure, 48) if failure else ""
    text = number(summary["median"])
    if summary["min"] != summary["max"]:
        text += " (%s–%s)" % (number(summary["min"]), number(summary["max"]))
    if failure:
        text += " ⚠ " + short(failure, 40)
    return text


def markdown_table(results, quantity, bold_mapback=True):
    metric = metric_of(quantity)
    maps = results.maps
    lines = ["| %s | %s |" % (QUANTITIES[quantity][1], " | ".join(l for _, l in maps)),
             "|---|" + "---:|" * len(maps)]
    for peer in results.rows(quantity):
        cells = []
        for map_id, _ in maps:
            failure = results.failure_text(map_id, metric, peer.key) \
                if quantity == first_quantity(metric) or results.summary(map_id, quantity, peer.key) else ""
            cells.append(cell(results.summary(map_id, quantity, peer.key), failure))
        name = peer.label
        if bold_mapback and peer.name == "mapback":
            name = "**%s**" % name
        lines.append("| %s | %s |" % (name, " | ".join(cells)))
    return "\n".join(lines)


def ratio_table(results, comparison_list, quantity):
    rows = [c for c in comparison_list if c["quantity"] == quantity]
    if not rows:
        return ""
    lines = ["| ratio (median over rounds, min–max) | %s |" % " | ".join(l for _, l in results.maps),
             "|---|" + "---:|" * len(results.maps)]
    for c in rows:
        cells = []
        for map_id, _ in results.maps:
            r = c["cells"].get(map_id)
            if not r:
                cells.append("")
                continue
            text = "%s×" % number(r["median"])
            if r["min"] != r["max"]:
                text += " (%s–%s)" % (number(r["min"]), number(r["max"]))
            if len(c["denominators"]) > 1:
                text += " %s" % PEER_BY_KEY[r["peer"]].name
            cells.append(text)
        lines.append("| %s | %s |" % (c["title"], " | ".join(cells)))
    return "\n".join(lines)


def maps_table(maps, info):
    lines = ["| map | id | JSON | tokens | sections | sources |", "|---|---|---:|---:|---:|---:|"]
    for map_id, map_label in maps:
        i = info.get(map_id, {})
        lines.append("| %s | `%s.map` | %s | %s | %s | %s |" % (
            map_label, map_id, "%.2f MB" % (i.get("json_bytes", 0) / 1e6),
            "{:,}".format(i.get("tokens", 0)), i.get("sections", ""), i.get("sources", "")))
    return "\n".join(lines)


def environment_lines(env):
    peers = env.get("peers", {})
    return [
        "- CPU: %s (%s logical cores); load average %s at the start, %s at the end" % (
            env.get("cpu"), env.get("cores"), env.get("load_start"), env.get("load_end")),
        "- kernel: %s" % env.get("kernel"),
        "- mapback: %s" % env.get("mapback"),
        "- %s; %s; Python %s (the peers, benches/.venv), %s; Node %s" % (
            env.get("rustc"), env.get("cargo"), env.get("python_venv"),
            env.get("python"), env.get("node")),
        "- peers: " + ", ".join("%s %s" % (k, v) for k, v in sorted(peers.items())),
    ]


def write_markdown(path, doc, results, comparison_list, goal_list, agree, settings):
    out = []
    w = out.append
    w("# mapback benchmarks%s" % (" (--quick smoke run: not representative)" if settings.quick else ""))
    w("")
    w("Written by `%s` on %s. Every measurement ran in its own process; each cell is the "
      "median over %d rounds of each process's median, with the min–max over rounds in "
      "parentheses. Ratios are taken round by round, then their median; below 1 means "
      "mapback is faster or smaller. Method: [README.md](../README.md)." % (
          doc["command"], doc["created"], settings.rounds))
    w("")
    w("## Environment")
    w("")
    out.extend(environment_lines(doc["environment"]))
    w("")
    w("## Goals")
    w("")
    w("```text")
    w(goals_text(goal_list, results.maps))
    w("```")
    w("")
    w("## Maps")
    w("")
    w(maps_table(results.maps, doc["maps"]))
    w("")
    w("Positions: {:,} per map,".format(POSITIONS_COUNT) + "  exact token positions drawn uniformly (seed %d). The index map "
      "has `%s.map` as its first section and `%s.map` as its second." % (
          POSITIONS_SEED, INDEX_PAIR[0], INDEX_PAIR[1]))
    for quantity, (title, unit) in QUANTITIES.items():
        if not results.rows(quantity):
            continue
        w("")
        w("## %s (%s)" % (title, unit))
        w("")
        w(markdown_table(results, quantity))
        ratios = ratio_table(results, comparison_list, quantity)
        if ratios:
            w("")
            w(ratios)
        if quantity == "lookup":
            floors = [
                ("python_loop_ns", "Of each Python figure, the loop and a no-op call cost: "),
                ("cffi_call_ns", "The same loop calling the C function `mapback_sourcemap_lookup` "
                 "directly through cffi (out-parameters allocated once, no Token built), the "
                 "floor of a cffi ABI-mode lookup with that signature: "),
                ("request_call_ns", "The same with `mapback_sourcemap_lookup_request`, the two-argument "
                 "export `SourceMap.lookup` calls (the position written into its request, no Token): "),
            ]
            for extra, sentence in floors:
                per_map = []
                for map_id, map_label in results.maps:
                    floor = results.extra_median(map_id, "python:mapback", extra)
                    if floor is not None:
                        per_map.append("%s %s ns" % (map_label, number(floor)))
                if per_map:
                    w("")
                    w(sentence + ", ".join(per_map) + ".")
    if doc.get("scale") is not None:
        w("")
        w("## %s" % SCALE_TITLE)
        w("")
        w(scale_table(doc["scale"]))
    if agree:
        w("")
        w("## Answer agreement")
        w("")
        w("Whose answers (original line, column and name for every position; hash as in "
          "README.md) equal mapback (Rust)'s lookup. Peers may differ legitimately, "
          "in tie-breaking between tokens at one position.")
        w("")
        w("| map | mapback (Rust) found | agree | differ |")
        w("|---|---:|---|---|")
        for map_id, map_label in results.maps:
            e = agree.get(map_id)
            if not e:
                continue

            def names(items):
                return ", ".join(i["name"] + ("" if i["stable"] else " (unstable)")
                                 + ("" if i["found"] in (None, e["found"]) else " (found %s)" % "{:,}".format(i["found"]))
                                 for i in items) or "–"
            w("| %s | %s | %s | %s |" % (map_label, "{:,}".format(e["found"] or 0),
                                        names(e["agree"]), names(e["differ"])))
    fails = []
    for (map_id, metric, peer_key), counts in sorted(results.failures.items()):
        if counts:
            if (map_id, metric, peer_key) in results.skipped:
                how = "in the calibration run, so not run in the rounds"
                text = "; ".join(s for s, _ in counts.most_common())
            else:
                how = None
                text = "; ".join("%s (%d of %d rounds)" % (s, n, settings.rounds)
                                 for s, n in counts.most_common())
            fails.append("- %s, %s, %s: %s%s" % (map_label_of(results.maps, map_id), metric,
                                                 label(peer_key), text, ", " + how if how else ""))
    if fails:
        w("")
        w("## Failures")
        w("")
        out.extend(fails)
    w("")
    write_text(path, "\n".join(out))


def map_label_of(maps, map_id):
    return dict(maps).get(map_id, map_id)


def page_block(doc, results, goal_list, settings, md_path, png_path):
    """The goals and main tables, for docs/benchmarks.md (links relative to docs/)."""
    env = doc["environment"]
    md, png = (os.path.relpath(p, os.path.dirname(BENCH_PAGE)) for p in (md_path, png_path))
    out = [README_START,
           "`%s` on %s (%s, %s cores), mapback %s: medians of %d rounds, min–max in "
           "parentheses, each measurement in its own process. Full tables, ratios, answer "
           "agreement and method: [%s](%s) ([chart](%s))." % (
               "make bench" if doc["command"] == "python3 benches/run.py" else doc["command"],
               doc["created"][:10], env.get("cpu"), env.get("cores"), env.get("mapback_short"),
               settings.rounds, os.path.relpath(md_path, REPO), md, png),
           "",
           "```text",
           goals_text(goal_list, results.maps),
           "```"]
    for quantity in MAIN_QUANTITIES:
        if not results.rows(quantity):
            continue
        title, unit = QUANTITIES[quantity]
        out += ["", "**%s** (%s)" % (title, unit), "", markdown_table(results, quantity)]
    out.append(README_END)
    return "\n".join(out)


def readme_summary(created, mapback_short, goal_list):
    """Three lines for the README: which goals hold on how many maps, and where the rest is."""
    def tally(goal):
        met = sum(1 for part in goal["maps"] if part["ok"])
        return "%s (%d/%d maps)" % (goal["goal"], met, len(goal["maps"]))
    met = [tally(g) for g in goal_list if g["mark"] == "✓"]
    missed = [tally(g) for g in goal_list if g["mark"] != "✓"]
    return "\n".join([
        README_START,
        "`make bench` on %s (mapback %s), real npm maps beside the Rust, Python and Node peers: "
        "goals and tables in [docs/benchmarks.md](docs/benchmarks.md)." % (created[:10], mapback_short),
        "- Met: %s." % ("; ".join(met) or "none"),
        "- Not yet met: %s." % ("; ".join(missed) or "none"),
        README_END])


def replace_block(path, block):
    """Replaces the text between the markers in `path`; False when it has none."""
    text = read_text(path)
    if README_START in text and README_END in text:
        before = text[:text.index(README_START)]
        after = text[text.index(README_END) + len(README_END):]
        write_text(path, before + block + after)
        return True
    print("run.py: %s has no %s ... %s markers: not updated" % (
        os.path.relpath(path, REPO), README_START, README_END))
    return False


# ---------------------------------------------------------------------- environment

def capture(cmd, cwd=None):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd,
                              timeout=60).stdout.decode("utf-8", "replace").strip()
    except (OSError, subprocess.TimeoutExpired):
        return None


def cargo_lock_version(crate):
    text = read_text(os.path.join(NATIVE_DIR, "Cargo.lock"))
    match = re.search(r'name = "%s"\nversion = "([^"]+)"' % re.escape(crate), text)
    return match.group(1) if match else None


def environment():
    cpu = None
    for line in read_text("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    commit = capture(["git", "-C", REPO, "rev-parse", "HEAD"])
    dirty = capture(["git", "-C", REPO, "status", "--porcelain", "--", "src", "Cargo.toml",
                     "Cargo.lock", "python/mapback", "build.rs", "build.py"])
    peers = {
        "sourcemap (crate)": cargo_lock_version("sourcemap"),
        "oxc_sourcemap": cargo_lock_version("oxc_sourcemap"),
        "srcmap-sourcemap": cargo_lock_version("srcmap-sourcemap"),
        "serde_json (floor)": cargo_lock_version("serde_json"),
    }
    if os.path.exists(VPY):
        versions = capture([VPY, "-c", "import importlib.metadata as m, json\n"
                            "out = {}\n"
                            "for n in ('symbolic', 'libsourcemap', 'sourcemap', 'cffi', 'matplotlib'):\n"
                            "    try: out[n] = m.version(n)\n"
                            "    except Exception: out[n] = None\n"
                            "print(json.dumps(out))"])
        try:
            for name, version in json.loads(versions).items():
                peers["%s (Python)" % name] = version
        except (TypeError, ValueError):
            pass
    for package in ("@jridgewell/trace-mapping", "source-map"):
        try:
            with open(os.path.join(NODE_DIR, "node_modules", package, "package.json")) as handle:
                peers["%s (Node)" % package] = json.load(handle).get("version")
        except (OSError, ValueError):
            pass
    short_commit = (commit or "unknown")[:10] + (" + uncommitted changes" if dirty else "")
    return {
        "cpu": cpu, "cores": os.cpu_count(),
        "kernel": " ".join(os.uname()[i] for i in (0, 2, 3)) if hasattr(os, "uname") else platform.platform(),
        "machine": platform.machine(),
        "load_start": None, "load_end": None,
        "rustc": capture(["rustc", "--version"]),
        "cargo": capture(["cargo", "--version"]),
        "python": platform.python_version() + " (run.py)",
        "python_venv": (capture([VPY, "-c", "import platform; print(platform.python_version())"])
                        if os.path.exists(VPY) else None),
        "node": capture(["node", "--version"]) if shutil.which("node") else None,
        "peers": {k: v for k, v in peers.items() if v},
        "mapback": "%s%s" % (commit, " (+ uncommitted changes in the core)" if dirty else ""),
        "mapback_short": short_commit,
    }


def load_average():
    try:
        return "%.2f" % os.getloadavg()[0]
    except OSError:
        return None


# ---------------------------------------------------------------------- main

def select(all_items, wanted, name_of, what):
    if not wanted:
        return list(all_items)
    names = [w.strip() for w in wanted.split(",") if w.strip()]
    chosen = []
    for n in names:
        matches = [i for i in all_items if n in name_of(i)]
        if not matches:
            sys.exit("run.py: no %s called %r (have: %s)" % (
                what, n, ", ".join(name_of(i)[0] for i in all_items)))
        chosen.extend(m for m in matches if m not in chosen)
    return [i for i in all_items if i in chosen]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, help="rounds (default 5; 2 with --quick)")
    parser.add_argument("--maps", help="comma-separated maps, by short name (jquery, pdf.mjs, "
                        "index, ...) or id")
    parser.add_argument("--metrics", help="comma-separated: " + ", ".join(METRICS))
    parser.add_argument("--peers", help="comma-separated peers, by label (mapback (Rust)), "
                        "key (native:mapback), name (mapback: every language) or worker (native, python, node)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 2 rounds, small REPEATs, results in results/quick/")
    parser.add_argument("--timeout", type=float, help="seconds per process (default 600; 120 with --quick)")
    parser.add_argument("--no-setup", action="store_true", help="skip the setup steps")
    parser.add_argument("--out", help="results directory (default benches/results, "
                        "benches/results/quick with --quick)")
    parser.add_argument("--readme", action="store_true",
                        help="update README.md and docs/benchmarks.md even for a quick or filtered run")
    parser.add_argument("--no-readme", action="store_true", help="leave README.md and docs/benchmarks.md alone")
    parser.add_argument("--scale-events", type=int, help="events of the scale metric (default 100,000; "
                        "10,000 with --quick)")
    return parser.parse_args(argv)


def main(argv=None, peers=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = Settings(args)
    all_peers = PEERS if peers is None else peers
    PEER_BY_KEY.update((p.key, p) for p in all_peers)
    maps = select(MAPS, args.maps, lambda m: (m[1], m[0]), "map")
    metrics = select(METRICS, args.metrics, lambda m: (m,), "metric")
    chosen_peers = select(all_peers, args.peers, lambda p: (p.label, p.key, p.name, p.worker), "peer")
    out_dir = args.out or os.path.join(BENCH, "results", "quick" if args.quick else "")
    out_dir = os.path.normpath(out_dir)

    if not args.no_setup:
        setup(args, metrics)
    else:
        check_mapback_package()
    if "inspect" in metrics:
        # No peers and no workers: benches/inspect_page.py makes and loads the pages.
        import inspect_page
        if any(m == INDEX_ID for m, _ in maps):
            write_index_map(Derived())
        inspect_page.run(maps, out_dir, loads=1 if args.quick else 3)
        metrics = [m for m in metrics if m not in PAGE_METRICS]
        if not metrics:
            return 0
    check_workers()
    info = derive_inputs(maps, metrics)
    for map_id, _ in maps:
        with open(positions_path(map_id)) as handle:
            info[map_id]["positions"] = sum(1 for _ in handle)

    runnable = []
    for peer in chosen_peers:
        reason = WORKERS.get(peer.worker, None) if peer.worker in WORKERS else None
        if reason:
            print("run.py: skipping %s: %s" % (peer.label, reason))
        else:
            runnable.append(peer)
    tasks = plan(maps, metrics, runnable)
    if not tasks and "scale" not in metrics:
        sys.exit("run.py: nothing to run")

    env = environment()
    env["load_start"] = load_average()
    print("== %s; %s cores; load %s; mapback %s" % (env["cpu"], env["cores"], env["load_start"],
                                                  env["mapback_short"]), flush=True)
    print("== %d rounds over %d maps, metrics %s, %d peers; %d processes per round" % (
        settings.rounds, len(maps), ",".join(metrics), len(runnable),
        sum(len(t[3]) for t in tasks)), flush=True)
    started = time.monotonic()
    records, repeats, skip, interrupted = run_rounds(tasks, settings, info)
    env["load_end"] = load_average()
    results = Results(records, maps, runnable, skip, settings.rounds)
    comparison_list = comparisons(results)
    goal_list = goals(results, info)
    scale = run_scale(maps, args, settings) if "scale" in metrics else None
    if scale is not None:
        goal_list.extend(scale_goals(scale))
    agree = agreement(results)
    created = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    command = "python3 benches/run.py" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(
        sys.argv[1:] if argv is None else argv))

    tables = []
    for quantity, (title, unit) in QUANTITIES.items():
        rows = results.rows(quantity)
        if not rows:
            continue
        tables.append({
            "quantity": quantity, "title": title, "unit": unit,
            "maps": [{"id": m, "label": l} for m, l in maps],
            "rows": [{"peer": p.key, "label": p.label, "lang": p.lang, "name": p.name,
                      "cells": [results.summary(m, quantity, p.key) for m, _ in maps],
                      "failures": [results.failure_text(m, metric_of(quantity), p.key) for m, _ in maps]}
                     for p in rows],
        })
    doc = {
        "schema": 1,
        "created": created,
        "command": command,
        "elapsed_s": round(time.monotonic() - started, 1),
        "interrupted": interrupted,
        "settings": {"rounds": settings.rounds, "quick": settings.quick, "target_s": settings.target_s,
                     "max_repeat": settings.max_repeat, "timeout_s": settings.timeout,
                     "positions": POSITIONS_COUNT, "seed": POSITIONS_SEED,
                     "metrics": metrics, "index_pair": list(INDEX_PAIR)},
        "environment": env,
        "maps": {m: dict(info.get(m, {}), label=l) for m, l in maps},
        "peers": [{"key": p.key, "label": p.label, "worker": p.worker, "metrics": sorted(p.metrics)}
                  for p in runnable],
        "repeats": ["%s %s %s: %s" % (m, metric, p, r) for (m, metric, p), r in sorted(
            repeats.items(), key=lambda kv: str(kv[0])) if r is not None],
        "goals": goal_list,
        "tables": tables,
        "ratios": comparison_list,
        "agreement": agree,
        "scale": scale,
        "failures": [{"map": m, "metric": metric, "peer": p, "statuses": dict(c)}
                     for (m, metric, p), c in sorted(results.failures.items()) if c],
        "records": records,
    }
    os.makedirs(out_dir, exist_ok=True)
    json_path = os.path.join(out_dir, "bench.json")
    md_path = os.path.join(out_dir, "bench.md")
    png_path = os.path.join(out_dir, "bench.png")
    write_text(json_path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    write_markdown(md_path, doc, results, comparison_list, goal_list, agree, settings)

    print("")
    print("== goals")
    print(goals_text(goal_list, maps))
    for quantity in QUANTITIES:
        if results.rows(quantity):
            print("")
            print("== %s (%s)" % QUANTITIES[quantity])
            print(markdown_table(results, quantity, bold_mapback=False))
            ratios = ratio_table(results, comparison_list, quantity)
            if ratios:
                print("")
                print(ratios)
    if scale is not None:
        print("")
        print("== scale (%s)" % SCALE_TITLE)
        print(scale_table(scale))
    if agree:
        print("")
        print("== answer agreement with mapback (Rust)")
        for map_id, e in agree.items():
            print("  %-10s agree: %s" % (map_label_of(maps, map_id),
                                         ", ".join(i["name"] for i in e["agree"]) or "-"))
            print("  %-10s differ: %s" % ("", ", ".join(i["name"] for i in e["differ"]) or "-"))

    chart = os.path.join(BENCH, "chart.py")
    if os.path.exists(VPY):
        code = subprocess.call([VPY, chart, json_path, png_path])
        if code != 0:
            print("run.py: chart.py failed (status %d): no %s" % (code, png_path))
    else:
        print("run.py: no benches/.venv: no chart")

    filtered = bool(args.maps or args.metrics or args.peers)
    if args.readme or not (args.no_readme or settings.quick or filtered or interrupted):
        if replace_block(BENCH_PAGE, page_block(doc, results, goal_list, settings, md_path, png_path)):
            print("docs/benchmarks.md: goals and tables updated")
        summary = readme_summary(doc["created"], doc["environment"].get("mapback_short"), goal_list)
        if replace_block(README, summary):
            print("README.md: benchmark summary updated")
    else:
        print("README.md, docs/benchmarks.md: left alone (%s)" % ("--no-readme" if args.no_readme else
                                               "quick, filtered or interrupted run"))
    print("results: %s, %s, %s" % tuple(shown(p) for p in (md_path, json_path, png_path)))
    print("took %.0f s" % (time.monotonic() - started))
    return 130 if interrupted else 0


def shown(path):
    return os.path.relpath(path, REPO) if path.startswith(REPO + os.sep) else path


if __name__ == "__main__":
    sys.exit(main())
