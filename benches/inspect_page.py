#!/usr/bin/env python3
"""The inspector's figures (`make bench`, metric `inspect`; docs/inspect.md): for each
bench map and its script, the page `mapback inspect` writes, its size against the
inputs, the time mapback takes to make it, and the time to first render in Debian's
headless chromium (tests/inspect/first-render.mjs, the pinned puppeteer-core).

    python3 benches/inspect_page.py [--maps mermaid,jquery] [--loads 3] [--out DIR]

Needs `make develop` (python/mapback/libmapback.so, a release build) and the maps of
benches/fetch.sh; installs tests/inspect's npm packages (npm ci) when missing. Writes
DIR/inspect.json and DIR/inspect.md (default benches/results/), the pages into
benches/data/inspect/ and a screenshot of each page's panes and package treemap beside
them. Standard library only.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
DATA = os.path.join(BENCH, "data")
PAGES = os.path.join(DATA, "inspect")
BROWSER_DIR = os.path.join(REPO, "tests", "inspect")
GENERATIONS = 3

# Makes one page in a child process and prints the seconds inspect_html took.
GENERATE = r"""
import sys, time
import mapback
map_path, script_path, out = sys.argv[1:4]
document = open(map_path, "rb").read()
script = open(script_path, "rb").read().decode("utf-8", "replace")
started = time.perf_counter()
page = mapback.inspect_html(document, script=script, map_name=map_path.rsplit("/", 1)[-1],
                            script_name=script_path.rsplit("/", 1)[-1])
elapsed = time.perf_counter() - started
open(out, "wb").write(page)
print(elapsed)
"""


def ensure_browser():
    """Debian's chromium and the pinned puppeteer-core, as tests/inspect/run.sh has them."""
    if subprocess.call(["sh", "-c", "command -v chromium >/dev/null"]) != 0:
        sys.exit("inspect_page.py: chromium is missing (apt-get install chromium, or make test-inspect)")
    marker = os.path.join(BROWSER_DIR, "node_modules", ".installed")
    if not os.path.exists(marker):
        env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1")
        subprocess.check_call(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=BROWSER_DIR, env=env)
        open(marker, "w").close()


def generate(map_path, script_path, page):
    """Writes the page; returns the median seconds of GENERATIONS runs."""
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "python"))
    times = []
    for _ in range(GENERATIONS):
        out = subprocess.check_output([sys.executable, "-c", GENERATE, map_path, script_path, page], env=env)
        times.append(float(out.decode().strip()))
    return statistics.median(times)


def first_render(pages, loads, screenshots):
    command = ["node", os.path.join(BROWSER_DIR, "first-render.mjs"), str(loads)]
    if screenshots:
        command += ["--screenshots", screenshots]
    out = subprocess.check_output(command + pages, cwd=REPO)
    return {entry["page"]: entry for entry in json.loads(out.decode())["pages"]}


def mib(n):
    return "%.1f MiB" % (n / 1048576.0)


def run(maps, out_dir, loads=3):
    """Measures each (map id, label) with a script in data/; returns the rows written."""
    ensure_browser()
    os.makedirs(PAGES, exist_ok=True)
    rows = []
    for map_id, label in maps:
        map_path = os.path.join(DATA, map_id + ".map")
        script_path = os.path.join(DATA, map_id)
        if not (os.path.exists(map_path) and os.path.exists(script_path)):
            print("inspect: %s: no map or script in benches/data (run benches/fetch.sh): skipped" % label)
            continue
        page = os.path.join(PAGES, map_id + ".html")
        seconds = generate(map_path, script_path, page)
        rows.append({
            "map": map_id, "label": label, "page": page,
            "map_bytes": os.path.getsize(map_path), "script_bytes": os.path.getsize(script_path),
            "page_bytes": os.path.getsize(page), "generate_s": round(seconds, 3),
        })
        print("inspect: %s: page written in %.2f s" % (label, seconds), flush=True)
    renders = first_render([r["page"] for r in rows], loads, PAGES)
    for row in rows:
        render = renders[row["page"]]
        row["first_render_ms"] = render["median_ms"]
        row["first_render_loads_ms"] = render["loads_ms"]
        row["page_ratio"] = round(row["page_bytes"] / float(row["map_bytes"] + row["script_bytes"]), 3)
        row["page"] = os.path.relpath(row["page"], REPO)
    table = markdown(rows, loads)
    print(table)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "inspect.json"), "w") as handle:
        json.dump({"loads": loads, "generations": GENERATIONS, "rows": rows}, handle, indent=1)
        handle.write("\n")
    with open(os.path.join(out_dir, "inspect.md"), "w") as handle:
        handle.write(table + "\n")
    return rows


def markdown(rows, loads):
    lines = [
        "| map | map | script | page | page / (map + script) | mapback makes it | first render (median of %d) |" % loads,
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append("| %s | %s | %s | %s | %.2f | %.2f s | %d ms (%s) |" % (
            r["label"], mib(r["map_bytes"]), mib(r["script_bytes"]), mib(r["page_bytes"]), r["page_ratio"],
            r["generate_s"], r["first_render_ms"], ", ".join(str(t) for t in r["first_render_loads_ms"])))
    return "\n".join(lines)


def main():
    sys.path.insert(0, BENCH)
    import run as bench  # the bench's maps, (id, label), smallest first, and their inputs

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--maps", help="labels or ids, comma-separated (default: every bench map)")
    parser.add_argument("--loads", type=int, default=3, help="page loads per map (default 3)")
    parser.add_argument("--out", default=os.path.join(BENCH, "results"), help="where inspect.{json,md} go")
    args = parser.parse_args()
    maps = bench.MAPS
    if args.maps:
        wanted = set(args.maps.split(","))
        maps = [m for m in bench.MAPS if m[0] in wanted or m[1] in wanted]
        if not maps:
            sys.exit("inspect_page.py: no map matches %s" % args.maps)
    if any(m[0] == bench.INDEX_ID for m in maps):
        bench.write_index_map(bench.Derived())  # run.py's derived index map, when stale
    run(maps, args.out, args.loads)


if __name__ == "__main__":
    main()
