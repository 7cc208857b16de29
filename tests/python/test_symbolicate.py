"""Symbolication through the Python package: the main job."""

from __future__ import absolute_import

import json
import os
import threading

import pytest

import mapback
from conftest import DEMO_DIR, TextOut
from mapback.cli import main as cli_main

TRACE = os.path.join(DEMO_DIR, "trace-node.txt")
EXPECTED = [
    ("app/src/pricing.js", 37, 11, "applyCoupon"),
    ("app/src/checkout.js", 8, 22, "priceCart"),
    ("app/src/checkout.js", 33, 18, "checkout"),
    ("app/src/main.js", 20, 18, "main"),
]


def read(name):
    with open(os.path.join(DEMO_DIR, name), "rb") as handle:
        return handle.read()


def summary(trace):
    return [(f.filename, f.lineno, f.colno, f.function) for f in trace.frames]


def test_directories_loader_on_the_real_node_trace():
    with open(TRACE) as handle:
        text = handle.read()
    with mapback.Symbolicator.from_directories(maps_dirs=[DEMO_DIR]) as symbolicator:
        trace = symbolicator.symbolicate(text)
    assert (trace.error_type, trace.message) == ("Error", "coupon expired: SPRING")
    assert summary(trace) == EXPECTED
    first = trace.frames[0]
    assert first.mapped and first.in_app
    assert "coupon expired" in first.context_line
    assert len(first.pre_context) == 5 and len(first.post_context) == 5
    assert first.minified["function"] == "l" and first.minified["lineno"] == 1
    as_dict = first.as_dict()
    for field in ("filename", "abs_path", "lineno", "colno", "function", "context_line",
                  "pre_context", "post_context", "in_app"):
        assert field in as_dict
    json.dumps(trace.as_dict())  # plain data throughout


def test_url_prefix_rules_and_callable_loader():
    text = (
        "TypeError: boom\n"
        "    at l (https://cdn.example.com/static/bundle.min.js:1:1036)\n"
        "    at x (https://cdn.example.com/static/bundle.min.js:1:1611)\n"
    )
    by_prefix = mapback.Symbolicator.from_directories(
        url_prefixes={"https://cdn.example.com/static/": DEMO_DIR}
    )
    assert summary(by_prefix.symbolicate(text)) == EXPECTED[:2]
    fetched = []

    def loader(url):
        fetched.append(url)
        if url.endswith("/bundle.min.js"):
            return read("bundle.min.js")
        if url.endswith("/bundle.min.js.map"):
            return read("bundle.min.js.map")
        return None

    by_callable = mapback.Symbolicator.from_loader(loader, context_lines=1)
    trace = by_callable.symbolicate(text)
    assert summary(trace) == EXPECTED[:2]
    assert len(trace.frames[0].pre_context) == 1
    # The script and its map are fetched once and cached for later frames and traces.
    by_callable.symbolicate(text)
    assert fetched == [
        "https://cdn.example.com/static/bundle.min.js",
        "https://cdn.example.com/static/bundle.min.js.map",
    ]


def test_unmapped_frames_and_loader_errors():
    def broken(url):
        raise RuntimeError("storage is down")

    symbolicator = mapback.Symbolicator.from_loader(broken)
    trace = symbolicator.symbolicate("Error: x\n    at f (https://x.example/a.js:1:2)\n    at Array.map (<anonymous>)\n")
    first, second = trace.frames
    assert not first.mapped and first.unmapped_reason["kind"] == "loader_failed"
    assert first.function == "f" and first.abs_path == "https://x.example/a.js"
    assert second.unmapped_reason["kind"] == "no_location"
    assert "storage is down" in symbolicator.loader_errors[-1]
    nothing = mapback.Symbolicator.from_loader(lambda url: None)
    frame = nothing.symbolicate("Error\n    at f (https://x.example/a.js:1:2)").frames[0]
    assert frame.unmapped_reason["kind"] == "not_found"


def test_a_loader_interrupted_marks_its_frames_and_is_recorded():
    # The loader callback is the package's one (mapback._lowlevel.loader_callback): no
    # exception, KeyboardInterrupt included, unwinds into the C frames, where cffi would
    # print it and answer "not found".
    def interrupted(url):
        raise KeyboardInterrupt("stop")

    symbolicator = mapback.Symbolicator.from_loader(interrupted)
    frame = symbolicator.symbolicate("Error: x\n    at f (https://x.example/a.js:1:2)\n").frames[0]
    assert frame.unmapped_reason["kind"] == "loader_failed"
    assert "KeyboardInterrupt" in symbolicator.loader_errors[-1]


def test_bad_input_is_refused_with_typed_errors():
    with pytest.raises(mapback.IoError):
        mapback.Symbolicator.from_directories(maps_dirs=["/nonexistent/dir"])
    symbolicator = mapback.Symbolicator.from_directories(maps_dirs=[DEMO_DIR])
    assert len(symbolicator.symbolicate("")) == 0
    assert len(symbolicator.symbolicate("no frames here\njust text")) == 0


def test_threads_share_one_symbolicator():
    with open(TRACE) as handle:
        text = handle.read()
    symbolicator = mapback.Symbolicator.from_loader(
        lambda url: read(os.path.basename(url)) if os.path.basename(url).startswith("bundle") else None
    )
    failures = []

    def work():
        for _ in range(20):
            if summary(symbolicator.symbolicate(text)) != EXPECTED:
                failures.append("mismatch")

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_cli_text_and_json():
    out = TextOut()
    assert cli_main(["symbolicate", "--maps", DEMO_DIR, "--color", "never", TRACE], out=out) == 0
    text = out.getvalue()
    assert "at applyCoupon (app/src/pricing.js:37:11)" in text
    assert '> 37 |     throw new Error("coupon expired: " + code);' in text
    out = TextOut()
    assert cli_main(["symbolicate", "--maps", DEMO_DIR, "--json", TRACE], out=out) == 0
    data = json.loads(out.getvalue())
    assert [f["function"] for f in data["frames"]] == [e[3] for e in EXPECTED]
    assert cli_main(["symbolicate", TRACE], out=TextOut()) == 2


def test_limits_and_options_reach_the_native_symbolicator():
    with open(TRACE) as handle:
        text = handle.read()
    capped = mapback.Symbolicator.from_directories(maps_dirs=[DEMO_DIR], max_trace_frames=2)
    trace = capped.symbolicate(text)
    assert trace.truncated and summary(trace) == EXPECTED[:2]

    tiny_maps = mapback.Symbolicator.from_directories(
        maps_dirs=[DEMO_DIR], map_limits=mapback.DecodeLimits(max_mappings=1)
    )
    first = tiny_maps.symbolicate(text).frames[0]
    assert not first.mapped and first.unmapped_reason["kind"] == "failed"
    assert "DecodeLimits::max_mappings" in first.unmapped_reason["message"]

    plain = mapback.Symbolicator.from_directories(maps_dirs=[DEMO_DIR], inlined_frames=False)
    assert summary(plain.symbolicate(text)) == EXPECTED  # the demo has no inlined calls

    with pytest.raises(TypeError):
        mapback.Symbolicator.from_directories(maps_dirs=[DEMO_DIR], max_trace_frame=2)
    with pytest.raises(TypeError):
        mapback.Symbolicator.from_loader(lambda url: None, max_parse_bytes=-1)
    with pytest.raises(TypeError):
        mapback.Symbolicator.from_loader(lambda url: None, map_limits={"max_mappings": 1})


def test_a_column_between_segments_says_it_was_refined():
    # Only `t` of `t[n](e)` has a segment; V8 reports the call at its `(`. Walking
    # `t [ n ] (` against `rules [ i ] (` gives the original `(`, and the frame says so.
    original = "function run(rules, i, state) {\n  return rules[i](state);\n}\nrun([], 0, 1);\n"
    minified = "function r(t,n,e){return t[n](e)}r([],0,1);"
    builder = mapback.Builder()
    source = builder.add_source("app.js", content=original)
    line1 = original.split("\n")[1]
    builder.add_mappings([
        (0, 0, source, 0, 0, None),
        (0, minified.index("return"), source, 1, 2, None),
        (0, minified.index("t[n]"), source, 1, line1.index("rules["), None),
        (0, minified.index("r([]"), source, 3, 0, "run"),
    ])
    files = {
        "https://x.example/app.min.js": (minified + "\n//# sourceMappingURL=app.min.js.map\n").encode("utf-8"),
        "https://x.example/app.min.js.map": builder.to_json().encode("utf-8"),
    }
    symbolicator = mapback.Symbolicator.from_loader(files.get)
    trace = "TypeError: t[n] is not a function\n    at r (https://x.example/app.min.js:1:%d)\n    at https://x.example/app.min.js:1:%d\n" % (
        minified.index("(e)") + 1,
        minified.index("r([]") + 1,
    )
    frames = symbolicator.symbolicate(trace).frames
    assert [(f.lineno, f.colno, f.column_refined) for f in frames] == [
        (2, line1.index("(state)") + 1, True),
        (4, 1, False),
    ]
    assert frames[0].as_dict()["column_refined"] is True
