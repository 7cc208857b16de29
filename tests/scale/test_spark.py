"""mapback.spark on a real local Spark (pyspark from PyPI, Java 17): `local[2,4]`, two
task slots with up to 4 attempts per task, as a cluster's default
spark.task.maxFailures gives (plain `local[2]` allows one attempt: a killed worker
would fail the job). A few thousand real SDK events through mapInArrow must equal the
single-process answers exactly, with a Python worker SIGKILLed mid-job and with a
damaged store entry."""

from __future__ import absolute_import

import os
import shutil

import pytest

from conftest import check, check_damaged
from faults import CountingConfig, KillOnce
from mapback.spark import symbolicate_events

PARTITIONS = 8


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2,4]")
        .appName("mapback-test-scale")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(PARTITIONS))
        # Small Arrow batches: each partition reaches Python in several batches.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "100")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def frame(spark, rows):
    return spark.sparkContext.parallelize(rows, PARTITIONS).toDF("id long, event string").cache()


def collect(df, output="symbolicated", errors="symbolicated_errors"):
    return dict((row["id"], (row[output], row[errors])) for row in df.select("id", output, errors).collect())


def test_results_equal_one_process_and_one_symbolicator_per_worker(frame, store_path, expected, rows, tmp_path):
    log = str(tmp_path / "symbolicators.log")
    out = symbolicate_events(frame, CountingConfig(store_path, log=log))
    assert out.columns == ["id", "event", "symbolicated", "symbolicated_errors"]
    check(collect(out), expected, rows)
    with open(log) as handle:
        pids = handle.read().split()
    # Each Python worker made its symbolicator once and kept it across partitions.
    assert len(pids) == len(set(pids)), pids
    assert 1 <= len(pids) < PARTITIONS, pids
    assert str(os.getpid()) not in pids, "made on the executors, not the driver"


def test_a_python_worker_killed_mid_job_is_retried_to_the_same_output(frame, store_path, expected, rows, tmp_path):
    marker = str(tmp_path / "killed")
    victim = '"event_id": "%032x"' % (len(rows) // 2)  # mid-job, mid-partition
    out = symbolicate_events(frame, KillOnce(store_path, victim=victim, marker=marker),
                             output_column="out", errors_column="problems")
    check(collect(out, "out", "problems"), expected, rows)
    with open(marker) as handle:
        killed = int(handle.read())
    assert killed != os.getpid(), "a worker process was killed, not the driver"


def test_a_damaged_store_entry_is_a_row_error_not_a_failed_job(frame, damaged_store, expected, rows):
    # As binary, the other column type the function takes.
    binary = frame.withColumn("event", frame["event"].cast("binary"))
    out = symbolicate_events(binary, damaged_store)
    check_damaged(collect(out), rows, expected)


def test_a_store_shipped_with_the_job_as_an_archive(spark, frame, store_path, expected, rows, tmp_path):
    # The store packed as an archive, shipped to every executor (as `spark-submit
    # --archives artifacts.tar.gz#artifacts` does) and named by its relative path.
    archive = shutil.make_archive(str(tmp_path / "artifacts"), "gztar", os.path.dirname(store_path), "store")
    spark.sparkContext.addArchive(archive + "#shipped")
    part = frame.where(frame["id"] % 10 == 0)
    results = collect(symbolicate_events(part, os.path.join("shipped", "store")))
    check(results, expected, [(row_id, text) for row_id, text in rows if row_id % 10 == 0])
    assert not os.path.exists("shipped"), "found where Spark unpacked it, not in the working directory"


def test_bad_arguments_fail_on_the_driver(frame, store_path):
    with pytest.raises(ValueError):
        symbolicate_events(frame, store_path, event_column="nope")
    with pytest.raises(TypeError):
        symbolicate_events(frame, store_path, event_column="id")
    with pytest.raises(TypeError):
        symbolicate_events(frame, store_path, no_such_option=1)
    with pytest.raises(ValueError):
        symbolicate_events(frame, store_path, output_column="x", errors_column="x")
