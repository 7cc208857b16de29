"""Shared fixtures of the scale-out tests on the real engines (`make test-scale`): the
real SDK events of tests/data/events replicated to a few thousand rows, the artifact
store sentry-cli's bundle makes, the single-process answers every engine must give
exactly, and a copy of the store with one entry's cache damaged."""

from __future__ import absolute_import

import glob
import io
import json
import os
import shutil
import sys

import pytest

import mapback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
EVENTS_DIR = os.path.join(ROOT, "tests", "data", "events")
BUNDLE_ZIP = os.path.join(EVENTS_DIR, "artifact-bundle.zip")
#: The browser app bundle's debug ID (tests/data/events/README.md): the entry damaged.
APP_DEBUG_ID = "869a7777-576f-454e-bd77-0b6aa3a52d82"
#: 8 real events x 300 = 2,400 rows, plus the bad rows below.
COPIES = 300
BAD_ROWS = ["{not json", "[1, 2]", '"a string"']

# The engines' worker processes import faults.py from here, and run this interpreter
# (whose site-packages hold the installed mapback).
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (HERE, os.environ.get("PYTHONPATH")) if p)
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
if HERE not in sys.path:
    sys.path.insert(0, HERE)


def _real_events():
    paths = sorted(glob.glob(os.path.join(EVENTS_DIR, "events", "*", "*.json")))
    assert len(paths) == 8, paths
    events = []
    for path in paths:
        with io.open(path, "rb") as handle:
            events.append((os.path.relpath(path, EVENTS_DIR), json.loads(handle.read().decode("utf-8"))))
    return events


@pytest.fixture(scope="session")
def rows():
    """[(row id, event JSON text)]: every real event COPIES times, each copy with its
    own event_id, then the rows that are not events."""
    out = []
    real = _real_events()
    for copy in range(COPIES):
        for _, event in real:
            event = dict(event, event_id="%032x" % len(out))
            out.append((len(out), json.dumps(event, sort_keys=True)))
    for bad in BAD_ROWS:
        out.append((len(out), bad))
    return out


@pytest.fixture(scope="session")
def store_path(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("scale") / "store")
    with mapback.Store(path) as store:
        assert store.add(BUNDLE_ZIP)["skipped"] == []
        assert store.verify()["ok"]
    return path


def single_process(store_path, rows):
    """{row id: (symbolicated JSON text or None, [errors])}: one Symbolicator in this
    process, called directly; the errors are those the symbolicated event has beyond
    the event's own (the events carry none)."""
    with mapback.Store(store_path) as store:
        symbolicator = mapback.Symbolicator.from_store(store)
    out = {}
    for row_id, text in rows:
        try:
            symbolicated = symbolicator.symbolicate_event_json(text).decode("utf-8")
        except mapback.MapbackError as error:
            out[row_id] = (None, [type(error).__name__])
            continue
        assert "errors" not in json.loads(text)
        out[row_id] = (symbolicated, json.loads(symbolicated).get("errors", []))
    return out


@pytest.fixture(scope="session")
def expected(store_path, rows):
    answers = single_process(store_path, rows)
    failed = [row_id for row_id, (symbolicated, _) in answers.items() if symbolicated is None]
    assert len(failed) == len(BAD_ROWS)
    return answers


@pytest.fixture(scope="session")
def damaged_store(store_path, tmp_path_factory):
    """A copy of the store whose browser app bundle's cache object is cut in half (as a
    disk or a copy gone wrong would): `verify` reports it, readers get CorruptStore."""
    path = str(tmp_path_factory.mktemp("damaged") / "store")
    shutil.copytree(store_path, path)
    with mapback.Store(path) as store:
        entry = store.find_by_debug_id(APP_DEBUG_ID)
        entry_id = entry.entry_id
        entry.close()
    with io.open(os.path.join(path, "entries", entry_id), "rb") as handle:
        record = json.loads(handle.read().decode("utf-8"))
    digest = record["cache"]["sha256"]
    cache = os.path.join(path, "objects", digest[:2], digest)
    size = os.path.getsize(cache)
    with open(cache, "r+b") as handle:
        handle.truncate(size // 2)
    with mapback.Store(path) as store:
        report = store.verify()
    assert not report["ok"] and any(p["path"] == cache for p in report["problems"]), report
    return path


def uses_app_bundle(text):
    """Whether an event has a frame in the damaged bundle (its debug ID is in
    debug_meta)."""
    return APP_DEBUG_ID in text


def check(results, expected, rows):
    """Every row once, each answer equal to the single-process one: the symbolicated
    JSON text byte for byte, the errors as a list."""
    assert sorted(results) == [row_id for row_id, _ in rows], "every row, exactly once"
    wrong = []
    for row_id, (symbolicated, errors) in sorted(results.items()):
        want_symbolicated, want_errors = expected[row_id]
        errors = json.loads(errors)
        if want_symbolicated is None:
            ok = symbolicated is None and [e["type"] for e in errors] == ["event_not_symbolicated"] \
                and [e["error"] for e in errors] == want_errors
        else:
            ok = symbolicated == want_symbolicated and errors == want_errors
        if not ok:
            wrong.append(row_id)
    assert wrong == [], "%d rows differ from the single-process answers, e.g. %r" % (len(wrong), wrong[:5])


def check_damaged(results, rows, expected):
    """Against the damaged store: the events with a frame in the damaged bundle have a
    js_invalid_source error naming it (and those frames unmapped), every other event is
    exactly as before, and nothing failed as a whole but the rows that are not events."""
    texts = dict(rows)
    hit = 0
    for row_id, (symbolicated, errors) in results.items():
        errors = json.loads(errors)
        if expected[row_id][0] is None:
            assert symbolicated is None
            continue
        if not uses_app_bundle(texts[row_id]):
            assert (symbolicated, errors) == expected[row_id], row_id
            continue
        hit += 1
        assert symbolicated is not None, "a damaged entry is a frame error, not a failed event"
        damaged = [e for e in errors if e["type"] == "js_invalid_source"]
        assert damaged and all(e["debug_id"] == APP_DEBUG_ID for e in damaged), errors
        assert "cache is" in damaged[0]["message"], damaged
        frames = [f for v in json.loads(symbolicated)["exception"]["values"] for f in v["stacktrace"]["frames"]
                  if f.get("filename", "").endswith("/assets/app.js")]
        assert frames and not any((f.get("data") or {}).get("symbolicated") for f in frames)
    assert hit == 4 * COPIES, "the 4 browser events, every copy"
