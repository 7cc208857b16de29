#!/usr/bin/env python3
"""Scores mapback and symbolic on the captured corpus. See README.md.

    PYTHONPATH=python tools/accuracy/.venv/bin/python tools/accuracy/score.py [--out FILE.md]

Reads build/dist/ (bundles, maps, manifest.json) and build/captures/<runtime>/*.json, prints a
markdown report and writes it to results/accuracy.md; the per-frame details go to
build/frames.json and every mapback miss to build/misses.md.

Ground truth, per error: the same scenario's reference (unminified) bundle, captured in the same
runtime. Each of its in-bundle frames is looked up in the reference map by refmap.py (neither
mapback nor symbolic), and its function name is the one the runtime printed there, normalised.
"""

from __future__ import print_function

import argparse
import collections
import datetime
import json
import os
import platform
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DIST = os.path.join(HERE, "build", "dist")
CAPTURES = os.path.join(HERE, "build", "captures")
SERVED_PREFIX = "http://127.0.0.1:4173/"
RUNTIMES = ["chromium", "firefox", "node"]
MINIFIERS = ["esbuild", "terser", "uglify", "swc"]
METRICS = ["source", "line", "line+column", "function"]
GOALS = {"source": 99.5, "line": 99.0, "line+column": 98.0, "function": 97.0}
ANON = "<anonymous>"

sys.path.insert(0, HERE)
import refmap  # noqa: E402

# --------------------------------------------------------------------------- stack text

V8_FRAME = re.compile(r"^\s*at (?:(.*?) \()?(.*?)\)?$")
AT_FRAME = re.compile(r"^(.*)@(.*)$")
LOCATION = re.compile(r"^(.*):(\d+):(\d+)$")


def parse_stack(stack, runtime):
    """[(printed function name or None, file, line, column)] for every frame line, in order.

    V8: `    at NAME (FILE:L:C)`, `    at FILE:L:C`, `    at NAME (native|<anonymous>)`;
    lines before the first `at` line are the header (the message may span lines).
    Firefox: `NAME@FILE:L:C`, one a line, no header. A frame whose location has no
    line/column (native, eval origin chains) gets file=None."""
    frames = []
    for line in stack.split("\n"):
        if runtime == "firefox":
            m = AT_FRAME.match(line.strip())
            if not m:
                continue
            name, location = m.group(1), m.group(2)
        else:
            if not re.match(r"^\s+at ", line):
                continue
            m = V8_FRAME.match(line.rstrip())
            name, location = m.group(1), m.group(2)
            if name is None and location.startswith("async ") and LOCATION.match(location[len("async "):]):
                # an anonymous async function awaiting: `at async FILE:L:C` (the file is not
                # `async FILE`); named ones print `at async NAME (FILE:L:C)`
                location = location[len("async "):]
            if name is None and not LOCATION.match(location):
                # `at NAME (native)` without parentheses cannot happen; `at <anonymous>` can
                name, location = location, ""
        loc = LOCATION.match(location)
        if loc:
            frames.append((name or None, loc.group(1), int(loc.group(2)), int(loc.group(3))))
        else:
            frames.append((name or None, None, None, None))
    return frames


def normalize_name(raw, runtime, renames=None):
    """The function name to compare: the last dotted identifier, undecorated.

    Strips `async ` and `new `, a trailing ` [as x]`, Firefox nesting (`a/b<` -> `b`),
    receiver/type prefixes (`Object.`, `Foo.prototype.`), `get `/`set `; anonymous,
    empty and top-level names become ANON. `renames` undoes the bundler's renames."""
    if raw is None:
        return ANON
    s = raw.strip()
    changed = True
    while changed:
        changed = False
        for prefix in ("async ", "new "):
            if s.startswith(prefix):
                s, changed = s[len(prefix):], True
    s = re.sub(r"\s*\[as [^\]]*\]$", "", s)
    if runtime == "firefox" and ("/" in s or s.endswith("<")):
        s = s.split("/")[-1].rstrip("<")
    if s in ("<anonymous>", "anonymous", "<computed>"):
        return ANON
    if s.endswith(".<anonymous>"):
        return ANON
    s = s.split(".")[-1] if not s.startswith("<") else s
    for prefix in ("get ", "set "):
        if s.startswith(prefix):
            s = s[len(prefix):]
    s = s.strip()
    if not s or s in ("<anonymous>", "anonymous", "<computed>"):
        return ANON
    if renames and s in renames:
        s = renames[s]
    return s


def canon_source(path):
    """Sources compared by their path from node_modules/ or scenarios/ on (every original
    of the corpus lives under one of them); e.g. `../../node_modules/yaml/x.js`,
    `http://127.0.0.1:4173/node_modules/yaml/x.js` and `/abs/node_modules/yaml/x.js` agree."""
    if not path:
        return None
    for marker in ("node_modules/", "scenarios/"):
        i = path.find(marker)
        if i >= 0:
            return path[i:]
    return path


# --------------------------------------------------------------------------- symbolicators


class MapbackRunner(object):
    name = "mapback"

    def __init__(self):
        import mapback

        self.version = getattr(mapback, "__version__", "?")
        self.sym = mapback.Symbolicator.from_directories(url_prefixes={SERVED_PREFIX: DIST}, maps_dirs=[DIST])

    def run(self, stack, url, frames, runtime):
        """The results for the frames of `frames` (the in-bundle frames of the trace, in
        order): one per frame, plus one before it for each function mapback rebuilt as
        inlined into it. Each result has the index of its minified frame."""
        trace = self.sym.symbolicate(stack)
        out = []
        mine = [f for f in trace.frames if _same_file(f.minified.get("abs_path"), url) and not f.minified.get("is_eval")]
        k = 0
        for i, fr in enumerate(frames):
            # mapback's frames in order; a frame it did not parse is a miss. A frame and
            # the inlined frames rebuilt before it share the minified position.
            j = k
            while j < len(mine) and (mine[j].minified.get("lineno"), mine[j].minified.get("colno")) != (fr[2], fr[3]):
                j += 1
            if j == len(mine):
                out.append({"error": "frame not parsed", "minified_index": i})
                continue
            group = [mine[j]]
            while group[-1].inlined and j + 1 < len(mine):
                j += 1
                group.append(mine[j])
            k = j + 1
            for got in group:
                if not got.mapped:
                    answer = {"error": "unmapped: %s" % (got.unmapped_reason or {}).get("kind"), "function": got.function}
                else:
                    answer = {
                        "source": got.abs_path or got.filename,
                        "line": got.lineno,
                        "column": got.colno,
                        "function": got.function,
                    }
                answer["minified_index"] = i
                if got.inlined:
                    answer["inlined"] = True
                out.append(answer)
        return out


def _same_file(a, b):
    if a is None or b is None:
        return False
    return a == b or a.replace("file://", "") == b


class SymbolicRunner(object):
    """symbolic 13.9.0: SourceMapView.lookup(line0, col0, minified_name, SourceView).

    The minified name given is the last identifier of what the runtime printed (symbolic
    only accepts a valid identifier). Its `function_name` is the answer; when it has none,
    the frame keeps the printed (minified) name, as an error tracker would show it."""

    name = "symbolic"

    def __init__(self):
        import symbolic  # noqa: F401
        from symbolic.sourcemap import SourceMapView, SourceView

        try:
            from importlib import metadata

            self.version = metadata.version("symbolic")
        except Exception:  # noqa: BLE001
            self.version = "?"
        self._SourceMapView, self._SourceView = SourceMapView, SourceView
        self._cache = {}

    def _load(self, url):
        if url not in self._cache:
            base = url[len(SERVED_PREFIX):] if url.startswith(SERVED_PREFIX) else os.path.basename(url)
            js_path = os.path.join(DIST, base)
            with open(js_path, "rb") as f:
                js = f.read()
            m = re.search(rb"//# sourceMappingURL=(\S+)\s*$", js)
            with open(os.path.join(DIST, m.group(1).decode()), "rb") as f:
                smv = self._SourceMapView.from_json_bytes(f.read())
            self._cache[url] = (smv, self._SourceView.from_bytes(js))
        return self._cache[url]

    def run(self, stack, url, frames, runtime):
        smv, sv = self._load(url)
        out = []
        for printed, _, line, col in frames:
            minified = normalize_name(printed, runtime)
            if minified == ANON or not re.match(r"^[A-Za-z_$][\w$]*$", minified):
                tok = smv.lookup(line - 1, col - 1)
            else:
                tok = smv.lookup(line - 1, col - 1, minified, sv)
            if tok is None or tok.src is None:
                out.append({"error": "no token"})
                continue
            out.append(
                {
                    "source": tok.src,
                    "line": tok.src_line + 1,
                    "column": tok.src_col + 1,
                    "function": tok.function_name if tok.function_name else printed,
                    "function_from": "symbolic" if tok.function_name else "printed",
                }
            )
        return out


class LookupRunner(object):
    """The baseline: a plain greatest-lower-bound lookup of each frame in the minified map
    (the first of several segments at one generated column, as mozilla/source-map does),
    with the independent reader of refmap.py, and the function name as the runtime printed
    it (no name recovery). Its positions are what the maps themselves say."""

    name = "lookup"
    version = "refmap.py"

    def __init__(self):
        self._cache = {}

    def run(self, stack, url, frames, runtime):
        if url not in self._cache:
            base = url[len(SERVED_PREFIX):] if url.startswith(SERVED_PREFIX) else os.path.basename(url)
            self._cache[url] = refmap.RefMap(os.path.join(DIST, base + ".map"))
        rmap = self._cache[url]
        out = []
        for printed, _, line, col in frames:
            hit = rmap.lookup_token(line - 1, col - 1)
            if hit is None:
                out.append({"error": "no mapping", "function": printed})
                continue
            answer = {"source": hit[0], "line": hit[1] + 1, "column": hit[2] + 1, "function": printed}
            if rmap.candidates(line - 1, col - 1) > 1:
                alt = rmap.lookup(line - 1, col - 1, last=True)
                answer["last_segment"] = {"source": alt[0], "line": alt[1] + 1, "column": alt[2] + 1}
            out.append(answer)
        return out


# --------------------------------------------------------------------------- scoring


def load_capture(runtime, bundle):
    with open(os.path.join(CAPTURES, runtime, bundle.replace(".js", ".json")), "r", encoding="utf-8") as f:
        return json.load(f)


def in_bundle(frames, url):
    return [f for f in frames if f[1] is not None and _same_file(f[1], url)]


def ground_truth(runtime, ref_bundle, stats):
    """{label: [truth frame or None]} for the reference capture of one scenario in one
    runtime; None marks an in-bundle frame in bundler runtime code (no original)."""
    cap = load_capture(runtime, ref_bundle)
    rmap = refmap.RefMap(os.path.join(DIST, ref_bundle + ".map"), os.path.join(DIST, ref_bundle))
    renames = rmap.renames()
    truth = collections.OrderedDict()
    for err in cap["errors"]:
        frames = []
        for printed, _, line, col in in_bundle(parse_stack(err["stack"], runtime), cap["url"]):
            hit = rmap.lookup_token(line - 1, col - 1)
            name = normalize_name(printed, runtime, renames)
            stats["ref_frames"] += 1
            if hit is None:
                stats["ref_unmapped"] += 1
                frames.append(None)
                continue
            if name != normalize_name(printed, runtime):
                stats["renamed"] += 1
            src, l0, c0, how = hit
            stats["ref_exact"] += int(how == "exact")
            stats["ref_walked"] += int(how == "walked")
            frames.append(
                {
                    "source": canon_source(src),
                    "line": l0 + 1,
                    "column": c0 + 1,
                    "function": name,
                    "printed": printed,
                    "code": rmap.source_line(src, l0),
                }
            )
        truth[err["label"]] = frames
    return truth


def compare(truth, got, runtime):
    """{metric: bool} for one frame. `truth` is None for an extra minified frame and `got`
    is None for a missing one: both are misses in every metric."""
    if truth is None or got is None:
        return {m: False for m in METRICS}
    src_ok = "source" in got and canon_source(got["source"]) == truth["source"]
    line_ok = src_ok and got.get("line") == truth["line"]
    col_ok = line_ok and got.get("column") == truth["column"]
    fn_ok = "function" in got and normalize_name(got["function"], runtime) == truth["function"]
    return {"source": src_ok, "line": line_ok, "line+column": col_ok, "function": fn_ok}


def same_frame(answer, truth, runtime):
    """An answer at the truth's source and line, with its function: what an exact trace
    needs of every frame."""
    return same_place(answer, truth) and normalize_name(answer.get("function"), runtime) == truth["function"]


def trace_measures(ref, answers, frames, runtime):
    """The trace-level measures of one tool on one error (see README.md): whether the trace
    is reproduced exactly; the frames it rebuilt (`inlined`) that pair with no reference
    frame (invented) or with one (recovered), in an order-preserving longest common
    subsequence on (source, line, function); and how many reference frames the runtime did
    not print (the minifier inlined them)."""
    scored = [t for t in ref if t is not None]
    exact = len(answers) == len(ref) and all(
        t is None or compare(t, a, runtime)["function"] and compare(t, a, runtime)["line"]
        for t, a in zip(ref, answers))
    exact_lines = len(answers) == len(ref) and all(
        t is None or compare(t, a, runtime)["line"] for t, a in zip(ref, answers))
    pairs = lcs_pairs(answers, scored, lambda a, t: same_frame(a, t, runtime))
    rebuilt = [k for k, a in enumerate(answers) if a.get("inlined")]
    recovered = sum(1 for k in rebuilt if k in pairs)
    return {
        "traces": 1,
        "exact": int(exact),
        "exact_lines": int(exact_lines),
        "rebuilt": len(rebuilt),
        "invented": len(rebuilt) - recovered,
        "recovered": recovered,
        "missing": max(0, len(ref) - len(frames)),
    }


def same_place(a, b):
    """Two frames (truth dicts or answers) at the same original source and line."""
    return (a is not None and b is not None and "source" in a and "source" in b
            and canon_source(a["source"]) == canon_source(b["source"]) and a.get("line") == b.get("line"))


def lcs_pairs(xs, ys, equal):
    """{index in xs: index in ys}: an order-preserving longest common subsequence."""
    n, m = len(xs), len(ys)
    dp = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            dp[i][j] = dp[i + 1][j + 1] + 1 if equal(xs[i], ys[j]) else max(dp[i + 1][j], dp[i][j + 1])
    pairs, i, j = {}, 0, 0
    while i < n and j < m:
        if equal(xs[i], ys[j]) and dp[i][j] == dp[i + 1][j + 1] + 1:
            pairs[i] = j
            i, j = i + 1, j + 1
        elif dp[i + 1][j] >= dp[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def ambiguous_names(truths):
    """{(scenario, label, source, line)}: reference frames whose normalised name differs
    between V8 (Chromium) and SpiderMonkey (Firefox) for the same original line, e.g.
    V8 names an anonymous callback after the property it was called through."""
    out = set()
    for scenario in truths["chromium"]:
        for label, v8 in truths["chromium"][scenario].items():
            sm = truths["firefox"][scenario].get(label, [])
            for i, j in lcs_pairs(v8, sm, same_place).items():
                if v8[i]["function"] != sm[j]["function"]:
                    out.add((scenario, label, v8[i]["source"], v8[i]["line"]))
    return out


VIEWS = ["index", "map-aligned", "same-count"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "results", "accuracy.md"))
    args = ap.parse_args()

    with open(os.path.join(DIST, "manifest.json"), "r", encoding="utf-8") as f:
        manifest = json.load(f)
    runners = [MapbackRunner(), SymbolicRunner(), LookupRunner()]
    names = [r.name for r in runners]

    # tables[view][tool][(runtime, minifier)][metric] = [hits, total]
    tables = {
        view: {n: collections.defaultdict(lambda: {m: [0, 0] for m in METRICS}) for n in names} for view in VIEWS
    }
    stats = collections.Counter()
    # traces[tool][(runtime, minifier)]: Counter of trace_measures
    traces = {n: collections.defaultdict(collections.Counter) for n in names}
    mismatch = collections.Counter()
    rows = []
    captured = {}
    truths = {rt: {} for rt in RUNTIMES}
    for runtime in RUNTIMES:
        for scenario, entry in manifest["scenarios"].items():
            truths[runtime][scenario] = ground_truth(runtime, entry["ref"], stats)
    ambiguous = ambiguous_names(truths)

    def add(view, tool, key, ok):
        for m in METRICS:
            cell = tables[view][tool][key][m]
            cell[0] += int(ok[m])
            cell[1] += 1

    for runtime in RUNTIMES:
        print("scoring %s ..." % runtime, file=sys.stderr)
        for scenario, entry in manifest["scenarios"].items():
            for minifier in MINIFIERS:
                cap = load_capture(runtime, entry["variants"][minifier])
                captured.setdefault(runtime, cap.get("version"))
                key = (runtime, minifier)
                for err in cap["errors"]:
                    label = err["label"]
                    ref = truths[runtime][scenario][label]
                    frames = in_bundle(parse_stack(err["stack"], runtime), cap["url"])
                    stats["errors"] += 1
                    same_count = len(frames) == len(ref)
                    if not same_count:
                        mismatch[key] += 1
                        stats["count_mismatch"] += 1
                        stats["missing_frames"] += max(0, len(ref) - len(frames))
                        stats["extra_frames"] += max(0, len(frames) - len(ref))
                    answers = {r.name: r.run(err["stack"], cap["url"], frames, runtime) for r in runners}
                    # Each tool's answer for each minified frame (mapback may answer a frame
                    # with several, rebuilding inlined functions: the first is where the
                    # position itself maps, which is what map-aligned pairs on).
                    per_frame = {}
                    for n in names:
                        per_frame[n] = {}
                        for i, answer in enumerate(answers[n]):
                            answer.setdefault("minified_index", i)
                            per_frame[n].setdefault(answer["minified_index"], answer)
                    for n in names:
                        traces[n][key].update(trace_measures(ref, answers[n], frames, runtime))
                    longest = max(len(a) for a in answers.values())
                    stats["mapback_inlined"] += sum(1 for a in answers["mapback"] if a.get("inlined"))
                    if len(answers["mapback"]) == len(ref):
                        stats["mapback_same_count"] += 1
                    # map-aligned: pairs from the plain lookup's answers, the same for every tool
                    pairs = lcs_pairs(ref, answers["lookup"], same_place)
                    for i in range(max(len(frames), len(ref), longest)):
                        t = ref[i] if i < len(ref) else None
                        if i < len(ref) and t is None:
                            continue  # reference frame in bundler runtime code: not scored
                        row = {
                            "runtime": runtime,
                            "minifier": minifier,
                            "scenario": scenario,
                            "label": label,
                            "index": i,
                            "minified": list(frames[i]) if i < len(frames) else None,
                            "truth": {k: v for k, v in (t or {}).items() if k != "code"} or None,
                            "code": t.get("code") if t else None,
                            "same_count": same_count,
                            "ambiguous_name": bool(t) and (scenario, label, t["source"], t["line"]) in ambiguous,
                        }
                        for n in names:
                            got = answers[n][i] if i < len(answers[n]) else None
                            ok = compare(t, got, runtime)
                            add("index", n, key, ok)
                            if same_count:
                                add("same-count", n, key, ok)
                            j = pairs.get(i) if t is not None else None
                            add("map-aligned", n, key, compare(t, per_frame[n].get(j) if j is not None else None, runtime))
                            row[n] = {"got": got, "ok": ok}
                        rows.append(row)

    report = render(manifest, runners, tables, stats, mismatch, rows, captured, len(ambiguous), traces)
    print(report)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(report)
    with open(os.path.join(HERE, "build", "frames.json"), "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=1)
    with open(os.path.join(HERE, "build", "misses.md"), "w", encoding="utf-8") as f:
        f.write(render_function_misses(rows, limit=None))
        f.write(render_position_misses(rows, limit=None))
    print("wrote %s, build/frames.json, build/misses.md" % os.path.relpath(args.out, ROOT), file=sys.stderr)


# --------------------------------------------------------------------------- report


def pct(cell):
    hits, total = cell
    return 100.0 * hits / total if total else float("nan")


def total_cell(table, keys, metric):
    return [sum(table[k][metric][0] for k in keys), sum(table[k][metric][1] for k in keys)]


def render_table(table, names, title):
    out = ["### %s" % title, ""]
    out.append("| runtime | minifier | frames | " + " | ".join(METRICS) + " |")
    out.append("|" + "---|" * (3 + len(METRICS)))

    def line(rt, mn, key_list, bold):
        n = total_cell(table[names[0]], key_list, METRICS[0])[1]
        vals = [" \\| ".join("%.1f" % pct(total_cell(table[name], key_list, m)) for name in names) for m in METRICS]
        if bold:
            return "| **%s** | **%s** | **%d** | %s |" % (rt, mn, n, " | ".join("**%s**" % v for v in vals))
        return "| %s | %s | %d | %s |" % (rt, mn, n, " | ".join(vals))

    for rt in RUNTIMES:
        for mn in MINIFIERS:
            out.append(line(rt, mn, [(rt, mn)], False))
        out.append(line(rt, "all", [(rt, mn) for mn in MINIFIERS], True))
    for mn in MINIFIERS:
        out.append(line("all", mn, [(rt, mn) for rt in RUNTIMES], False))
    out.append(line("all", "all", [(rt, mn) for rt in RUNTIMES for mn in MINIFIERS], True))
    out.append("")
    return out


def render_traces(traces, tables):
    """The issue-20 measures per runtime x minifier, mapback | symbolic."""
    names = ["mapback", "symbolic"]
    out = ["### Traces, rebuilt frames and columns", ""]
    out.append("Each cell: **mapback \\| symbolic**. *exact traces*: the share of traces whose every frame has the "
               "reference's source, line and function, in order, with no frame more or less. *added frames*: "
               "rebuilt (`inlined`) frames that pair with no reference frame, i.e. frames added where the unminified "
               "run has none (goal 0). *inlining recall*: rebuilt frames that pair with a reference frame, over the "
               "reference frames the minified run lacks (the frames the minifier really inlined). *line+column*: "
               "as in the headline table. *exact lines*: exact traces without the function names (V8 names some "
               "anonymous functions after a property or a neighbouring key, which no source map records).")
    out.append("")
    out.append("| runtime | minifier | traces | exact traces | exact lines | added frames | inlining recall | line+column |")
    out.append("|---|---|---|---|---|---|---|---|")

    def total(tool, keys, field):
        return sum(traces[tool][k][field] for k in keys)

    def line(rt, mn, keys, bold):
        n = total("mapback", keys, "traces")
        cells = [
            " \\| ".join("%.1f" % (100.0 * total(t, keys, "exact") / n if n else float("nan")) for t in names),
            " \\| ".join("%.1f" % (100.0 * total(t, keys, "exact_lines") / n if n else float("nan")) for t in names),
            " \\| ".join("%d" % total(t, keys, "invented") for t in names),
            " \\| ".join("%d/%d" % (total(t, keys, "recovered"), total(t, keys, "missing")) for t in names),
            " \\| ".join("%.1f" % pct(total_cell(tables["index"][t], keys, "line+column")) for t in names),
        ]
        if bold:
            return "| **%s** | **%s** | **%d** | %s |" % (rt, mn, n, " | ".join("**%s**" % c for c in cells))
        return "| %s | %s | %d | %s |" % (rt, mn, n, " | ".join(cells))

    for rt in RUNTIMES:
        for mn in MINIFIERS:
            out.append(line(rt, mn, [(rt, mn)], False))
        out.append(line(rt, "all", [(rt, mn) for mn in MINIFIERS], True))
    for mn in MINIFIERS:
        out.append(line("all", mn, [(rt, mn) for rt in RUNTIMES], False))
    keys = [(rt, mn) for rt in RUNTIMES for mn in MINIFIERS]
    out.append(line("all", "all", keys, True))
    out.append("")
    n = total("mapback", keys, "traces")
    exact = 100.0 * total("mapback", keys, "exact") / n if n else float("nan")
    same_count = [k for k in keys if k[1] == "esbuild"]
    n_esbuild = total("mapback", same_count, "traces")
    exact_esbuild = 100.0 * total("mapback", same_count, "exact") / n_esbuild if n_esbuild else float("nan")
    added = total("mapback", keys, "invented")
    out.append("| goal | mapback | met |")
    out.append("|---|---|---|")
    out.append("| frames added where the unminified run has none: 0 | %d | %s |" % (added, "yes" if added == 0 else "no"))
    out.append("| exact traces >= 99%% | %.1f%% (esbuild, which inlines nothing: %.1f%%) | %s |"
               % (exact, exact_esbuild, "yes" if exact >= 99.0 else "no"))
    for rt in RUNTIMES:
        lc = pct(total_cell(tables["index"]["mapback"], [(rt, mn) for mn in MINIFIERS], "line+column"))
        out.append("| line+column >= 98%% in %s | %.1f%% | %s |" % (rt, lc, "yes" if lc >= 98.0 else "no"))
    out.append("")
    return out


def render(manifest, runners, tables, stats, mismatch, rows, captured, n_ambiguous, traces):
    v = manifest["versions"]
    out = ["# mapback symbolication accuracy", ""]
    out.append(
        "Generated by `make accuracy` (tools/accuracy) on %s. Real npm libraries, bundled and minified by real "
        "minifiers, thrown in real runtimes; every frame of every minified trace is compared with the same "
        "error's frame in the unminified reference build. See tools/accuracy/README.md for how frames are "
        "aligned, normalised and scored." % datetime.date.today().isoformat()
    )
    out.append("")
    out.append("## Versions")
    out.append("")
    try:
        head = subprocess.check_output(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).decode().strip()
        dirty = subprocess.call(["git", "-C", ROOT, "diff", "--quiet", "HEAD", "--", "src", "python"]) != 0
    except Exception:  # noqa: BLE001
        head, dirty = "?", False
    out.append("- mapback %s, commit %s%s, through its Python package (`Symbolicator.from_directories`)"
               % (runners[0].version, head, " with uncommitted changes in src/ or python/" if dirty else ""))
    out.append("- symbolic %s (`SourceMapView.lookup(line, col, minified_name, SourceView)`), Python %s"
               % (runners[1].version, platform.python_version()))
    out.append("- runtimes: " + ", ".join("%s %s" % (rt, captured.get(rt)) for rt in RUNTIMES)
               + " (captured with tools/capture/capture.mjs)")
    out.append("- minifiers: " + ", ".join("%s %s" % kv for kv in v["minifiers"].items()) + "; built with node %s" % v["node"])
    out.append("- libraries: " + ", ".join("%s %s" % kv for kv in sorted(v["libraries"].items())))
    out.append("")
    out.append("## Corpus")
    out.append("")
    per = len(RUNTIMES) * len(MINIFIERS)
    out.append("- %d scenarios (tools/accuracy/scenarios/), %d throw sites; each scenario is built 5 times (1 "
               "reference + %d minified) and run in %d runtimes: %d minified traces scored."
               % (len(manifest["scenarios"]), stats["errors"] // per, len(MINIFIERS), len(RUNTIMES), stats["errors"]))
    out.append("- reference traces: %d in-bundle frames; %d of them fall exactly on a segment of the reference map; "
               "%d fall between segments and got their column by walking the reference's and the original's tokens "
               "in step from the segment before them (refmap.py `lookup_token`: the original column of the token the "
               "runtime reported); %d are in bundler runtime code (no original position, not scored); %d reference "
               "names undid an esbuild rename (`parse2` -> `parse`)."
               % (stats["ref_frames"], stats["ref_exact"], stats["ref_walked"], stats["ref_unmapped"],
                  stats["renamed"]))
    out.append("- %d reference frames (original lines) have different normalised names in V8 and in Firefox "
               "(e.g. V8 prints `Object.fn` for an anonymous callback called as `def.fn()`); they are scored against "
               "each runtime's own name all the same." % n_ambiguous)
    out.append("- minified traces with a different number of in-bundle frames than the reference (the minifier "
               "inlined a function): %d of %d, %d reference frames missing, %d extra. By runtime/minifier: %s."
               % (stats["count_mismatch"], stats["errors"], stats["missing_frames"], stats["extra_frames"],
                  ", ".join("%s/%s %d" % (k[0], k[1], c) for k, c in sorted(mismatch.items())) or "none"))
    out.append("- mapback rebuilt %d frames of inlined functions (`SymbolicatedFrame.inlined`); after that, %d of %d "
               "of its traces have as many in-bundle frames as the reference. Every frame it adds is scored: a wrong "
               "one, or one past the reference's last frame, is a miss."
               % (stats["mapback_inlined"], stats["mapback_same_count"], stats["errors"]))
    out.append("")
    out.append("## Results")
    out.append("")
    out.append("Each cell: **mapback \\| symbolic**, percent of scored frames.")
    out.append("")
    out.extend(render_table(tables["index"], ["mapback", "symbolic"],
                            "Headline: frames aligned by index from the innermost frame"))
    out.extend(render_traces(traces, tables))
    keys = [(rt, mn) for rt in RUNTIMES for mn in MINIFIERS]
    out.append("### Issue goals (headline table)")
    out.append("")
    out.append("| metric | goal | mapback | symbolic | mapback ahead of symbolic in every runtime x minifier cell |")
    out.append("|---|---|---|---|---|")
    for m in METRICS:
        mb = pct(total_cell(tables["index"]["mapback"], keys, m))
        sy = pct(total_cell(tables["index"]["symbolic"], keys, m))
        behind = ["%s/%s" % k for k in keys
                  if pct(tables["index"]["mapback"][k][m]) < pct(tables["index"]["symbolic"][k][m])]
        ties = [k for k in keys if pct(tables["index"]["mapback"][k][m]) == pct(tables["index"]["symbolic"][k][m])]
        verdict = "yes" if not behind and not ties else (
            "no: behind in " + ", ".join(behind) + ("; tied in %d" % len(ties) if ties else "") if behind
            else "no: tied in %d of %d cells" % (len(ties), len(keys)))
        out.append("| %s | >= %.1f%% | %.1f%% (%s) | %.1f%% | %s |"
                   % (m, GOALS[m], mb, "met" if mb >= GOALS[m] else "not met", sy, verdict))
    out.append("")
    out.append("### Diagnostics")
    out.append("")
    out.append("Same frames and denominators, other alignments. **map-aligned**: the reference frames are paired "
               "with the minified frames by an order-preserving longest common subsequence on (source, line) of the "
               "plain map lookup below (the same pairs for both tools), so a frame lost to inlining costs one miss "
               "instead of shifting every frame under it. **same-count**: only the traces without inlining.")
    out.append("")
    out.extend(render_table(tables["map-aligned"], ["mapback", "symbolic"], "map-aligned"))
    out.extend(render_table(tables["same-count"], ["mapback", "symbolic"], "same-count"))
    out.append("**What the maps allow** (headline alignment): a plain lookup of each minified frame in its map "
               "(tools/accuracy/refmap.py, greatest lower bound), with the function name left as the runtime printed "
               "it. Where mapback and symbolic both miss a position that this lookup also misses, the map itself "
               "points elsewhere (typically an inlined call mapped to the end of the inlined function).")
    out.append("")
    out.extend(render_table(tables["index"], ["lookup"], "plain lookup, headline alignment"))
    out.append(render_breakdown(rows))
    out.append(render_function_misses(rows, limit=25))
    out.append(render_position_misses(rows, limit=15))
    return "\n".join(out) + "\n"


def render_breakdown(rows):
    out = ["## Where mapback's misses are (headline alignment)", ""]
    out.append("| metric | misses | frame missing/extra at that index | also missed by the plain lookup | "
               "lookup right, mapback wrong | name differs between V8 and Firefox |")
    out.append("|---|---|---|---|---|---|")
    for m in METRICS:
        miss = [r for r in rows if not r["mapback"]["ok"][m]]
        gone = [r for r in miss if r["minified"] is None or r["truth"] is None]
        lk = [r for r in miss if r not in gone and not r["lookup"]["ok"][m]]
        lk_ok = [r for r in miss if r["lookup"]["ok"][m]]
        amb = [r for r in miss if r["ambiguous_name"]]
        out.append("| %s | %d | %d | %d | %d | %s |" % (m, len(miss), len(gone), len(lk), len(lk_ok),
                                                     len(amb) if m == "function" else "-"))
    out.append("")
    errs = collections.Counter((r["mapback"]["got"] or {}).get("error") for r in rows if r["minified"] is not None)
    errs.pop(None, None)
    out.append("Minified frames mapback returned no position for: %s." % (
        ", ".join("%s %d" % kv for kv in sorted(errs.items())) or "none"))
    out.append("")
    dup = collections.Counter()
    for r in rows:
        got = r["lookup"]["got"]
        if r["truth"] is None or not got or "last_segment" not in got:
            continue
        first = r["lookup"]["ok"]["line+column"]
        last = compare(r["truth"], got["last_segment"], r["runtime"])["line+column"]
        dup[(r["minifier"], "first" if first and not last else "last" if last and not first else "both" if first else "neither")] += 1
    if dup:
        out.append("Frames whose generated column starts several segments (the map gives two or more original "
                   "positions for one generated position), and which of them is the expected line and column: "
                   + ", ".join("%s: first %d, last %d, neither %d" % (mn, dup[(mn, "first")], dup[(mn, "last")], dup[(mn, "neither")])
                               for mn in MINIFIERS if any(dup[(mn, w)] for w in ("first", "last", "both", "neither")))
                   + ". mapback and symbolic take the first, like mozilla/source-map.")
        out.append("")
    out.append("Column differences (answer - expected) where source and line are right and the column is not:")
    out.append("")
    for name in ("mapback", "symbolic", "lookup"):
        diffs = collections.Counter()
        for r in rows:
            ok = r[name]["ok"]
            if ok["line"] and not ok["line+column"]:
                diffs[(r["runtime"], r["minifier"], r[name]["got"]["column"] - r["truth"]["column"])] += 1
        top = ", ".join("%s/%s %+d: %d" % (rt, mn, d, c) for (rt, mn, d), c in diffs.most_common(12))
        out.append("- %s: %s" % (name, top or "none"))
    out.append("")
    return "\n".join(out)


def _group(rows, key):
    groups = collections.OrderedDict()
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    return sorted(groups.items(), key=lambda kv: -len(kv[1]))


def render_function_misses(rows, limit):
    """mapback's wrong function names on frames whose source and line it got right."""
    miss = [r for r in rows if r["mapback"]["ok"]["line"] and not r["mapback"]["ok"]["function"]]
    groups = _group(miss, lambda r: (r["truth"]["function"], normalize_name(r["mapback"]["got"].get("function"), r["runtime"]),
                                     r["truth"]["source"], r["truth"]["line"]))
    out = ["## mapback's function-name misses where its source and line are right", ""]
    out.append("%d frames in %d (expected, mapback, location) groups%s. *expected* is the reference build's name "
               "as the runtime printed it, normalised; *V8/Firefox differ* marks names the two engines disagree on."
               % (len(miss), len(groups), ", the %d largest" % limit if limit and len(groups) > limit else ""))
    out.append("")
    for (exp, got, src, line), rs in (groups[:limit] if limit else groups):
        r0 = rs[0]
        where = sorted(set("%s/%s" % (r["runtime"], r["minifier"]) for r in rs))
        cols = sorted(set(r["mapback"]["got"].get("column") for r in rs))
        out.append("- expected `%s`, mapback `%s` (raw `%s`, column %s) at `%s:%d:%d`; %d frames: %s; printed `%s` in the reference%s"
                   % (exp, got, r0["mapback"]["got"].get("function"), "/".join(map(str, cols)), src, line, r0["truth"]["column"], len(rs),
                      ", ".join(where), r0["truth"]["printed"], "; V8/Firefox differ" if r0["ambiguous_name"] else ""))
        if r0.get("code") is not None:
            out.append("  ```js")
            out.append("  " + r0["code"].strip()[:200])
            out.append("  ```")
    out.append("")
    return "\n".join(out)


def render_position_misses(rows, limit):
    """Frames where the plain lookup finds the right line and mapback does not."""
    miss = [r for r in rows if r["lookup"]["ok"]["line+column"] and not r["mapback"]["ok"]["line+column"]]
    groups = _group(miss, lambda r: (r["truth"]["source"], r["truth"]["line"], r["truth"]["column"]))
    out = ["## Positions the plain lookup gets right and mapback does not", ""]
    out.append("%d frames in %d locations." % (len(miss), len(groups)))
    out.append("")
    for (src, line, col), rs in (groups[:limit] if limit else groups):
        r0 = rs[0]
        got = r0["mapback"]["got"] or {}
        out.append("- expected `%s:%d:%d`, mapback `%s:%s:%s` (%s); %d frames: %s"
                   % (src, line, col, canon_source(got.get("source")), got.get("line"), got.get("column"),
                      got.get("error", "mapped"), len(rs), ", ".join(sorted(set("%s/%s" % (r["runtime"], r["minifier"]) for r in rs)))))
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    main()
