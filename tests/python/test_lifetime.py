"""Concurrency and lifetime under load: 16 threads on one map and one cache, fork after
threaded use, a million create/lookup/free cycles, and closed handles of every type."""

from __future__ import absolute_import

import itertools
import os
import random
import signal
import sys
import threading
import time

import pytest

import mapback
from conftest import DEMO_DIR

THREADS = 16
LOOKUPS_PER_THREAD = 100000


def _positions(count, seed):
    rng = random.Random(seed)
    return [(rng.randint(0, 1), rng.randint(0, 1700)) for _ in range(count)]


@pytest.mark.parametrize("kind", ["map", "cache"])
def test_sixteen_threads_on_one_handle_match_one_thread(demo_map_bytes, kind):
    source_map = mapback.SourceMap.from_bytes(demo_map_bytes)
    if kind == "cache":
        source_map = mapback.Cache.from_bytes(source_map.to_cache())
    positions = _positions(2000, 11)
    expected = [
        None if t is None else (t.source_index, t.original_line, t.original_column, t.name_index)
        for t in (source_map.lookup(line, column) for line, column in positions)
    ]
    failures = []
    start = threading.Event()

    def work():
        start.wait()
        try:
            done = 0
            while done < LOOKUPS_PER_THREAD:
                for (line, column), want in zip(positions, expected):
                    t = source_map.lookup(line, column)
                    got = None if t is None else (
                        t.source_index, t.original_line, t.original_column, t.name_index)
                    if got != want:
                        failures.append((line, column, got, want))
                        return
                done += len(positions)
        except Exception as error:  # reported below
            failures.append(repr(error))

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()
    assert failures == []


def test_fork_after_threaded_use_symbolicates_in_the_child(demo_map_bytes):
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    with open(os.path.join(DEMO_DIR, "trace-node.txt"), "rb") as handle:
        trace = handle.read()
    symbolicator = mapback.Symbolicator.from_directories(maps_dirs=[DEMO_DIR])
    source_map = mapback.SourceMap.from_bytes(demo_map_bytes)

    def busy():
        for _ in range(200):
            symbolicator.symbolicate(trace)
            source_map.lookup(0, 1610)

    # Threads are in and out of the library (and its locks) while the parent forks.
    workers = [threading.Thread(target=busy) for _ in range(4)]
    for worker in workers:
        worker.start()
    ok = 0
    for _ in range(100):
        pid = os.fork()
        if pid == 0:  # the child: one symbolication, then leave at once
            status = 1
            try:
                frames = symbolicator.symbolicate(trace).frames
                status = 0 if frames[0].function == "applyCoupon" else 3
            finally:
                os._exit(status)
        deadline = time.time() + 5
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.time() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                status = -1
                break
            time.sleep(0.005)
        ok += status == 0
    for worker in workers:
        worker.join()
    assert ok == 100


def _rss_bytes():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_a_million_create_lookup_free_cycles_do_not_grow_memory():
    data = b'{"version":3,"sources":["a.js"],"names":["run"],"mappings":"AAAA,IAAIA"}'

    def cycles(count):
        # itertools.repeat, not range: Python 2's range builds a list of `count` ints,
        # whose memory its int free list keeps (RSS +1.5 MB that is not mapback's).
        for _ in itertools.repeat(None, count):
            source_map = mapback.SourceMap.from_bytes(data)
            source_map.lookup(0, 6)
            source_map.close()

    cycles(20000)  # warm up allocator arenas and cffi's caches
    before = _rss_bytes()
    cycles(1000000)
    grown = _rss_bytes() - before
    assert grown < 1 << 20, "RSS grew by %d bytes" % grown


def test_closed_handles_raise_and_never_crash(demo_map_bytes, tmp_path):
    source_map = mapback.SourceMap.from_bytes(demo_map_bytes)
    cache = mapback.Cache.from_bytes(source_map.to_cache())
    builder = mapback.Builder()
    symbolicator = mapback.Symbolicator.from_directories(maps_dirs=[DEMO_DIR])
    for handle in (source_map, cache, builder, symbolicator):
        handle.close()
        handle.close()  # twice is fine
    calls = [
        lambda: source_map.lookup(0, 0),
        lambda: source_map.to_json(),
        lambda: source_map.rewrite(),
        lambda: len(cache),
        lambda: cache.verify(),
        lambda: builder.add_name("x"),
        lambda: builder.to_json(),
        lambda: symbolicator.symbolicate("Error\n    at f (a.js:1:1)"),
        lambda: mapback.compose([source_map]),
    ]
    for call in calls:
        with pytest.raises(mapback.ClosedError):
            call()
