"""The tc39 suite through the Python package: valid maps pass their checks, invalid
maps raise a typed DecodeError in strict mode."""

from __future__ import absolute_import

import json
import os

import pytest

import mapback
from conftest import TC39_DIR

try:  # Python 3
    from urllib.parse import urljoin
    from urllib.request import pathname2url
except ImportError:  # Python 2
    from urllib import pathname2url
    from urlparse import urljoin

SUITE = os.path.join(TC39_DIR, "source-map-spec-tests.json")
RESOURCES = os.path.join(TC39_DIR, "resources")


def load_cases():
    if not os.path.exists(SUITE):
        return []
    with open(SUITE) as handle:
        return json.load(handle)["tests"]


CASES = load_cases()


def file_url(path):
    return "file://" + pathname2url(os.path.abspath(path))


def decode(name):
    path = os.path.join(RESOURCES, name)
    return mapback.SourceMap.from_path(path, base_url=file_url(path), strict=True), path


def original(source_map, line, column):
    token = source_map.lookup(line, column)
    assert token is not None and (token.generated_line, token.generated_column) == (line, column)
    return token


@pytest.mark.skipif(not CASES, reason="tc39 suite absent: %s (NOT run)" % SUITE)
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_tc39(case):
    if not case["sourceMapIsValid"]:
        with pytest.raises(mapback.DecodeError):
            decode(case["sourceMapFile"])
        return
    source_map, path = decode(case["sourceMapFile"])
    for action in case.get("testActions", []):
        if action["actionType"] == "checkIgnoreList":
            ignored = sorted(s.url for s in source_map.sources if s.ignored)
            assert ignored == sorted(urljoin(file_url(path), p) for p in action["present"])
            continue
        token = original(source_map, action["generatedLine"], action["generatedColumn"])
        final_path = path
        for step in action.get("intermediateMaps", []):
            step_map, final_path = decode(step)
            token = original(step_map, token.original_line, token.original_column)
        expected_source = action["originalSource"]
        # A null source is a source record whose URL is null, or no original at all.
        found_url = token.source.url if token.source is not None else None
        if expected_source is not None:
            expected_source = urljoin(file_url(final_path), expected_source)
        assert found_url == expected_source
        assert (token.original_line, token.original_column) == (
            action["originalLine"],
            action["originalColumn"],
        )
        if action["actionType"] == "checkMapping":
            assert token.name == action["mappedName"]


# The range mappings proposal's tests, converted to the 0-based encoding at test time
# (as tests/conformance.rs does; its doc comment has the provenance): the shared copy
# (tc39/source-map-tests at 7bfa363, January 2026) counts each line's first
# ``rangeMappings`` index from 1, ecma426 #252 (April 2026) from 0. Each line's first
# value is decremented; a first 0, which has no 0-based spelling, becomes "AA" (index 0
# named twice), which #252 rejects in its place. Converted in memory, never written.
RANGE_SUITE = os.path.join(TC39_DIR, "range-mappings-proposal-tests.json")


def load_range_cases():
    if not os.path.exists(RANGE_SUITE):
        return [], ""
    with open(RANGE_SUITE) as handle:
        suite = json.load(handle)
    return suite["tests"], os.path.join(RESOURCES, suite["resourceBasePath"])


RANGE_CASES, RANGE_RESOURCES = load_range_cases()
_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _unsigned_vlqs(line):
    """The unsigned VLQs of a line, or None when it is not a sequence of them."""
    values, value, shift, open_ = [], 0, 0, False
    for char in line:
        digit = _BASE64.find(char)
        if digit < 0:
            return None
        value |= (digit & 31) << shift
        shift += 5
        open_ = bool(digit & 32)
        if not open_:
            values.append(value)
            value, shift = 0, 0
    return None if open_ else values


def _unsigned_vlq(value):
    out = ""
    while True:
        digit = value & 31
        value >>= 5
        out += _BASE64[digit | (32 if value else 0)]
        if not value:
            return out


def zero_based_range_mappings(text):
    lines = []
    for line in text.split(";"):
        values = _unsigned_vlqs(line)
        if values:
            values = [0] + values if values[0] == 0 else [values[0] - 1] + values[1:]
            line = "".join(_unsigned_vlq(v) for v in values)
        lines.append(line)
    return ";".join(lines)


def test_range_mappings_conversion():
    assert zero_based_range_mappings(";BC;") == ";AC;"
    assert zero_based_range_mappings("C;B;B") == "B;A;A"
    assert zero_based_range_mappings("A") == "AA"
    assert zero_based_range_mappings("AB%") == "AB%"
    assert zero_based_range_mappings("hB") == "gB"


def decode_converted(name, strict=True):
    path = os.path.join(RANGE_RESOURCES, name)
    with open(path) as handle:
        document = json.load(handle)
    if isinstance(document.get("rangeMappings"), (type(u""), str)):
        document["rangeMappings"] = zero_based_range_mappings(document["rangeMappings"])
    data = json.dumps(document).encode("utf-8")
    return mapback.SourceMap.from_bytes(data, base_url=file_url(path), strict=strict), path


@pytest.mark.skipif(not RANGE_CASES, reason="range mappings tests absent: %s (NOT run)" % RANGE_SUITE)
@pytest.mark.parametrize("case", RANGE_CASES, ids=[c["name"] for c in RANGE_CASES])
def test_tc39_range_mappings(case):
    if not case["sourceMapIsValid"]:
        with pytest.raises(mapback.DecodeError):
            decode_converted(case["sourceMapFile"])
        lenient, _ = decode_converted(case["sourceMapFile"], strict=False)
        assert any("rangeMappings" in d.message for d in lenient.diagnostics)
        return
    source_map, path = decode_converted(case["sourceMapFile"])
    cache = mapback.Cache.from_bytes(source_map.to_cache())
    for view in (source_map, cache):
        for action in case.get("testActions", []):
            # These actions probe positions between mappings: the lookup's answer
            # counts wherever its mapping starts.
            token = view.lookup(action["generatedLine"], action["generatedColumn"])
            assert token is not None
            assert token.source.url == urljoin(file_url(path), action["originalSource"])
            assert (token.original_line, token.original_column) == (
                action["originalLine"],
                action["originalColumn"],
            )
            assert token.name == action["mappedName"]
    assert len(RANGE_CASES) == 13
