"""The worker side of scaling out (mapback.worker), without an engine: the picklable
config, one symbolicator per process, the per-row results and errors the Spark and Dask
functions return, on the real SDK events of tests/data/events. The engines themselves
run in tests/scale (`make test-scale`)."""

from __future__ import absolute_import

import io
import json
import os
import pickle
import subprocess
import sys

import pytest

import mapback
from conftest import ROOT
from mapback.worker import EVENT_NOT_SYMBOLICATED, SymbolicatorConfig, symbolicate_column

EVENTS_DIR = os.path.join(ROOT, "tests", "data", "events")
BUNDLE_ZIP = os.path.join(EVENTS_DIR, "artifact-bundle.zip")


def _event_bytes(runtime, scenario):
    with io.open(os.path.join(EVENTS_DIR, "events", runtime, scenario + ".json"), "rb") as handle:
        return handle.read()


@pytest.fixture
def store_path(tmp_path):
    path = str(tmp_path / "store")
    with mapback.Store(path) as store:
        assert store.add(BUNDLE_ZIP)["skipped"] == []
    return path


def test_the_config_pickles_small_and_comes_back_equal(store_path):
    config = SymbolicatorConfig(store_path, context_lines=3, max_event_frames=500)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        data = pickle.dumps(config, protocol)
        assert len(data) < 500
        copy = pickle.loads(data)
        assert copy == config and hash(copy) == hash(config)
        assert copy.store_path == store_path
        assert copy.options == {"context_lines": 3, "max_event_frames": 500}
    assert SymbolicatorConfig(store_path, context_lines=4) != config


def test_a_store_object_gives_its_path_and_bad_options_fail_on_the_driver(store_path):
    with mapback.Store(store_path) as store:
        assert SymbolicatorConfig(store).store_path == store_path
    with pytest.raises(TypeError):
        SymbolicatorConfig(store_path, no_such_option=1)
    with pytest.raises(TypeError):
        SymbolicatorConfig(store_path, max_event_frames="many")
    with pytest.raises(TypeError):
        SymbolicatorConfig(42)


def test_one_symbolicator_per_process_and_config(store_path):
    config = SymbolicatorConfig(store_path)
    first = config.symbolicator()
    assert isinstance(first, mapback.Symbolicator)
    # A copy (what each task unpickles) finds the same one; other options make another.
    assert pickle.loads(pickle.dumps(config)).symbolicator() is first
    other = SymbolicatorConfig(store_path, context_lines=1).symbolicator()
    assert other is not first
    assert SymbolicatorConfig(store_path, context_lines=1).symbolicator() is other


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_makes_its_own_symbolicator(store_path):
    from mapback import worker

    config = SymbolicatorConfig(store_path)
    inherited = config.symbolicator()
    event = _event_bytes("node", "thrown")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            symbolicated, errors = config.symbolicate_event_json(event)
            own = config.symbolicator() is not inherited and worker._symbolicators_pid[0] == os.getpid()
            os.write(write, b"ok" if symbolicated and errors == [] and own else b"bad")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 10)
    os.close(read)
    os.waitpid(pid, 0)
    assert answer == b"ok"
    assert config.symbolicator() is inherited


def test_rows_equal_the_symbolicator_s_own_answers(store_path):
    config = SymbolicatorConfig(store_path)
    with mapback.Store(store_path) as store:
        reference = mapback.Symbolicator.from_store(store)
    for runtime, scenario in (("node", "thrown"), ("browser", "caused"), ("browser", "callback")):
        event = _event_bytes(runtime, scenario)
        symbolicated, errors = config.symbolicate_event_json(event)
        assert symbolicated == reference.symbolicate_event_json(event)
        # Text in gives the same bytes out.
        assert config.symbolicate_event_json(event.decode("utf-8"))[0] == symbolicated
        # The row's errors are those symbolication added to the event.
        assert errors == json.loads(symbolicated.decode("utf-8")).get("errors", [])


def test_the_errors_of_a_row_leave_out_those_the_event_arrived_with(store_path):
    config = SymbolicatorConfig(store_path)
    browser = json.loads(_event_bytes("browser", "callback").decode("utf-8"))
    _, added = config.symbolicate_event_json(json.dumps(browser))
    # The SDK frame in vendor.js: its map has no sourcesContent (tests/data/events/README.md).
    assert [e["type"] for e in added] == ["js_missing_sources_content"]
    browser["errors"] = [{"type": "already_there"}]
    symbolicated, errors = config.symbolicate_event_json(json.dumps(browser))
    assert errors == added
    assert json.loads(symbolicated.decode("utf-8"))["errors"] == [{"type": "already_there"}] + added
    # An event whose frames all map has no errors, and none is invented.
    node = _event_bytes("node", "thrown")
    assert config.symbolicate_event_json(node)[1] == []
    # An event mapback cannot find maps for gets the codes of docs/symbolication.md.
    unknown = json.loads(node.decode("utf-8"))
    unknown.pop("debug_meta", None)
    for value in unknown["exception"]["values"]:
        for frame in value["stacktrace"]["frames"]:
            frame["filename"] = "https://elsewhere.invalid/x.js"
    _, errors = config.symbolicate_event_json(json.dumps(unknown))
    assert errors and set(e["type"] for e in errors) == {"js_no_source"}


def test_a_bad_event_is_a_row_error_never_an_exception(store_path):
    config = SymbolicatorConfig(store_path, max_event_bytes=64 * 1024)
    cases = [
        (None, "NullEvent"),
        (b"{nope", "InvalidJsonError"),
        (b"[1, 2]", "InvalidArgumentError"),
        (b'{"a": "' + b"x" * (65 * 1024) + b'"}', "InputTooLargeError"),
        (12, "TypeError"),
    ]
    for event, error in cases:
        symbolicated, errors = config.symbolicate_event_json(event)
        assert symbolicated is None
        assert len(errors) == 1 and errors[0]["type"] == EVENT_NOT_SYMBOLICATED
        assert errors[0]["error"] == error, errors
        assert errors[0]["message"]


def test_symbolicate_column_takes_what_arrow_hands_over(store_path):
    config = SymbolicatorConfig(store_path)
    event = _event_bytes("node", "thrown")
    outputs, errors = symbolicate_column(config, [event, bytearray(event), event.decode("utf-8"), None,
                                                   float("nan"), b"{"])
    assert outputs[0] == outputs[1] == outputs[2]
    assert json.loads(outputs[0])["exception"]["values"][0]["stacktrace"]["frames"][-1]["data"]["symbolicated"]
    assert outputs[3:] == [None, None, None]
    assert errors[:3] == ["[]"] * 3
    assert [json.loads(e)[0]["error"] for e in errors[3:]] == ["NullEvent", "NullEvent", "InvalidJsonError"]


def test_importing_mapback_never_imports_the_engines():
    code = (
        "import sys, mapback, mapback.worker, mapback.spark, mapback.dask, mapback.cli;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'dask', 'distributed', 'pandas')))"
    )
    out = subprocess.check_output([sys.executable, "-c", code])
    assert out.strip() == b"[]"
