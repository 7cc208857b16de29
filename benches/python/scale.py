#!/usr/bin/env python3
"""The `scale` metric of `make bench` (benches/run.py runs it; docs/scale.md): how
symbolication scales from one process to two, through the batch CLI and through Spark.

    scale.py --data DIR --maps ID,... --events N --out RESULT.json [--spark-master local[2]]

1. An artifact store holding every map given (the generated file beside its map, added
   as a build step would: `mapback store add`).
2. N Sentry events of 30 frames, round-robin over the maps, each made by worker.py's
   make_events (the `event` metric's generator: real token positions of the map,
   from its positions file), written as JSON lines.
3. The same file symbolicated, each run timed from start to end, output discarded
   (`-o /dev/null`; Spark: an aggregate over the symbolicated column, which forces it
   and counts the rows that were symbolicated):
   - `mapback symbolicate --events --jobs 1`: the single-process baseline;
   - `--jobs 2`;
   - `mapback.spark.symbolicate_events` on a `local[2]` SparkSession reading the file
     with `spark.read.text` (the session's start not timed; the best of two runs).
4. RESULT.json: events/s of each, events/s per core, each over linear (2 cores doing
   twice the single process's rate), and the per-event CPU Spark adds.

Run with the interpreter of .venv-scale (pyspark) and PYTHONPATH=<repo>/python:<this
directory>, so that mapback is the source tree's (`make develop`).
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from worker import BASE_URL, generated_path, load_positions, make_events, store_directory

CORES = 2


def build_store(store, data, map_ids):
    import mapback

    started = time.perf_counter()
    with mapback.Store(store) as opened:
        for map_id in map_ids:
            dist = store_directory(os.path.join(data, map_id + ".map"))
            try:
                summary = opened.add(dist)
            finally:
                shutil.rmtree(dist, ignore_errors=True)
            if not summary["added"] or summary["skipped"]:
                sys.exit("scale.py: %s: the store did not take it: %r" % (map_id, summary))
    return time.perf_counter() - started


def write_events(path, data, map_ids, count):
    """N events, event k from map k mod M; returns (events, bytes)."""
    per_map = []
    for map_id in map_ids:
        map_path = os.path.join(data, map_id + ".map")
        url = BASE_URL + os.path.basename(generated_path(map_path))
        positions = load_positions(os.path.join(data, map_id + ".positions"))
        per_map.append(make_events(positions, url, count=-(-count // len(map_ids))))
    written = 0
    with open(path, "wb") as handle:
        for k in range(count):
            event = per_map[k % len(map_ids)][k // len(map_ids)]
            event["event_id"] = "%032x" % k
            line = json.dumps(event, separators=(",", ":")).encode("utf-8") + b"\n"
            handle.write(line)
            written += len(line)
    return count, written


def children_cpu():
    """CPU seconds of this process's children (and theirs) that have been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_cpu(root):
    """CPU seconds of the live processes under ``root`` (root excluded), each with its
    waited-for children: the JVM, the PySpark daemon and its Python workers."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except (IOError, OSError):
                continue
            parents[int(name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
    ticks = float(os.sysconf("SC_CLK_TCK"))
    total, frontier = 0, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, cpu) in parents.items():
            if ppid == parent:
                total += cpu
                frontier.append(pid)
    return total / ticks


def run_cli(store, events, jobs):
    """(wall seconds, CPU seconds of the CLI and its workers)."""
    cmd = [sys.executable, "-m", "mapback", "symbolicate", "--store", store, "--events", events,
           "-o", os.devnull, "--jobs", str(jobs)]
    cpu = children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit("scale.py: %s failed (%d): %s" % (" ".join(cmd), proc.returncode, proc.stderr[-2000:]))
    return elapsed, children_cpu() - cpu


def mean_output_bytes(store, events, sample=700):
    """The mean size of a symbolicated event (what every row carries out), over the
    first ``sample`` events (100 per map, for 7 maps)."""
    import mapback

    sizes = []
    with mapback.Store(store) as opened:
        symbolicator = mapback.Symbolicator.from_store(opened)
        with open(events, "rb") as handle:
            for line, _ in zip(handle, range(sample)):
                sizes.append(len(symbolicator.symbolicate_event_json(line)))
    return sum(sizes) / float(len(sizes))


def run_spark(store, events, count, master, partitions):
    from pyspark.sql import SparkSession
    from pyspark.sql import functions

    from mapback.spark import symbolicate_events

    os.environ["PYSPARK_PYTHON"] = sys.executable
    size = os.path.getsize(events)
    spark = (
        SparkSession.builder.master(master)
        .appName("mapback-bench-scale")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        # Enough splits of the file for both cores to stay busy to the end.
        .config("spark.sql.files.maxPartitionBytes", str(max(size // partitions, 1 << 20)))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        runs = []
        for _ in range(2):
            frame = spark.read.text(events)
            out = symbolicate_events(frame, store, event_column="value")
            cpu = tree_cpu(os.getpid()) + sum(os.times()[:2])
            started = time.perf_counter()
            row = out.agg(
                functions.count("symbolicated").alias("symbolicated"),
                functions.count("*").alias("rows"),
            ).collect()[0]
            runs.append((time.perf_counter() - started, tree_cpu(os.getpid()) + sum(os.times()[:2]) - cpu))
            if row["rows"] != count or row["symbolicated"] != count:
                sys.exit("scale.py: Spark symbolicated %d of %d rows (of %d events)"
                         % (row["symbolicated"], row["rows"], count))
        return runs, frame.rdd.getNumPartitions()
    finally:
        spark.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="benches/data: maps, generated files, positions")
    parser.add_argument("--maps", required=True, help="comma-separated map ids")
    parser.add_argument("--events", type=int, default=100000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--spark-master", default="local[%d]" % CORES)
    parser.add_argument("--partitions", type=int, default=16)
    args = parser.parse_args(argv)
    map_ids = args.maps.split(",")

    work = tempfile.mkdtemp(prefix="mapback-bench-scale-")
    try:
        store = os.path.join(work, "store")
        events = os.path.join(work, "events.jsonl")
        ingest_s = build_store(store, args.data, map_ids)
        count, size = write_events(events, args.data, map_ids, args.events)
        out_bytes = mean_output_bytes(store, events)
        print("scale: %d events (%.0f MB) over %d maps; store built in %.1f s" % (
            count, size / 1e6, len(map_ids), ingest_s), file=sys.stderr, flush=True)
        single, single_cpu = run_cli(store, events, 1)
        print("scale: --jobs 1: %.1f s (%.1f s CPU)" % (single, single_cpu), file=sys.stderr, flush=True)
        double, double_cpu = run_cli(store, events, CORES)
        print("scale: --jobs %d: %.1f s (%.1f s CPU)" % (CORES, double, double_cpu), file=sys.stderr, flush=True)
        spark_runs, partitions = run_spark(store, events, count, args.spark_master, args.partitions)
        print("scale: Spark %s: %s" % (args.spark_master, ", ".join(
            "%.1f s (%.1f s CPU)" % r for r in spark_runs)), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    spark, spark_cpu = min(spark_runs)
    rate = {"cli_jobs1": count / single, "cli_jobs2": count / double, "spark": count / spark}
    # CPU per event: what a dedicated core costs, whatever else ran on the machine.
    cpu_us = dict((k, 1e6 * v / count) for k, v in
                  (("cli_jobs1", single_cpu), ("cli_jobs2", double_cpu), ("spark", spark_cpu)))
    result = {
        "events": count,
        "maps": map_ids,
        "input_bytes_per_event": size / float(count),
        "output_bytes_per_event": out_bytes,
        "ingest_s": ingest_s,
        "cores": CORES,
        "spark_master": args.spark_master,
        "spark_partitions": partitions,
        "seconds": {"cli_jobs1": single, "cli_jobs2": double, "spark_runs": [r[0] for r in spark_runs]},
        "cpu_seconds": {"cli_jobs1": single_cpu, "cli_jobs2": double_cpu, "spark_runs": [r[1] for r in spark_runs]},
        "cpu_us_per_event": cpu_us,
        # Per core, from CPU time: the rate each core gives when it is the job's alone.
        "events_per_cpu_s": dict((k, 1e6 / v) for k, v in cpu_us.items()),
        "over_linear_cpu": {
            "cli_jobs2": cpu_us["cli_jobs1"] / cpu_us["cli_jobs2"],
            "spark": cpu_us["cli_jobs1"] / cpu_us["spark"],
        },
        "events_per_s": rate,
        "events_per_s_per_core": {
            "cli_jobs1": rate["cli_jobs1"],
            "cli_jobs2": rate["cli_jobs2"] / CORES,
            "spark": rate["spark"] / CORES,
        },
        "over_linear": {
            "cli_jobs2": rate["cli_jobs2"] / (CORES * rate["cli_jobs1"]),
            "spark": rate["spark"] / (CORES * rate["cli_jobs1"]),
        },
        # What Spark adds per event: its CPU per event beyond the single process's
        # (and the same from wall time, 2 cores counted busy for the whole run).
        "spark_overhead_cpu_us_per_event": cpu_us["spark"] - cpu_us["cli_jobs1"],
        "spark_overhead_us_per_event": 1e6 * (CORES * spark / count - single / count),
        "load": list(os.getloadavg()),
    }
    with open(args.out, "w") as handle:
        json.dump(result, handle, indent=1)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
