#!/usr/bin/env python3
"""Cache benchmark, peer side: libsourcemap 0.8.2 (memdb) and symbolic 13.x on real maps.

    python3 benches/cache/peers.py [--maps ID,...] [--peers NAME,...] [--timeout S]

Steps (standard library only; runs with any python3 >= 3.8):
  1. benches/cache/.venv: created with `python3 -m venv` if missing, then
     `pip install -r requirements-peers.txt` with PIP_FIND_LINKS set empty.
  2. benches/cache/data/: fetch.sh downloads the pinned npm tarballs (sha256-checked)
     and extracts the maps and the generated files they describe.
  3. Positions: 100,000 deterministic [line, column] pairs (0-based) per map, drawn
     from the map's own decoded mappings (own VLQ decoder below, no dependency):
       60 %  exactly on a mapping's generated position,
       30 %  strictly between a mapping and the next one on its line (or up to 16
             columns past the last one on the line),
       10 %  a random line (of the generated file) and a random column up to the
             line's last mapped column + 32: misses, before-first-mapping, etc.
     Shuffled order (random access, as stack frames come). Cached in data/positions/
     together with a reference answer for the first --sample positions: the
     ECMA-426 same-line greatest-lower-bound lookup (all mappings sharing that
     generated column are acceptable; no mapping at or before the column on that
     line -> no answer).
  4. Each (peer, map) runs peer_worker.py in its own subprocess with a timeout. A
     negative return code (signal) is reported as "crash" with the signal and the
     phase it died in; the metrics gathered before it are kept.
  5. Writes results/peers.json and results/peers.md, and prints the markdown.

Adding a peer (mapback): write run_mapback in peer_worker.py (see MAPBACK HOOK there)
and enable the "mapback" entry in PEERS below; TABLES picks its columns.
"""

import argparse
import bisect
import datetime
import hashlib
import json
import os
import platform
import random
import signal
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(HERE, "data")
POSDIR = os.path.join(DATA, "positions")
RESULTS = os.path.join(HERE, "results")
VENV = os.path.join(HERE, ".venv")
VENV_PY = os.path.join(VENV, "bin", "python")
REQUIREMENTS = os.path.join(HERE, "requirements-peers.txt")
WORKER = os.path.join(HERE, "peer_worker.py")

POSITIONS_VERSION = 1  # bump when the generator changes, to regenerate cached positions
N_POSITIONS = 100_000

# id -> package it comes from (pinned, with the tarball's sha256, in fetch.sh), the map
# and the generated file (data/<id> and data/<id>.map).
MAPS = [
    {"id": "jquery-4.0.0.min.js", "package": "jquery@4.0.0",
     "member": "dist/jquery.min.map",
     "tarball_sha256": "7ac123e4992439dc6a966cb4444fceb7f4698db94904a1256df542d5deb80f59"},
    {"id": "pdfjs-6.5.438.pdf.mjs", "package": "pdfjs-dist@6.5.438",
     "member": "build/pdf.mjs.map",
     "tarball_sha256": "7461aefcd27c4ef0dd76f9ca5760f09466eb6b3f934432670c12132e7b3d6faa"},
    {"id": "pdfjs-6.5.438.pdf.worker.mjs", "package": "pdfjs-dist@6.5.438",
     "member": "build/pdf.worker.mjs.map",
     "tarball_sha256": "7461aefcd27c4ef0dd76f9ca5760f09466eb6b3f934432670c12132e7b3d6faa"},
    {"id": "maplibre-gl-6.17.0.mjs", "package": "maplibre-gl@6.17.0",
     "member": "dist/maplibre-gl.mjs.map",
     "tarball_sha256": "587807d8d6c99349022e027fa310c16cfaa55392131f6263df080306db6809b0"},
    {"id": "babel-8.0.5.min.js", "package": "@babel/standalone@8.0.5",
     "member": "babel.min.js.map",
     "tarball_sha256": "2fc35d6098a644d6344f354b4d187cb42261eced5597f4491fb4746a1c355e0f"},
    {"id": "babel-8.0.5.js", "package": "@babel/standalone@8.0.5",
     "member": "babel.js.map",
     "tarball_sha256": "2fc35d6098a644d6344f354b4d187cb42261eced5597f4491fb4746a1c355e0f"},
    {"id": "mermaid-12.3.0.min.js", "package": "mermaid@12.3.0",
     "member": "dist/mermaid.min.js.map",
     "tarball_sha256": "be0684e8d20bfc874df12c0f04927a5c482f57f2200eec54cca52a4583fd4040"},
]

# How each peer's worker is run. "python": interpreter; "env": extra environment.
PEERS = {
    "libsourcemap": {"python": VENV_PY, "env": {}, "dist": "libsourcemap"},
    "symbolic": {"python": VENV_PY, "env": {}, "dist": "symbolic"},
    # mapback from the source tree: `make develop` puts libmapback.so and the cffi
    # bindings into python/mapback (the venv has cffi, a dependency of both peers).
    "mapback": {"python": VENV_PY, "env": {"PYTHONPATH": os.path.join(REPO, "python")},
                "dist": None},
}


# ------------------------------------------------------------------ setup

def ensure_venv():
    if not os.path.exists(VENV_PY):
        print("creating %s" % VENV, file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    env = dict(os.environ, PIP_FIND_LINKS="", PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run([VENV_PY, "-m", "pip", "install", "--quiet", "-r", REQUIREMENTS],
                   check=True, env=env)


def installed_versions():
    code = ("import json, importlib.metadata as m, sys\n"
            "out = {'python': sys.version.split()[0]}\n"
            "for d in ('libsourcemap', 'symbolic', 'cffi', 'milksnake'):\n"
            "    try: out[d] = m.version(d)\n"
            "    except m.PackageNotFoundError: out[d] = None\n"
            "print(json.dumps(out))\n")
    out = subprocess.run([VENV_PY, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def ensure_data(maps):
    missing = [m for m in maps
               if not (os.path.exists(map_path(m)) and os.path.exists(js_path(m)))]
    if missing:
        subprocess.run(["bash", os.path.join(HERE, "fetch.sh")], check=True)


def map_path(m):
    return os.path.join(DATA, m["id"] + ".map")


def js_path(m):
    return os.path.join(DATA, m["id"])


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ------------------------------------------------------------------ mappings

_B64 = {c: i for i, c in
        enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def decode_mappings(mappings):
    """ECMA-426 `mappings` -> per generated line, a list of segments
    (gen_col, source, orig_line, orig_col, name); the last four are None for 1-field
    segments and name is None for 4-field ones. All 0-based, absolute."""
    lines = []
    src = oline = ocol = name = 0
    for text in mappings.split(";"):
        segs = []
        col = 0
        if text:
            for seg in text.split(","):
                if not seg:
                    continue
                vals = []
                value = shift = 0
                for ch in seg:
                    digit = _B64[ch]
                    value += (digit & 31) << shift
                    if digit & 32:
                        shift += 5
                    else:
                        vals.append(-(value >> 1) if value & 1 else value >> 1)
                        value = shift = 0
                col += vals[0]
                if len(vals) >= 4:
                    src += vals[1]
                    oline += vals[2]
                    ocol += vals[3]
                    if len(vals) >= 5:
                        name += vals[4]
                        segs.append((col, src, oline, ocol, name))
                    else:
                        segs.append((col, src, oline, ocol, None))
                else:
                    segs.append((col, None, None, None, None))
        segs.sort(key=lambda s: s[0])  # stable; real maps are already sorted
        lines.append(segs)
    return lines


def reference_answers(lines, sources, line, col):
    """All acceptable [source, orig_line, orig_col] (None = unmapped) for a lookup."""
    if line >= len(lines) or not lines[line]:
        return [None]
    segs = lines[line]
    cols = [s[0] for s in segs]
    i = bisect.bisect_right(cols, col)
    if i == 0:
        return [None]
    at = cols[i - 1]
    out = []
    j = i - 1
    while j >= 0 and cols[j] == at:
        s = segs[j]
        ans = None if s[1] is None else [sources[s[1]], s[2], s[3]]
        if ans not in out:
            out.append(ans)
        j -= 1
    return out


def generate_positions(m, n, sample):
    """Returns (positions, meta) for map m, cached in data/positions/."""
    os.makedirs(POSDIR, exist_ok=True)
    pos_file = os.path.join(POSDIR, m["id"] + ".json")
    meta_file = os.path.join(POSDIR, m["id"] + ".meta.json")
    sha = sha256_file(map_path(m))
    if os.path.exists(pos_file) and os.path.exists(meta_file):
        with open(meta_file) as f:
            meta = json.load(f)
        if (meta.get("map_sha256") == sha and meta.get("version") == POSITIONS_VERSION
                and meta.get("n") == n and meta.get("sample") == sample):
            return pos_file, meta

    t0 = time.time()
    with open(map_path(m), "rb") as f:
        raw = json.loads(f.read())
    if "sections" in raw:
        raise SystemExit("%s is an index map; the generator handles flat maps only" % m["id"])
    sources = [s if s is not None else "" for s in raw.get("sources", [])]
    lines = decode_mappings(raw["mappings"])
    counts = [len(s) for s in lines]
    cumulative = []
    total = 0
    for c in counts:
        total += c
        cumulative.append(total)
    if total == 0:
        raise SystemExit("%s has no mappings" % m["id"])

    rng = random.Random(zlib.crc32(m["id"].encode()) ^ 0x5EED)
    positions = []
    kinds = {"exact": 0, "between": 0, "random": 0}
    for _ in range(n):
        r = rng.random()
        if r < 0.9:
            k = rng.randrange(total)
            line = bisect.bisect_right(cumulative, k)
            segs = lines[line]
            idx = k - (cumulative[line - 1] if line else 0)
            col = segs[idx][0]
            if r < 0.6:
                kinds["exact"] += 1
            else:
                nxt = segs[idx + 1][0] if idx + 1 < len(segs) else col + 17
                if nxt - col >= 2:
                    col = rng.randrange(col + 1, nxt)
                    kinds["between"] += 1
                else:
                    kinds["exact"] += 1
        else:
            line = rng.randrange(len(lines))
            last = lines[line][-1][0] if lines[line] else 0
            col = rng.randrange(last + 33)
            kinds["random"] += 1
        positions.append([line, col])

    reference = [reference_answers(lines, sources, l, c) for l, c in positions[:sample]]
    meta = {
        "version": POSITIONS_VERSION, "n": n, "sample": sample, "map_sha256": sha,
        "kinds": kinds, "reference": reference,
        "map_stats": {
            "bytes": os.path.getsize(map_path(m)),
            "generated_lines": len(lines),
            "mappings": total,
            "one_field_mappings": sum(1 for s in lines for x in s if x[1] is None),
            "sources": len(sources),
            "names": len(raw.get("names", [])),
            "sources_content_bytes": sum(len(c.encode("utf-8"))
                                         for c in (raw.get("sourcesContent") or []) if c),
            "max_generated_column": max((s[-1][0] for s in lines if s), default=0),
            "max_original_line": max((x[2] for s in lines for x in s if x[1] is not None),
                                     default=0),
            "max_original_column": max((x[3] for s in lines for x in s if x[1] is not None),
                                       default=0),
        },
        "generated_in_s": round(time.time() - t0, 1),
    }
    with open(pos_file + ".tmp", "w") as f:
        json.dump(positions, f, separators=(",", ":"))
    os.replace(pos_file + ".tmp", pos_file)
    with open(meta_file, "w") as f:
        json.dump(meta, f, separators=(",", ":"))
    return pos_file, meta


# ------------------------------------------------------------------ running

def signal_name(rc):
    try:
        return signal.Signals(-rc).name
    except ValueError:
        return "signal %d" % -rc


def run_worker(peer, m, pos_file, args):
    cfg = PEERS[peer]
    cmd = [cfg["python"], WORKER, peer, map_path(m), pos_file, "--minified", js_path(m),
           "--sample", str(args.sample), "--passes", str(args.passes),
           "--budget", str(args.budget)]
    env = dict(os.environ, **cfg["env"])
    t0 = time.time()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout,
                              env=env)
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) \
            else (exc.stderr or "")
        rec = parse_stderr(stderr)
        rec.update(status="timeout", timeout_s=args.timeout)
        return rec
    rec = parse_stderr(proc.stderr)
    rec["wall_s"] = round(time.time() - t0, 2)
    rec["returncode"] = proc.returncode
    if proc.returncode < 0:
        rec["status"] = "crash"
        rec["signal"] = signal_name(proc.returncode)
    elif proc.returncode != 0:
        rec["status"] = "error"
    else:
        try:
            rec["metrics"] = json.loads(proc.stdout.strip().splitlines()[-1])
            rec["status"] = "ok"
        except (ValueError, IndexError):
            rec["status"] = "error"
            rec["stdout_tail"] = proc.stdout[-2000:]
    if rec["status"] != "ok":
        rec["stderr_tail"] = "\n".join(
            l for l in proc.stderr.splitlines()[-12:] if not l.startswith("PARTIAL "))
    return rec


def parse_stderr(stderr):
    rec = {"phase": None, "metrics": None}
    for line in stderr.splitlines():
        if line.startswith("PHASE "):
            rec["phase"] = line[6:].strip()
        elif line.startswith("PARTIAL "):
            try:
                rec["metrics"] = json.loads(line[8:])
            except ValueError:
                pass
    return rec


def agreement(sample, reference):
    """(agree, total) over positions where the reference has an answer, and how the
    peer answered the positions where it has none (None vs. some token)."""
    if not sample:
        return None

    def same(a, b):
        if a is None or b is None:
            return a is b
        # peers may prefix sourceRoot to source names
        return a[1] == b[1] and a[2] == b[2] and (a[0] == b[0] or (a[0] or "").endswith(b[0]))

    mapped = agree = unmapped = unmapped_none = 0
    examples = []
    for i, (got, ok) in enumerate(zip(sample, reference)):
        if ok == [None]:
            unmapped += 1
            unmapped_none += got is None
            good = got is None
        else:
            mapped += 1
            good = any(same(got, r) for r in ok)
            agree += good
        if not good and len(examples) < 5:
            examples.append({"index": i, "got": got, "reference": ok})
    return {"mapped_agree": agree, "mapped": mapped,
            "unmapped_returned_none": unmapped_none, "unmapped": unmapped,
            "disagreement_examples": examples}


# ------------------------------------------------------------------ report

def g(d, *path):
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def fmt(v, unit="", digits=None):
    if v is None:
        return "–"
    if isinstance(v, float) or digits is not None:
        if digits is None:
            digits = 1 if abs(v) >= 10 else 2
        return ("%." + str(digits) + "f%s") % (v, unit)
    return "%s%s" % (v, unit)


def mb(n):
    return None if n is None else n / 1e6


def pct_agree(a):
    if not a or not a["mapped"]:
        return "–"
    s = "%.1f%%" % (100.0 * a["mapped_agree"] / a["mapped"])
    if a["unmapped"]:
        s += " (none %d/%d)" % (a["unmapped_returned_none"], a["unmapped"])
    return s


def status_cell(r):
    if r["status"] == "ok":
        m = r["metrics"] or {}
        if "memdb_dump_error" in m:
            return "dump error: %s" % m["memdb_dump_error"]["type"]
        return "ok"
    if r["status"] == "crash":
        return "**crash** (%s in %s)" % (r.get("signal"), r.get("phase"))
    return "**%s** (in %s)" % (r["status"], r.get("phase"))


def render(report):
    out = []
    v = report["versions"]
    out.append("## Cache benchmark: peers\n")
    out.append("libsourcemap %s, symbolic %s, CPython %s (cffi %s), %s. "
               "Positions: %d per map (0-based, see peers.py). Lookup ns/call are through "
               "the Python bindings and include the Python loop (`py loop` column: same "
               "loop calling a no-op lambda); `raw` columns call the C ABI directly from the same "
               "loop with preallocated out-params and no result objects. Agree = correctness sample (first %d "
               "positions) vs. the ECMA-426 same-line greatest-lower-bound reference; "
               "\"none a/b\": positions with no mapping at/before the column on their line "
               "that the peer answered with None.\n"
               % (v.get("libsourcemap"), v.get("symbolic"), v.get("python"), v.get("cffi"),
                  report["machine"], report["positions_per_map"], report["sample"]))
    by = {}
    for r in report["results"]:
        by.setdefault(r["peer"], []).append(r)

    if "libsourcemap" in by:
        out.append("### libsourcemap %s (memdb)\n" % v.get("libsourcemap"))
        out.append("| map | map MB | status | JSON parse ms | JSON-view lookup ns | "
                   "memdb dump ms | memdb MB | memdb MB (no contents) | open bytes µs | "
                   "open path µs | open+lookup+close µs | memdb lookup ns | memdb lookup raw ns | "
                   "py loop ns | agree |")
        out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in by["libsourcemap"]:
            m = r["metrics"] or {}
            nocont = g(m, "memdb_bytes_variants", "contents=0,names=1")
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["map"], fmt(mb(r["map_bytes"])), status_cell(r),
                fmt(g(m, "json_parse", "median_ms")),
                fmt(g(m, "json_view_lookup", "median_ns"), digits=0),
                fmt(g(m, "memdb_dump", "median_ms")),
                fmt(mb(m.get("memdb_bytes"))),
                fmt(mb(nocont)) if isinstance(nocont, int) else "–",
                fmt(g(m, "memdb_open_bytes", "median_us")),
                fmt(g(m, "memdb_open_path", "median_us")),
                fmt(g(m, "memdb_open_lookup_close_path", "median_us")),
                fmt(g(m, "memdb_path_view_lookup", "median_ns"), digits=0),
                fmt(g(m, "memdb_path_view_lookup_raw", "median_ns"), digits=0),
                fmt(r.get("py_loop_ns"), digits=0),
                pct_agree(r.get("agreement"))))
        out.append("")

    if "symbolic" in by:
        out.append("### symbolic %s\n" % v.get("symbolic"))
        out.append("| map | map MB | status | SourceMapView parse ms | view lookup ns | "
                   "view lookup raw ns | SourceMapCache.from_bytes ms | cache lookup ns | "
                   "cache lookup raw ns | py loop ns | agree (view) | agree (cache) |")
        out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
        for r in by["symbolic"]:
            m = r["metrics"] or {}
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["map"], fmt(mb(r["map_bytes"])), status_cell(r),
                fmt(g(m, "view_parse", "median_ms")),
                fmt(g(m, "view_lookup", "median_ns"), digits=0),
                fmt(g(m, "view_lookup_raw", "median_ns"), digits=0),
                fmt(g(m, "sourcemapcache_build", "median_ms")),
                fmt(g(m, "sourcemapcache_lookup", "median_ns"), digits=0),
                fmt(g(m, "sourcemapcache_lookup_raw", "median_ns"), digits=0),
                fmt(r.get("py_loop_ns"), digits=0),
                pct_agree(r.get("agreement")),
                pct_agree(r.get("agreement_sourcemapcache"))))
        api = next((g(r, "metrics", "api") for r in by["symbolic"] if g(r, "metrics", "api")),
                   None)
        if api:
            out.append("")
            out.append("symbolic's Python API for source maps: `symbolic.sourcemap` exports %s; "
                       "`symbolic.sourcemapcache.SourceMapCache` has %s. C ABI functions "
                       "reachable from Python: %s. Save/load of a SourceMapCache: %s."
                       % (", ".join("`%s`" % n for n in api.get("symbolic.sourcemap", [])),
                          ", ".join("`%s`" % n for n in
                                    api.get("symbolic.sourcemapcache.SourceMapCache", [])),
                          ", ".join("`%s`" % n for n in api.get("c_abi_functions", [])),
                          "none (no get_bytes/open/from-serialized function)"
                          if not api.get("sourcemapcache_serialize_or_load_functions")
                          else api["sourcemapcache_serialize_or_load_functions"]))
        out.append("")

    if "mapback" in by:
        out.append("### mapback %s (cache)\n" % v.get("mapback", ""))
        out.append("| map | map MB | status | JSON parse ms | JSON-view lookup ns | "
                   "cache build ms | cache MB | cache/JSON | cache MB (no contents) | "
                   "open bytes µs | open path µs | open+lookup+close µs | cache lookup ns | "
                   "cache lookup raw ns | lookup_many ns/pos | py loop ns | agree |")
        out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in by["mapback"]:
            m = r["metrics"] or {}
            nocont = g(m, "cache_bytes_variants", "contents=0,names=1")
            ratio = (m["cache_bytes"] / float(r["map_bytes"])) if m.get("cache_bytes") else None
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["map"], fmt(mb(r["map_bytes"])), status_cell(r),
                fmt(g(m, "json_parse", "median_ms")),
                fmt(g(m, "json_view_lookup", "median_ns"), digits=0),
                fmt(g(m, "cache_build", "median_ms")),
                fmt(mb(m.get("cache_bytes"))),
                fmt(ratio),
                fmt(mb(nocont)) if isinstance(nocont, int) else "–",
                fmt(g(m, "cache_open_bytes", "median_us")),
                fmt(g(m, "cache_open_path", "median_us")),
                fmt(g(m, "cache_open_lookup_close_path", "median_us")),
                fmt(g(m, "cache_path_view_lookup", "median_ns"), digits=0),
                fmt(g(m, "cache_path_view_lookup_raw", "median_ns"), digits=0),
                fmt(g(m, "cache_path_view_lookup_many", "median_ns"), digits=0),
                fmt(r.get("py_loop_ns"), digits=0),
                pct_agree(r.get("agreement"))))
        out.append("")

    others = [p for p in by if p not in ("libsourcemap", "symbolic", "mapback")]
    for peer in others:  # e.g. mapback, until it gets a table of its own
        out.append("### %s\n" % peer)
        out.append("| map | status | metrics |")
        out.append("|---|---|---|")
        for r in by[peer]:
            m = {k: v for k, v in (r["metrics"] or {}).items() if k not in ("sample",)}
            out.append("| %s | %s | `%s` |" % (r["map"], status_cell(r), json.dumps(m)))
        out.append("")

    out.append("### Maps\n")
    out.append("| map | package (member) | MB | gen lines | mappings | 1-field | sources | names "
               "| sourcesContent MB | max gen col | max orig col |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for m in report["maps"]:
        s = m["stats"]
        out.append("| %s | %s (%s) | %s | %d | %d | %d | %d | %d | %s | %d | %d |" % (
            m["id"] + ".map", m["package"], m["member"], fmt(mb(s["bytes"])),
            s["generated_lines"], s["mappings"], s["one_field_mappings"], s["sources"],
            s["names"], fmt(mb(s["sources_content_bytes"])), s["max_generated_column"],
            s["max_original_column"]))
    return "\n".join(out) + "\n"


def mapback_version():
    """The version in Cargo.toml (mapback runs from the source tree)."""
    with open(os.path.join(REPO, "Cargo.toml")) as manifest:
        for line in manifest:
            if line.startswith("version"):
                return line.split("=", 1)[1].strip().strip('"')
    return "unknown"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--maps", help="comma-separated map ids (default: all): " +
                   ", ".join(m["id"] for m in MAPS))
    p.add_argument("--peers", default=",".join(PEERS),
                   help="comma-separated peers (default: %(default)s)")
    p.add_argument("--positions", type=int, default=N_POSITIONS)
    p.add_argument("--sample", type=int, default=1000)
    p.add_argument("--passes", type=int, default=3)
    p.add_argument("--budget", type=float, default=2.0,
                   help="seconds per repeated one-shot measurement (in the worker)")
    p.add_argument("--timeout", type=float, default=900, help="seconds per (peer, map)")
    p.add_argument("--no-install", action="store_true",
                   help="use the existing .venv as it is (no pip install)")
    p.add_argument("--out", default=os.path.join(RESULTS, "peers.json"))
    args = p.parse_args(argv)

    maps = MAPS
    if args.maps:
        wanted = args.maps.split(",")
        unknown = set(wanted) - {m["id"] for m in MAPS}
        if unknown:
            p.error("unknown map(s): %s" % ", ".join(sorted(unknown)))
        maps = [m for m in MAPS if m["id"] in wanted]
    peers = args.peers.split(",")
    for peer in peers:
        if peer not in PEERS:
            p.error("unknown peer %r (have: %s)" % (peer, ", ".join(PEERS)))

    if not args.no_install or not os.path.exists(VENV_PY):
        ensure_venv()
    versions = installed_versions()
    versions["mapback"] = mapback_version()
    ensure_data(maps)

    report = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"),
        "machine": "%s %s, %d CPUs" % (platform.system(), platform.machine(),
                                       os.cpu_count() or 0),
        "versions": versions,
        "positions_per_map": args.positions, "sample": args.sample,
        "passes": args.passes, "budget_s": args.budget, "timeout_s": args.timeout,
        "maps": [], "results": [],
    }
    for m in maps:
        print("[positions] %s" % m["id"], file=sys.stderr, flush=True)
        pos_file, meta = generate_positions(m, args.positions, args.sample)
        report["maps"].append({"id": m["id"], "package": m["package"], "member": m["member"],
                               "tarball_sha256": m["tarball_sha256"],
                               "map_sha256": meta["map_sha256"], "stats": meta["map_stats"],
                               "position_kinds": meta["kinds"]})
        for peer in peers:
            print("[run] %s on %s ..." % (peer, m["id"]), end=" ", file=sys.stderr, flush=True)
            rec = run_worker(peer, m, pos_file, args)
            rec = dict({"peer": peer, "map": m["id"] + ".map",
                        "map_bytes": meta["map_stats"]["bytes"]}, **rec)
            metrics = rec.get("metrics") or {}
            if metrics.get("sample") is not None:
                rec["agreement"] = agreement(metrics["sample"], meta["reference"])
            if metrics.get("sample_sourcemapcache") is not None:
                rec["agreement_sourcemapcache"] = agreement(metrics["sample_sourcemapcache"],
                                                            meta["reference"])
            rec["py_loop_ns"] = g(metrics, "python_call_overhead", "median_ns")
            # the raw samples are only needed for the agreement figures above
            for key in ("sample", "sample_sourcemapcache"):
                if metrics.get(key) is not None:
                    metrics[key] = "%d answers (omitted)" % len(metrics[key])
            print(rec["status"] + (" (%s in %s)" % (rec.get("signal"), rec.get("phase"))
                                   if rec["status"] == "crash" else ""),
                  file=sys.stderr, flush=True)
            report["results"].append(rec)

    md = render(report)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(os.path.splitext(args.out)[0] + ".md", "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
