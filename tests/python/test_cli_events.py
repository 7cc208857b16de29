"""``mapback symbolicate --store STORE --events IN.jsonl -o OUT.jsonl --jobs N``: files
of the real SDK events (tests/data/events), in process and as a command."""

from __future__ import absolute_import

import glob
import io
import json
import os
import multiprocessing
import signal
import subprocess
import sys

import pytest

import mapback
from conftest import ROOT, TextOut
from mapback import cli_events
from mapback.cli import main

EVENTS_DIR = os.path.join(ROOT, "tests", "data", "events")
BUNDLE_ZIP = os.path.join(EVENTS_DIR, "artifact-bundle.zip")


def _events():
    paths = sorted(glob.glob(os.path.join(EVENTS_DIR, "events", "*", "*.json")))
    assert len(paths) == 8
    events = []
    for path in paths:
        with io.open(path, "rb") as handle:
            events.append(json.loads(handle.read().decode("utf-8")))
    return events


@pytest.fixture
def batch(tmp_path):
    """A store, and a file of 25 copies of every real event (distinct event IDs), with
    a blank line, a line that is not JSON and one that is not an object among them."""
    store = str(tmp_path / "store")
    with mapback.Store(store) as opened:
        assert opened.add(BUNDLE_ZIP)["skipped"] == []
    lines = []
    for copy in range(25):
        for event in _events():
            event["event_id"] = "%032x" % len(lines)
            lines.append(json.dumps(event).encode("utf-8"))
    lines[40:40] = [b"", b"{not json", b"[1, 2]"]
    path = str(tmp_path / "in.jsonl")
    with open(path, "wb") as handle:
        handle.write(b"\n".join(lines) + b"\n")
    return store, path, lines


def _expected(store, lines):
    with mapback.Store(store) as opened:
        symbolicator = mapback.Symbolicator.from_store(opened)
    out = []
    for line in lines:
        if not line:
            continue
        try:
            out.append(symbolicator.symbolicate_event_json(line))
        except mapback.MapbackError:
            out.append(b"null")
    return out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_event_in_order_equal_to_one_symbolicator(batch, tmp_path, jobs, capfd, monkeypatch):
    store, path, lines = batch
    # Chunks of 16: the workers' part files come back out of order and are put in order.
    monkeypatch.setattr(cli_events, "CHUNK_EVENTS", 16)
    target = str(tmp_path / "out.jsonl")
    status = main(["symbolicate", "--store", store, "--events", path, "-o", target, "--jobs", jobs])
    assert status == 1, "two events could not be symbolicated"
    with open(target, "rb") as handle:
        written = handle.read().split(b"\n")
    assert written[-1] == b""
    expected = _expected(store, lines)
    assert len(expected) == 202
    assert written[:-1] == expected
    assert written[40:42] == [b"null", b"null"]
    err = capfd.readouterr().err
    # Line numbers count the blank line: the bad ones are lines 42 and 43.
    assert "line 42: InvalidJsonError" in err
    assert "line 43: InvalidArgumentError" in err
    assert "\r" not in err, "no progress bar when stderr is not a terminal"


def test_progress_and_stdout(batch, capfd):
    store, path, lines = batch
    out = TextOut()
    status = main(["symbolicate", "--store", store, "--events", path, "--jobs", "0", "--progress"], out=out)
    assert status == 1
    written = out.getvalue().encode("utf-8").split(b"\n")[:-1]
    assert written == _expected(store, lines)
    err = capfd.readouterr().err
    assert "202/202 events" in err
    assert "202 events (2 not symbolicated)" in err


def test_as_a_command_reading_stdin(batch):
    store, path, lines = batch
    with open(path, "rb") as handle:
        data = handle.read()
    good = b"\n".join(line for line in lines if line.startswith(b'{"'))
    proc = subprocess.Popen(
        [sys.executable, "-m", "mapback", "symbolicate", "--store", store, "--events", "-", "--jobs", "2"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    out, err = proc.communicate(good)
    assert proc.returncode == 0, err
    assert out.split(b"\n")[:-1] == _expected(store, [line for line in good.split(b"\n")])
    assert len(data) > len(good)


def test_usage_errors(batch, tmp_path):
    store, path, _ = batch
    assert main(["symbolicate", "--events", path, "--maps", str(tmp_path)]) == 2
    assert main(["symbolicate", "--store", store, "--events", path, "--jobs", "-1"]) == 2
    assert main(["symbolicate", "--store", store, "--events", path, "--event", path]) == 2
    assert main(["symbolicate", "--store", str(tmp_path / "none"), "--events", path]) == 2


def _die_on_line_60(chunk):
    if any(number == 60 for number, _ in chunk):
        os.kill(os.getpid(), signal.SIGKILL)
    return _SYMBOLICATE_LINES(chunk)


_SYMBOLICATE_LINES = cli_events._symbolicate_lines


@pytest.mark.skipif(
    sys.version_info < (3, 7) or multiprocessing.get_start_method() != "fork",
    reason="the executor path, and workers forked with the patched function",
)
def test_a_worker_that_dies_stops_the_run_with_an_error_not_a_hang(batch, tmp_path, monkeypatch, capfd):
    store, path, lines = batch
    monkeypatch.setattr(cli_events, "CHUNK_EVENTS", 16)
    monkeypatch.setattr(cli_events, "_symbolicate_lines", _die_on_line_60)
    target = str(tmp_path / "out.jsonl")
    status = main(["symbolicate", "--store", store, "--events", path, "-o", target, "--jobs", "2"])
    assert status == 1
    err = capfd.readouterr().err
    assert "a worker process died" in err
    with open(target, "rb") as handle:
        written = handle.read().split(b"\n")[:-1]
    # Whole chunks before the dead one, in order, and nothing after a gap.
    assert len(written) % 16 == 0 and len(written) < 59
    assert written == _expected(store, lines)[: len(written)]
