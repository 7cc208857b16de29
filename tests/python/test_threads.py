"""One map shared by many threads (cffi releases the GIL around native calls)."""

from __future__ import absolute_import

import random
import threading

import mapback


def test_threads_share_one_map(demo_map_bytes):
    source_map = mapback.SourceMap.from_bytes(demo_map_bytes)
    rng = random.Random(7)
    positions = [(rng.randint(0, 1), rng.randint(0, 1700)) for _ in range(2000)]
    expected = [source_map.lookup(line, column) for line, column in positions]
    failures = []

    def work():
        try:
            for _ in range(5):
                found = [source_map.lookup(line, column) for line, column in positions]
                if found != expected:
                    failures.append("lookup mismatch")
                batch = source_map.lookup_many([p[0] for p in positions], [p[1] for p in positions])
                if batch != expected:
                    failures.append("batch mismatch")
                # First use of the reverse index races on purpose.
                source_map.generated_position(0, 3, 0)
        except Exception as error:  # pragma: no cover - reported below
            failures.append(repr(error))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_threads_look_up_different_positions_at_once(demo_map_bytes):
    # Each thread has its own lookup request (the GIL is released during the native
    # call): threads asking different positions of one map at once each get their own.
    source_map = mapback.SourceMap.from_bytes(demo_map_bytes)
    tokens = list(source_map)
    failures = []
    start = threading.Event()  # (no threading.Barrier on Python 2.7)

    def work(offset):
        try:
            start.wait(10)
            for _ in range(20):
                for token in tokens[offset::6]:
                    found = source_map.lookup(token.generated_line, token.generated_column)
                    if found is None or found.generated_column != token.generated_column:
                        failures.append((offset, token.index, found))
        except Exception as error:  # pragma: no cover - reported below
            failures.append(repr(error))

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(6)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()
    assert failures == []
