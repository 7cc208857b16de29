"""React Native through the Python package: Hermes bytecode traces, Metro's function maps,
and composing hermesc's map over Metro's, on the real fixtures of tests/data/hermes."""

from __future__ import absolute_import

import json
import os

import mapback
from conftest import ROOT

HERMES_DIR = os.path.join(ROOT, "tests", "data", "hermes")
BUNDLE = "index.android.bundle.hbc"


def read(name):
    with open(os.path.join(HERMES_DIR, name), "rb") as handle:
        return handle.read()


def expectations():
    return json.loads(read("expectations.json").decode("utf-8"))


def test_hermes_traces_map_like_the_unminified_run():
    symbolicator = mapback.Symbolicator.from_directories(maps_dirs=[HERMES_DIR])
    checked = 0
    for trace in expectations()["traces"]:
        result = symbolicator.symbolicate(read(trace["trace"]).decode("utf-8"))
        assert len(result.frames) == len(trace["frames"])
        for frame, want in zip(result.frames, trace["frames"]):
            assert frame.minified["raw"] == want["raw"]
            assert not frame.inlined
            if want.get("native") or want["source"] is None:
                assert not frame.mapped, want["raw"]
                continue
            assert frame.minified["is_bytecode"] is True
            assert (frame.filename, frame.lineno) == (want["source"], want["line"]), want["raw"]
            assert frame.function == want["metro_symbolicate"]["name"], want["raw"]
            assert frame.function_origin == "function_map"
            checked += 1
    assert checked == 16


def test_compose_keeps_function_maps_and_function_offsets():
    compiler = mapback.SourceMap.from_bytes(read(BUNDLE + ".compiler.map"))
    packager = mapback.SourceMap.from_bytes(read(BUNDLE + ".packager.map"))
    composed = json.loads(mapback.compose([compiler, packager]).to_json())
    theirs = json.loads(read(BUNDLE + ".map").decode("utf-8"))
    assert composed["x_hermes_function_offsets"] == theirs["x_hermes_function_offsets"]
    ours_by_source = dict(zip(composed["sources"], composed["x_facebook_sources"]))
    theirs_by_source = dict(zip(theirs["sources"], theirs["x_facebook_sources"]))
    assert ours_by_source == theirs_by_source
    assert any(entry for entry in ours_by_source.values())
