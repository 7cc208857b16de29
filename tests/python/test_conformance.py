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
