"""The command line, in process."""

from __future__ import absolute_import

import json
import os

from conftest import DEMO_DIR, ROOT, TextOut

from mapback.cli import main

DEMO_MAP = os.path.join(DEMO_DIR, "bundle.min.js.map")


def run(argv):
    out = TextOut()
    status = main(argv, out=out)
    return status, out.getvalue()


def test_lookup_one_based():
    status, text = run(["lookup", DEMO_MAP, "1:1036", "2:140", "9:9"])
    assert status == 0
    lines = text.splitlines()
    assert lines[0] == "1:1036  ->  app/src/pricing.js:37:11"
    assert lines[1] == "2:140  ->  app/src/checkout.js:33:18  name=priceCart"
    assert lines[2] == "9:9  (not mapped)"


def test_lookup_json_zero_based():
    status, text = run(["lookup", DEMO_MAP, "--zero-based", "--json", "0:1610"])
    assert status == 0
    record = json.loads(text)
    assert record["original"]["source"] == "app/src/checkout.js"
    assert record["original"]["original_line"] == 7


def test_info_and_errors(tmp_path):
    status, text = run(["info", DEMO_MAP])
    assert status == 0 and "sources:     5" in text
    bad = tmp_path / "bad.map"
    bad.write_bytes(b"{nope")
    assert run(["info", str(bad)])[0] == 1
    assert run(["info", str(tmp_path / "missing.map")])[0] == 1


EVENTS = os.path.join(ROOT, "tests", "data", "events")
BUNDLE_ZIP = os.path.join(EVENTS, "artifact-bundle.zip")
APP_ID = "869a7777-576f-454e-bd77-0b6aa3a52d82"


def test_store_add_ls_verify_gc(tmp_path):
    store = str(tmp_path / "store")
    status, text = run(["store", "add", store, BUNDLE_ZIP, os.path.join(EVENTS, "bundles")])
    assert status == 0
    assert "added    %s  ~/assets/app.js ~/assets/app.js.map  (paired by source mapping url)" % APP_ID in text
    assert text.splitlines()[-1] == "6 bundle(s) added, 0 already present, 0 file(s) skipped"
    status, text = run(["store", "add", "--json", store, BUNDLE_ZIP])
    assert status == 0 and all(b["already_present"] for b in json.loads(text)["added"])

    status, text = run(["store", "ls", store])
    assert status == 0 and text.splitlines()[-1].startswith("6 entries, ")
    assert any(line.startswith(APP_ID) and "~/assets/app.js" in line for line in text.splitlines())
    status, text = run(["store", "ls", "--json", store])
    assert len(json.loads(text)["entries"]) == 6

    status, text = run(["store", "verify", store])
    assert status == 0 and text.startswith("ok: 6 entries, ")
    status, text = run(["store", "gc", "--json", store])
    assert status == 0 and json.loads(text)["entries"] == 0  # nothing replaced yet


def test_store_verify_fails_on_damage_and_skips_are_listed(tmp_path):
    store = str(tmp_path / "store")
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "notes.txt").write_text(u"x")
    status, text = run(["store", "add", store, BUNDLE_ZIP, str(inputs)])
    assert status == 0 and "skipped  %s: not a script or a source map" % (inputs / "notes.txt") in text
    objects = os.path.join(store, "objects")
    victim = sorted(os.path.join(d, n) for d, _, names in os.walk(objects) for n in names)[0]
    with open(victim, "r+b") as handle:
        first = handle.read(1)
        handle.seek(0)
        handle.write(bytes(bytearray([ord(first) ^ 0xFF])))
    status, text = run(["store", "verify", store])
    assert status == 1 and "DAMAGED" in text and "problem  %s" % victim in text
    status, text = run(["store", "verify", "--json", store])
    assert status == 1 and json.loads(text)["ok"] is False


def test_store_errors(tmp_path):
    assert run(["store", "ls", str(tmp_path / "missing")])[0] == 2
    assert not os.path.exists(str(tmp_path / "missing"))  # not created by a read command
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    assert run(["store", "add", str(tmp_path / "store"), str(bad)])[0] == 1
    assert run(["store"])[0] == 2


def _store_with_the_bundle(tmp_path):
    store = str(tmp_path / "store")
    assert run(["store", "add", store, BUNDLE_ZIP])[0] == 0
    return store


def test_symbolicate_an_event_through_the_store(tmp_path, monkeypatch):
    store = _store_with_the_bundle(tmp_path)
    event_path = os.path.join(EVENTS, "events", "browser", "thrown.json")
    status, text = run(["symbolicate", "--store", store, "--event", event_path])
    assert status == 0
    event = json.loads(text)
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    crashing = frames[-1]
    assert (crashing["filename"], crashing["lineno"], crashing["colno"]) == ("../app/src/checkout.js", 18, 11)
    assert crashing["function"] == "discountFor"
    assert crashing["data"]["found_by"] == "debug_id"
    with open(event_path, "rb") as handle:
        sent = json.loads(handle.read().decode("utf-8"))
    assert event["exception"]["values"][0]["raw_stacktrace"] == sent["exception"]["values"][0]["stacktrace"]

    # `-` reads the event from stdin.
    class Stdin(object):
        buffer = open(event_path, "rb")

    monkeypatch.setattr("sys.stdin", Stdin())
    try:
        status, from_stdin = run(["symbolicate", "--store", store, "--event", "-"])
    finally:
        Stdin.buffer.close()
    assert status == 0 and json.loads(from_stdin) == event


def test_symbolicate_a_trace_through_the_store(tmp_path):
    store = _store_with_the_bundle(tmp_path)
    # The frames of the browser event, as V8 prints them: found by URL (the bundle's
    # ~/assets/app.js matches http://127.0.0.1:4174/assets/app.js, any scheme and host).
    with open(os.path.join(EVENTS, "events", "browser", "thrown.json"), "rb") as handle:
        sent = json.loads(handle.read().decode("utf-8"))
    frames = sent["exception"]["values"][0]["stacktrace"]["frames"]
    lines = ["Error: boom"] + [
        "    at %s (%s:%d:%d)" % (f.get("function") or "<anonymous>", f["filename"], f["lineno"], f["colno"])
        for f in reversed(frames)
    ]
    trace = tmp_path / "trace.txt"
    trace.write_text(u"\n".join(lines) + u"\n")
    status, text = run(["symbolicate", "--store", store, "--json", str(trace)])
    assert status == 0
    result = json.loads(text)
    assert len(result["frames"]) == 5, text
    assert (result["frames"][0]["function"], result["frames"][0]["lineno"]) == ("discountFor", 18)
    for frame in result["frames"]:
        assert frame["unmapped_reason"] is None, frame
        assert frame["found_by"] == "url"
        assert frame["filename"].startswith("../app/")
    status, text = run(["symbolicate", "--store", store, "--color", "never", str(trace)])
    assert status == 0 and "../app/" in text


def test_symbolicate_argument_errors(tmp_path):
    store = _store_with_the_bundle(tmp_path)
    event_path = os.path.join(EVENTS, "events", "browser", "thrown.json")
    assert run(["symbolicate", "--store", str(tmp_path / "missing"), "--event", event_path])[0] == 2
    assert not os.path.exists(str(tmp_path / "missing")), "a missing store is not created"
    assert run(["symbolicate", "--store", store, "--maps", EVENTS, "--event", event_path])[0] == 2
    assert run(["symbolicate", "--store", store, "--event", event_path, event_path])[0] == 2
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"[1, 2]")
    assert run(["symbolicate", "--store", store, "--event", str(bad)])[0] == 1
    assert run(["symbolicate", "--store", store, "--event", str(tmp_path / "nope.json")])[0] == 1
    # --event works over directories too.
    status, text = run(["symbolicate", "--url-prefix", "http://127.0.0.1:4174/=" + os.path.join(EVENTS, "bundles", "browser"),
                        "--event", event_path])
    assert status == 0
    assert json.loads(text)["exception"]["values"][0]["stacktrace"]["frames"][-1]["data"]["found_by"] == "url"
