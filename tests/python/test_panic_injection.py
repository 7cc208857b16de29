"""A panic inside the library, from Python: with a library built with the test-only
`panic-injection` feature (`make test-panic` builds one and sets MAPBACK_PANIC_LIBRARY),
every call made while MAPBACK_INJECT_PANIC is set raises mapback.PanicError, and the
same objects work again once it is unset. Skipped (reported as skipped) without it."""

from __future__ import absolute_import

import os
import subprocess
import sys

import pytest

from conftest import DEMO_DIR, ROOT

PANIC_LIBRARY = os.environ.get("MAPBACK_PANIC_LIBRARY")

SCRIPT = r"""
import os, sys, tempfile
import mapback
demo = sys.argv[1]
bundle = sys.argv[2]
app_id = "869a7777-576f-454e-bd77-0b6aa3a52d82"
store = mapback.Store(os.path.join(tempfile.mkdtemp(), "store"))
data = open(os.path.join(demo, "bundle.min.js.map"), "rb").read()
source_map = mapback.SourceMap.from_bytes(data)
cache = mapback.Cache.from_bytes(source_map.to_cache())
builder = mapback.Builder()
symbolicator = mapback.Symbolicator.from_directories(maps_dirs=[demo])
trace = open(os.path.join(demo, "trace-node.txt"), "rb").read()
event = open(sys.argv[3], "rb").read()
calls = [
    ("parse", lambda: mapback.SourceMap.from_bytes(data)),
    ("lookup", lambda: source_map.lookup(0, 1610)),
    ("lookup_batch", lambda: source_map.lookup_batch([0], [1610])),
    ("sources", lambda: source_map.generated_position(0, 3, 0)),
    ("cache lookup", lambda: cache.lookup(0, 1610)),
    ("cache verify", lambda: cache.verify()),
    ("to_cache", lambda: source_map.to_cache()),
    ("to_json", lambda: source_map.to_json()),
    ("inspect_html", lambda: mapback.inspect_html(data)),
    ("builder", lambda: builder.add_name("x")),
    ("compose", lambda: mapback.compose([source_map])),
    ("symbolicate", lambda: symbolicator.symbolicate(trace)),
    ("store add", lambda: store.add(bundle)),
    ("store find", lambda: store.find_by_debug_id(app_id)),
    ("store verify", lambda: store.verify()),
    ("from_store", lambda: mapback.Symbolicator.from_store(store)),
    ("symbolicate_event", lambda: symbolicator.symbolicate_event(event)),
    ("symbolicate_frames", lambda: symbolicator.symbolicate_frames([])),
]
os.environ["MAPBACK_INJECT_PANIC"] = "1"
caught = 0
for name, call in calls:
    try:
        call()
    except mapback.PanicError as error:
        assert "injected" in str(error), (name, str(error))
        caught += 1
    else:
        raise AssertionError("%s did not raise PanicError" % name)
del os.environ["MAPBACK_INJECT_PANIC"]
assert source_map.lookup(0, 1610).name == "applyCoupon"
assert cache.lookup(0, 1610).name == "applyCoupon"
assert builder.add_name("x") == 0
assert mapback.inspect_html(data).startswith(b"<!doctype html>")
assert symbolicator.symbolicate(trace).frames[0].function == "applyCoupon"
store.add(bundle)
assert store.find_by_debug_id(app_id).lookup(0, 2255).original_line == 13
assert store.verify()["ok"]
from_store = mapback.Symbolicator.from_store(store)
out = from_store.symbolicate_event(event)
assert out["exception"]["values"][0]["stacktrace"]["frames"][-1]["function"] == "discountFor"
assert from_store.symbolicate_frames([]) == []
print("caught %d of %d" % (caught, len(calls)))
"""


@pytest.mark.skipif(not PANIC_LIBRARY, reason="MAPBACK_PANIC_LIBRARY is not set (make test-panic sets it)")
def test_every_call_survives_an_injected_panic():
    env = dict(os.environ, MAPBACK_LIBRARY=PANIC_LIBRARY, RUST_BACKTRACE="0")
    env.pop("MAPBACK_INJECT_PANIC", None)
    out = subprocess.check_output([sys.executable, "-c", SCRIPT, DEMO_DIR,
                                   os.path.join(ROOT, "tests", "data", "events", "artifact-bundle.zip"),
                                   os.path.join(ROOT, "tests", "data", "events", "events", "browser", "thrown.json")],
                                  env=env,
                                  stderr=subprocess.STDOUT).decode("utf-8", "replace")
    assert out.strip().splitlines()[-1] == "caught 18 of 18", out
