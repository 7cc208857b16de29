"""mapback.dask on a real Dask LocalCluster: 2 worker processes of one thread each,
under nannies. A few thousand real SDK events, as a bag and as a DataFrame, must equal
the single-process answers exactly, with a worker process SIGKILLed mid-job (its nanny
restarts it, the scheduler reruns its tasks) and with a damaged store entry."""

from __future__ import absolute_import

import os

import pytest

from conftest import check, check_damaged
from faults import CountingConfig, KillOnce
from mapback.dask import symbolicate_events

PARTITIONS = 8


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None)
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


def bag_of(rows):
    import dask.bag

    return dask.bag.from_sequence([text for _, text in rows], npartitions=PARTITIONS)


def from_bag(pairs, rows):
    assert len(pairs) == len(rows)
    return dict((row_id, pair) for (row_id, _), pair in zip(rows, pairs))


def test_a_bag_equals_one_process_with_one_symbolicator_per_worker(client, store_path, expected, rows, tmp_path):
    log = str(tmp_path / "symbolicators.log")
    pairs = symbolicate_events(bag_of(rows), CountingConfig(store_path, log=log)).compute()
    check(from_bag(pairs, rows), expected, rows)
    with open(log) as handle:
        pids = handle.read().split()
    assert len(pids) == len(set(pids)), pids
    assert 1 <= len(pids) <= 2, "one per worker process, across %d partitions: %r" % (PARTITIONS, pids)
    workers = client.run(os.getpid)
    assert set(int(p) for p in pids) <= set(workers.values())


def test_a_dataframe_gets_the_two_columns(client, store_path, expected, rows):
    import dask.dataframe
    import pandas

    frame = dask.dataframe.from_pandas(
        pandas.DataFrame({"id": [i for i, _ in rows], "event": [t for _, t in rows]}), npartitions=PARTITIONS
    )
    out = symbolicate_events(frame, store_path).compute()
    assert list(out.columns) == ["id", "event", "symbolicated", "symbolicated_errors"]
    results = dict((row_id, (None if s is None or s != s else s, e))
                   for row_id, s, e in zip(out["id"], out["symbolicated"], out["symbolicated_errors"]))
    check(results, expected, rows)


def test_a_worker_killed_mid_job_gives_the_same_output(client, store_path, expected, rows, tmp_path):
    marker = str(tmp_path / "killed")
    victim = '"event_id": "%032x"' % (len(rows) // 2)
    workers_before = set(client.run(os.getpid).values())
    pairs = symbolicate_events(bag_of(rows), KillOnce(store_path, victim=victim, marker=marker)).compute()
    check(from_bag(pairs, rows), expected, rows)
    with open(marker) as handle:
        killed = int(handle.read())
    assert killed in workers_before, "a worker process was killed"
    client.wait_for_workers(2, timeout=60)
    assert killed not in set(client.run(os.getpid).values()), "its nanny started a new one"


def test_a_damaged_store_entry_is_a_row_error_not_a_failed_job(client, damaged_store, expected, rows):
    pairs = symbolicate_events(bag_of(rows), damaged_store).compute()
    check_damaged(from_bag(pairs, rows), rows, expected)


def test_bad_arguments_fail_on_the_client(store_path, rows):
    with pytest.raises(TypeError):
        symbolicate_events([1, 2], store_path)
    with pytest.raises(TypeError):
        symbolicate_events(bag_of(rows), store_path, no_such_option=1)
