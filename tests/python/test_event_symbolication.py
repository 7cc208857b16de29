"""Structured symbolication from Python, on the real SDK events (tests/data/events, made by
`make events-fixtures`): a symbolicator over an artifact store that sentry-cli's artifact
bundle was added to symbolicates every event @sentry/browser (Chromium) and @sentry/node
sent, and every expected frame is checked against the unminified reference run
(expectations.json), with the comparison rules of tests/events.rs. Then the frames API,
bad input, and 4 processes symbolicating while 4 others add to the same store."""

from __future__ import absolute_import

import io
import json
import os
import subprocess
import sys
import threading
import time
import zipfile

import pytest

import mapback
from conftest import ROOT

EVENTS_DIR = os.path.join(ROOT, "tests", "data", "events")
BUNDLE_ZIP = os.path.join(EVENTS_DIR, "artifact-bundle.zip")
HERE = os.path.dirname(os.path.abspath(__file__))


def _json(path):
    with io.open(path, "rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


EXPECTATIONS = _json(os.path.join(EVENTS_DIR, "expectations.json"))["events"]


def _undecorated(name):
    """A function name without what V8 adds at run time: ``async `` and `` [as x]``."""
    if name.startswith("async "):
        name = name[len("async "):]
    return name.split(" [as ", 1)[0]


def same_function(got, want):
    """tests/events.rs's `same_function`: equal once undecorated; a bare name from
    mapback matches the reference behind a receiver type (``Object.thrown``); "no
    name" (``?``, ``Object.?``) matches null or ``<anonymous>``."""
    if want is None:
        return got is None
    want = _undecorated(want)
    unnamed = want == "?" or want.endswith(".?")
    if got is None or _undecorated(got) == "<anonymous>":
        return unnamed
    got = _undecorated(got)
    if "." in got:
        return got == want
    return got == want or (want.endswith(got) and want[: -len(got)].endswith("."))


def test_same_function_allows_only_v8_s_run_time_decorations():
    assert same_function("Checkout.placeOrder", "async Checkout.placeOrder")
    assert same_function("onValidateTimer", "Timeout.onValidateTimer [as _onTimeout]")
    assert same_function("thrown", "Object.thrown")
    assert same_function(None, "Object.?")
    assert same_function("<anonymous>", "?")
    assert not same_function("summary", "Checkout.summarize")
    assert not same_function("Cart.summary", "Checkout.summary")
    assert not same_function("mary", "Checkout.summary")
    assert not same_function(None, "discountFor")
    assert not same_function("discountFor", "?")


def wrong_frames(symbolicator, events=None):
    """(frames checked, descriptions of wrong frames) over every expected event: each
    expected frame's file, line, column and function, ``found_by`` debug ID, context,
    and the frames as sent kept as ``raw_stacktrace``."""
    checked, wrong = 0, []
    for path, expected in sorted(EXPECTATIONS.items()):
        sent = events[path] if events else _json(os.path.join(EVENTS_DIR, path))
        out = symbolicator.symbolicate_event(sent)
        values = out["exception"]["values"]
        if len(values) != len(expected["exceptions"]):
            wrong.append("%s: %d exceptions" % (path, len(values)))
            continue
        for e, (value, want_exception) in enumerate(zip(values, expected["exceptions"])):
            if value.get("raw_stacktrace") != sent["exception"]["values"][e]["stacktrace"]:
                wrong.append("%s exception %d: raw_stacktrace is not the frames as sent" % (path, e))
            frames = value["stacktrace"]["frames"]
            if len(frames) != len(want_exception["frames"]):
                wrong.append("%s exception %d: %d frames" % (path, e, len(frames)))
                continue
            for i, (frame, want) in enumerate(zip(frames, want_exception["frames"])):
                truth = want["expected"]
                if truth is None:
                    continue
                checked += 1
                got = (frame.get("abs_path"), frame.get("filename"), frame.get("lineno"), frame.get("colno"))
                wanted = (truth["abs_path"], truth["source"], truth["lineno"], truth["colno"])
                data = frame.get("data") or {}
                if (
                    got != wanted
                    or not same_function(frame.get("function"), truth["function"])
                    or data.get("symbolicated") is not True
                    or data.get("found_by") != "debug_id"
                    or frame.get("in_app") is not True
                    or not isinstance(frame.get("context_line"), type(u""))
                ):
                    wrong.append(
                        "%s exception %d frame %d: got %r %r (data %r), expected %r %r"
                        % (path, e, i, got, frame.get("function"), data, wanted, truth["function"])
                    )
    return checked, wrong


@pytest.fixture
def store(tmp_path):
    with mapback.Store(str(tmp_path / "store")) as store:
        summary = store.add(BUNDLE_ZIP)
        assert summary["skipped"] == []
        yield store


def test_every_expected_frame_of_every_real_event_maps_through_the_store(store):
    with mapback.Symbolicator.from_store(store) as symbolicator:
        checked, wrong = wrong_frames(symbolicator)
    assert checked == 36, "every expected frame was checked"
    assert wrong == []


def test_events_as_json_text_or_bytes_give_the_same_answer(store):
    symbolicator = mapback.Symbolicator.from_store(store)
    path = os.path.join(EVENTS_DIR, "events", "node", "caused.json")
    with io.open(path, "rb") as handle:
        raw = handle.read()
    as_dict = symbolicator.symbolicate_event(json.loads(raw.decode("utf-8")))
    assert symbolicator.symbolicate_event(raw) == as_dict
    assert symbolicator.symbolicate_event(raw.decode("utf-8")) == as_dict
    # Every field the event was sent with is kept.
    assert set(json.loads(raw.decode("utf-8"))) <= set(as_dict)
    # The JSON-to-JSON form gives the same event as bytes.
    as_bytes = symbolicator.symbolicate_event_json(raw)
    assert isinstance(as_bytes, bytes)
    assert json.loads(as_bytes.decode("utf-8")) == as_dict
    assert symbolicator.symbolicate_event_json(raw.decode("utf-8")) == as_bytes
    with pytest.raises(mapback.InvalidJsonError):
        symbolicator.symbolicate_event_json(b'{"exception": ')
    with pytest.raises(TypeError):
        symbolicator.symbolicate_event_json({"exception": {}})


def test_the_vendor_map_without_sources_content_is_reported(store):
    symbolicator = mapback.Symbolicator.from_store(store)
    out = symbolicator.symbolicate_event(_json(os.path.join(EVENTS_DIR, "events", "browser", "callback.json")))
    errors = out["errors"]
    assert errors, "the SDK's timer wrapper runs in vendor.js, whose map has no sourcesContent"
    for error in errors:
        assert error["type"] == "js_missing_sources_content"
        assert error["url"] == "http://127.0.0.1:4174/assets/vendor.js"
        assert "node_modules/@sentry" in error["source"]
    vendor = out["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert vendor["data"]["symbolicated"] is True and vendor["data"]["found_by"] == "debug_id"
    assert vendor["context_line"] is None
    # The committed vendor.js.map lists the SDK in x_google_ignoreList, but the copy in
    # sentry-cli's artifact bundle has no ignore list: the store answers what it was
    # given, so the frame stays in_app as the SDK sent it.
    with zipfile.ZipFile(BUNDLE_ZIP) as bundle:
        uploaded = json.loads(bundle.read("files/_/_/assets/vendor.js.map").decode("utf-8"))
    assert "x_google_ignoreList" not in uploaded and "ignoreList" not in uploaded
    assert vendor["in_app"] is True
    # Every other event maps with no error at all.
    for path in EXPECTATIONS:
        if path != "events/browser/callback.json":
            assert "errors" not in symbolicator.symbolicate_event(_json(os.path.join(EVENTS_DIR, path))), path


def test_an_event_whose_debug_id_the_store_lacks_says_so(tmp_path):
    with mapback.Store(str(tmp_path / "empty")) as empty:
        symbolicator = mapback.Symbolicator.from_store(empty)
    event = _json(os.path.join(EVENTS_DIR, "events", "node", "rejected.json"))
    out = symbolicator.symbolicate_event(event)
    assert out["exception"]["values"][0]["stacktrace"] == event["exception"]["values"][0]["stacktrace"]
    assert "raw_stacktrace" not in out["exception"]["values"][0]
    assert out["errors"] == [
        {
            "type": "js_no_source",
            "url": "/tmp/mapback-events/dist/server.cjs",
            "debug_id": "5a5d7242-04be-4ed7-9cba-d1094a3ade85",
        }
    ]


def test_the_symbolicator_keeps_the_store_open(tmp_path):
    store = mapback.Store(str(tmp_path / "store"))
    store.add(BUNDLE_ZIP)
    symbolicator = mapback.Symbolicator.from_store(store)
    store.close()
    del store
    checked, wrong = wrong_frames(symbolicator)
    assert (checked, wrong) == (36, [])
    with pytest.raises(mapback.ClosedError):
        mapback.Symbolicator.from_store(_closed_store(tmp_path))
    with pytest.raises(TypeError):
        mapback.Symbolicator.from_store(str(tmp_path / "store"))


def _closed_store(tmp_path):
    store = mapback.Store(str(tmp_path / "closed"))
    store.close()
    return store


def test_symbolicate_frames_keeps_sentry_order(store):
    symbolicator = mapback.Symbolicator.from_store(store)
    event = _json(os.path.join(EVENTS_DIR, "events", "browser", "thrown.json"))
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    images = event["debug_meta"]["images"]
    out = symbolicator.symbolicate_frames(frames, images, engine="v8")
    assert [(f["filename"], f["lineno"]) for f in out] == [
        ("../app/browser.js", 42),
        ("../app/src/scenarios.js", 14),
        ("../app/src/checkout.js", 35),
        ("../app/src/checkout.js", 29),
        ("../app/src/checkout.js", 18),
    ]
    crashing = out[-1]
    assert crashing["function"] == "discountFor"
    assert crashing["found_by"] == "debug_id"
    assert crashing["inlined"] is False and crashing["unmapped_reason"] is None
    assert crashing["minified"]["abs_path"] == frames[-1]["filename"]
    assert isinstance(crashing["context_line"], type(u""))
    # Without images, the store finds the maps by URL (~/assets/app.js matches any host).
    by_url = symbolicator.symbolicate_frames(frames, engine="V8")
    assert [f["found_by"] for f in by_url] == ["url"] * 5
    assert [(f["filename"], f["lineno"], f["colno"]) for f in by_url] == [
        (f["filename"], f["lineno"], f["colno"]) for f in out
    ]
    # JSON text in works the same; an empty list gives an empty list.
    assert symbolicator.symbolicate_frames(json.dumps(frames), json.dumps(images), "v8") == out
    assert symbolicator.symbolicate_frames([]) == []


def test_a_frame_that_cannot_be_mapped_says_why(store):
    symbolicator = mapback.Symbolicator.from_store(store)
    frame = {"filename": "https://elsewhere.example/other.js", "lineno": 1, "colno": 5, "function": "f"}
    (out,) = symbolicator.symbolicate_frames([frame])
    assert out["unmapped_reason"]["kind"] == "not_found"
    assert (out["abs_path"], out["lineno"], out["colno"], out["function"]) == (frame["filename"], 1, 5, "f")


def test_bad_input_raises_typed_errors(store):
    symbolicator = mapback.Symbolicator.from_store(store)
    with pytest.raises(mapback.InvalidJsonError):
        symbolicator.symbolicate_event(b'{"exception": ')
    with pytest.raises(mapback.InvalidArgumentError):
        symbolicator.symbolicate_event("[1, 2]")
    with pytest.raises(mapback.InputTooLargeError):
        symbolicator.symbolicate_event(b" " * (16 << 20) + b"{}")
    with pytest.raises(TypeError):
        symbolicator.symbolicate_event(42)
    with pytest.raises(mapback.InvalidArgumentError) as caught:
        symbolicator.symbolicate_frames([{"filename": "a.js", "lineno": "1"}])
    assert "frames[0]" in str(caught.value) and "lineno" in str(caught.value)
    with pytest.raises(mapback.InvalidArgumentError) as caught:
        symbolicator.symbolicate_frames([], [{"type": "sourcemap", "code_file": "a.js", "debug_id": "nope"}])
    assert "images[0]" in str(caught.value)
    with pytest.raises(mapback.InvalidArgumentError):
        symbolicator.symbolicate_frames('{"not": "a list"}')
    with pytest.raises(mapback.InputTooLargeError):
        symbolicator.symbolicate_frames([{}] * 4097)
    with pytest.raises(ValueError):
        symbolicator.symbolicate_frames([], engine="rhino")
    with pytest.raises(TypeError):
        symbolicator.symbolicate_frames({"filename": "a.js"})
    # The symbolicator still works after every refusal.
    assert wrong_frames(symbolicator) == (36, [])


def test_one_symbolicator_shared_by_threads_while_another_thread_adds(store, tmp_path):
    symbolicator = mapback.Symbolicator.from_store(store, max_cached_scripts=1)
    events = dict((path, _json(os.path.join(EVENTS_DIR, path))) for path in EXPECTATIONS)
    failures = []
    done = threading.Event()

    def symbolicate():
        try:
            rounds = 0
            while not done.is_set() or rounds == 0:
                assert wrong_frames(symbolicator, events) == (36, [])
                rounds += 1
        except Exception as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=symbolicate) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):
            store.add(BUNDLE_ZIP, os.path.join(EVENTS_DIR, "bundles"))
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert store.verify()["ok"]


# Four processes add to one store (the artifact bundle and the committed bundles again,
# and new generated bundles) while four symbolicate every event in a loop, each round
# with a new symbolicator so that every round reads the store.
INGESTER = r"""
import os, sys, time
import mapback
store_path, bundle_zip, bundles_dir, scratch, seconds, number = sys.argv[1:7]
deadline = time.time() + float(seconds)
store = mapback.Store(store_path)
rounds = 0
while time.time() < deadline:
    build = os.path.join(scratch, "build-%s-%d" % (number, rounds))
    os.makedirs(build)
    debug_id = "%08x-%04x-4000-8000-000000000000" % (int(number), rounds)
    with open(os.path.join(build, "extra.js"), "w") as handle:
        handle.write("x()\n//# debugId=%s\n//# sourceMappingURL=extra.js.map\n" % debug_id)
    with open(os.path.join(build, "extra.js.map"), "w") as handle:
        handle.write('{"version":3,"sources":["extra.ts"],"names":[],"mappings":"AAAA","debugId":"%s"}' % debug_id)
    summary = store.add(bundle_zip, bundles_dir, build)
    assert any(added["debug_id"] == debug_id for added in summary["added"]), summary
    rounds += 1
print("ingested %d" % rounds)
"""

SYMBOLICATOR = r"""
import sys, time
sys.path.insert(0, sys.argv[3])
import mapback
from test_event_symbolication import wrong_frames
store_path, seconds = sys.argv[1], float(sys.argv[2])
deadline = time.time() + seconds
store = mapback.Store(store_path)
rounds = 0
while time.time() < deadline or rounds == 0:
    with mapback.Symbolicator.from_store(store) as symbolicator:
        checked, wrong = wrong_frames(symbolicator)
    assert checked == 36 and not wrong, (checked, wrong)
    rounds += 1
print("symbolicated %d" % rounds)
"""


def test_four_processes_symbolicate_while_four_ingest(tmp_path):
    store_path = str(tmp_path / "store")
    with mapback.Store(store_path) as store:
        store.add(BUNDLE_ZIP)
    scratch = str(tmp_path / "builds")
    os.mkdir(scratch)
    seconds = "3"
    env = dict(os.environ)
    children = []
    for number in range(4):
        argv = [sys.executable, "-c", INGESTER, store_path, BUNDLE_ZIP, os.path.join(EVENTS_DIR, "bundles"),
                scratch, seconds, str(number + 1)]
        children.append(("ingester", subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)))
    for _ in range(4):
        argv = [sys.executable, "-c", SYMBOLICATOR, store_path, seconds, HERE]
        children.append(("symbolicator", subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                                          env=env)))
    started = time.time()
    results = []
    for kind, child in children:
        output = child.communicate()[0].decode("utf-8", "replace")
        results.append((kind, child.returncode, output))
    elapsed = time.time() - started
    failures = [r for r in results if r[1] != 0]
    assert failures == [], failures
    ingested = sum(int(out.split()[-1]) for kind, _, out in results if kind == "ingester")
    symbolicated = sum(int(out.split()[-1]) for kind, _, out in results if kind == "symbolicator")
    assert ingested >= 4 and symbolicated >= 4, results
    sys.stderr.write("%d adds and %d rounds of 8 events (36 frames each) in %.1f s\n"
                     % (ingested, symbolicated, elapsed))
    with mapback.Store(store_path) as store:
        report = store.verify()
        assert report["ok"], report["problems"]
        assert len(store.entries()) >= 3 + ingested


def test_event_limits_reach_the_native_symbolicator(store):
    path = os.path.join(EVENTS_DIR, "events", "node", "thrown.json")
    with io.open(path, "rb") as handle:
        raw = handle.read()
    with mapback.Symbolicator.from_store(store, max_event_bytes=64) as small:
        with pytest.raises(mapback.InputTooLargeError):
            small.symbolicate_event(raw)
    with mapback.Symbolicator.from_store(store, max_event_values=3) as few:
        with pytest.raises(mapback.InputTooLargeError):
            few.symbolicate_event(raw)
    with mapback.Symbolicator.from_store(store, max_event_frames=1) as one:
        out = one.symbolicate_event(raw)
    assert {"type": "js_too_many_frames", "limit": 1} in out["errors"]
    frames = out["exception"]["values"][0]["stacktrace"]["frames"]
    symbolicated = [f for f in frames if f.get("data", {}).get("symbolicated")]
    # The innermost frame (the crash, last in Sentry's order) is the one symbolicated.
    assert len(symbolicated) == 1 and symbolicated[0] is frames[-1]
    with pytest.raises(TypeError):
        mapback.Symbolicator.from_store(store, max_event_frames=-1)
