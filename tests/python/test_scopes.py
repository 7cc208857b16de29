"""The scopes proposal through the Python package: the tc39 decoding goldens
(``decoding/scopes``, read from ../shared) in strict mode, the builder's
``set_scopes`` round trip, and ``mapback scopes MAP [--json]``."""

from __future__ import absolute_import

import glob
import json
import os

import pytest

import mapback
from conftest import TC39_DIR, TextOut
from mapback.cli import main

GOLDENS = sorted(glob.glob(os.path.join(TC39_DIR, "decoding", "scopes", "*.map")))


def record_with_mappings(source_map):
    """The map's Decoded Source Map Record: its scopes record plus the mappings."""
    record = source_map.scopes()
    record["mappings"] = [
        {
            "generatedPosition": {"line": t.generated_line, "column": t.generated_column},
            "originalPosition": None
            if t.source_index is None
            else {"sourceIndex": t.source_index, "line": t.original_line, "column": t.original_column},
            "name": t.name,
        }
        for t in source_map
    ]
    return record


@pytest.mark.skipif(not GOLDENS, reason="tc39 scopes goldens absent under %s (NOT run)" % TC39_DIR)
def test_the_8_scopes_goldens_decode_exactly_in_strict_mode():
    passed = 0
    for path in GOLDENS:
        with open(path + ".golden") as handle:
            golden = json.load(handle)
        source_map = mapback.SourceMap.from_path(path, strict=True)
        assert record_with_mappings(source_map) == golden, path
        passed += 1
    print("tc39 scopes goldens (Python): %d/%d passed" % (passed, len(GOLDENS)))
    assert passed == 8


INLINED = {
    "sources": [
        {
            "scope": {
                "start": {"line": 0, "column": 0}, "end": {"line": 9, "column": 0},
                "name": "outer", "kind": "function", "isStackFrame": True,
                "variables": ["x"], "children": [],
            }
        },
        {"scope": None},
    ],
    "ranges": [
        {
            "start": {"line": 0, "column": 0}, "end": {"line": 0, "column": 30},
            "definitionIndex": 0, "stackFrameType": "original",
            "bindings": [[{"from": {"line": 0, "column": 0}, "binding": "a"}]],
            "callSite": None, "children": [],
        }
    ],
}


def test_the_builder_writes_scopes_that_read_back_the_same():
    builder = mapback.Builder()
    builder.add_source("a.js")
    builder.add_source("b.js")
    builder.set_scopes(INLINED)
    encoded = json.loads(builder.to_json())
    assert isinstance(encoded["scopes"], str) or isinstance(encoded["scopes"], type(u""))
    record = builder.build().scopes()
    assert [s["scope"] for s in record["sources"]] == [s["scope"] for s in INLINED["sources"]]
    assert record["ranges"] == INLINED["ranges"]
    # The per-source format: rootScopes lists.
    per_source = dict(INLINED, sources=[{"rootScopes": [INLINED["sources"][0]["scope"]]}, {"rootScopes": None}])
    builder.set_scopes(per_source)
    encoded = json.loads(builder.to_json())
    assert isinstance(encoded["scopes"], list) and "ranges" in encoded
    assert builder.build().scopes()["sources"][0]["rootScopes"] == per_source["sources"][0]["rootScopes"]
    # A record the encoding cannot hold: refused, nothing changed.
    with pytest.raises(mapback.InvalidArgumentError):
        builder.set_scopes({"sources": [{"scope": {"start": {"line": 5, "column": 0}, "end": {"line": 1, "column": 0}}}]})
    builder.set_scopes(None)
    assert "scopes" not in json.loads(builder.to_json())


def test_a_malformed_scopes_field_is_a_typed_error_in_strict_mode():
    data = b'{"version":3,"sources":["a.js"],"names":[],"mappings":"","scopes":"BAAA"}'
    with pytest.raises(mapback.InvalidScopesError):
        mapback.SourceMap.from_bytes(data, strict=True)
    lenient = mapback.SourceMap.from_bytes(data)
    assert lenient.scopes()["sources"][0]["scope"] is None
    assert any(d.kind is mapback.InvalidScopesError for d in lenient.diagnostics)


def test_the_scopes_command(tmp_path):
    builder = mapback.Builder()
    builder.add_source("a.js")
    builder.add_source("b.js")
    builder.set_scopes(INLINED)
    path = str(tmp_path / "m.map")
    with open(path, "w") as handle:
        handle.write(builder.to_json())
    out = TextOut()
    assert main(["scopes", path, "--json"], out=out) == 0
    assert json.loads(out.getvalue())["ranges"] == INLINED["ranges"]
    out = TextOut()
    assert main(["scopes", path], out=out) == 0
    text = out.getvalue()
    assert "0:0-9:0 outer [function] vars=x" in text and "frame=original" in text
    bad = str(tmp_path / "bad.map")
    with open(bad, "w") as handle:
        handle.write('{"version":3,"sources":[],"names":[],"mappings":"","scopes":"B"}')
    assert main(["scopes", bad, "--strict"], out=TextOut()) == 1
    assert main(["scopes", str(tmp_path / "missing.map")], out=TextOut()) == 2


def test_symbolication_takes_inlined_frames_from_the_scopes():
    # The minified `function o(){throw new Error(1)}`: its columns 13-31 are `inner`
    # (b.js) inlined into `outer` (a.js) at a.js 2:2, as the map's scopes say.
    builder = mapback.Builder()
    builder.add_source("a.js")
    builder.add_source("b.js")
    builder.add_mappings([(0, 0, 0, 0, 0), (0, 13, 1, 1, 2), (0, 31, 0, 3, 0)])

    def p(line, column):
        return {"line": line, "column": column}

    def scope(start, end, name=None, children=()):
        return {"start": start, "end": end, "name": name, "kind": None,
                "isStackFrame": name is not None, "variables": [], "children": list(children)}

    builder.set_scopes({
        "sources": [
            {"scope": scope(p(0, 0), p(4, 0), children=[scope(p(0, 0), p(3, 1), "outer")])},
            {"scope": scope(p(0, 0), p(3, 0), children=[scope(p(0, 0), p(2, 1), "inner")])},
        ],
        "ranges": [{
            "start": p(0, 0), "end": p(0, 32), "definitionIndex": 1, "stackFrameType": "original",
            "bindings": [], "callSite": None,
            "children": [{
                "start": p(0, 13), "end": p(0, 31), "definitionIndex": 3, "stackFrameType": "none",
                "bindings": [], "callSite": {"sourceIndex": 0, "line": 2, "column": 2}, "children": [],
            }],
        }],
    })
    files = {
        "https://app.example.com/app.min.js": b"function o(){throw new Error(1)}\n",
        "https://app.example.com/app.min.js.map": builder.to_json().encode("utf-8"),
    }
    symbolicator = mapback.Symbolicator.from_loader(files.get)
    trace = symbolicator.symbolicate("Error: 1\n    at o (https://app.example.com/app.min.js:1:14)\n")
    found = [
        (f.filename, f.lineno, f.colno, f.function, f.function_origin, f.inlined)
        for f in trace.frames
    ]
    assert found == [
        ("b.js", 2, 3, "inner", "scopes", True),
        ("a.js", 3, 3, "outer", "scopes", False),
    ]
