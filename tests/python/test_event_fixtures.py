"""The committed real-client fixtures (tests/data/events, made by `make events-fixtures`) have
the shape the structured symbolication tests rely on: Sentry events from the real SDKs, bundles
and maps whose debug IDs agree everywhere, and an artifact bundle listing them all. No network,
no browser: this only reads the committed files."""

from __future__ import absolute_import

import io
import json
import os
import re
import zipfile

import pytest

import mapback
from conftest import ROOT

EVENTS_DIR = os.path.join(ROOT, "tests", "data", "events")
APP_DIR = os.path.join(ROOT, "tools", "events")
RUNTIMES = ("browser", "node")
SCENARIOS = ("thrown", "rejected", "callback", "caused")
# Where each runtime's bundles were served or run from when the events were captured, and the
# committed copy of that directory.
DEPLOYED = {
    "browser": ("http://127.0.0.1:4174/", os.path.join(EVENTS_DIR, "bundles", "browser")),
    "node": ("/tmp/mapback-events/", os.path.join(EVENTS_DIR, "bundles", "node")),
}
BUNDLES = {
    "browser": ("assets/app.js", "assets/vendor.js"),
    "node": ("dist/server.cjs",),
}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _read(path):
    with io.open(path, "rb") as handle:
        return handle.read()


def _json(path):
    return json.loads(_read(path).decode("utf-8"))


def _events():
    return [(runtime, scenario) for runtime in RUNTIMES for scenario in SCENARIOS]


def _event(runtime, scenario):
    return _json(os.path.join(EVENTS_DIR, "events", runtime, scenario + ".json"))


def _last_debug_id_comment(script):
    # The debug-ID proposal's reverse scan: the last `//# debugId=` line wins.
    found = re.findall(r"^//# debugId=(\S+)\s*$", script, re.MULTILINE)
    return found[-1] if found else None


def _committed_bundles():
    """(runtime, deployed name, committed script path) for every committed bundle."""
    for runtime in RUNTIMES:
        base, directory = DEPLOYED[runtime]
        for name in BUNDLES[runtime]:
            yield runtime, base + name, os.path.join(directory, *name.split("/"))


def _debug_ids_by_code_file():
    ids = {}
    for _, code_file, path in _committed_bundles():
        ids[code_file] = _json(path + ".map")["debugId"]
    return ids


@pytest.mark.parametrize("runtime,scenario", _events())
def test_event_frames_have_positions(runtime, scenario):
    event = _event(runtime, scenario)
    assert event["platform"] in ("javascript", "node")
    values = event["exception"]["values"]
    assert values
    base = DEPLOYED[runtime][0]
    in_bundle = 0
    for value in values:
        frames = value["stacktrace"]["frames"]
        assert frames
        for frame in frames:
            # The SDKs send `filename` only; Sentry's ingestion copies it into `abs_path`.
            location = frame.get("abs_path") or frame["filename"]
            assert location
            assert isinstance(frame["lineno"], int) and frame["lineno"] >= 1, frame
            assert isinstance(frame["colno"], int) and frame["colno"] >= 1, frame
            if location.startswith(base):
                in_bundle += 1
    assert in_bundle >= 2, "every scenario crosses at least two frames of the app's bundle"


@pytest.mark.parametrize("runtime,scenario", _events())
def test_event_debug_meta_matches_committed_maps(runtime, scenario):
    event = _event(runtime, scenario)
    images = event["debug_meta"]["images"]
    known = _debug_ids_by_code_file()
    by_file = {}
    for image in images:
        assert image["type"] == "sourcemap"
        assert UUID.match(image["debug_id"]), image
        assert known[image["code_file"]] == image["debug_id"], image
        by_file[image["code_file"]] = image["debug_id"]
    # Every bundle a frame is in has its image.
    for value in event["exception"]["values"]:
        for frame in value["stacktrace"]["frames"]:
            location = frame.get("abs_path") or frame["filename"]
            if location in known:
                assert location in by_file, location


@pytest.mark.parametrize("runtime,code_file,path", list(_committed_bundles()))
def test_bundle_comment_and_map_agree(runtime, code_file, path):
    script = _read(path).decode("utf-8")
    raw_map = _read(path + ".map")
    fields = json.loads(raw_map.decode("utf-8"))
    debug_id = _last_debug_id_comment(script)
    assert debug_id and UUID.match(debug_id)
    assert fields["debugId"] == debug_id
    assert fields["debug_id"] == debug_id  # the Sentry plugin writes both spellings
    # The Sentry plugin's registration snippet names the same ID.
    assert ('"sentry-dbid-%s"' % debug_id) in script
    assert script.rstrip().endswith("//# sourceMappingURL=%s.map" % os.path.basename(path))
    with mapback.SourceMap.from_bytes(raw_map) as source_map:
        assert source_map.debug_id == debug_id
        assert len(source_map) > 0
        assert len(source_map.sources) == len(fields["sources"])


def test_artifact_bundle_manifest_lists_every_bundle_and_map():
    ids = _debug_ids_by_code_file()
    with zipfile.ZipFile(os.path.join(EVENTS_DIR, "artifact-bundle.zip")) as archive:
        manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
        assert UUID.match(manifest["debug_id"])
        entries = {}
        for path, entry in manifest["files"].items():
            assert path in archive.namelist()
            entries[entry["url"]] = (path, entry)
        expected_urls = set()
        for runtime, code_file, _ in _committed_bundles():
            relative = code_file[len(DEPLOYED[runtime][0]) :]
            script_url = "~/" + relative
            map_url = script_url + ".map"
            expected_urls.update((script_url, map_url))
            debug_id = ids[code_file]
            script_path, script = entries[script_url]
            assert script["type"] == "minified_source"
            assert script["headers"]["debug-id"] == debug_id
            assert script["headers"]["sourcemap"] == os.path.basename(relative) + ".map"
            map_path, source_map_entry = entries[map_url]
            assert source_map_entry["type"] == "source_map"
            assert source_map_entry["headers"]["debug-id"] == debug_id
            assert _last_debug_id_comment(archive.read(script_path).decode("utf-8")) == debug_id
            with mapback.SourceMap.from_bytes(archive.read(map_path)) as source_map:
                assert source_map.debug_id == debug_id
        assert set(entries) == expected_urls


def test_expectations_cover_every_frame():
    expectations = _json(os.path.join(EVENTS_DIR, "expectations.json"))["events"]
    assert sorted(expectations) == sorted(
        "events/%s/%s.json" % (runtime, scenario) for runtime, scenario in _events()
    )
    ids = _debug_ids_by_code_file()
    expected_frames = 0
    for key, entry in expectations.items():
        event = _json(os.path.join(EVENTS_DIR, *key.split("/")))
        values = event["exception"]["values"]
        assert len(entry["exceptions"]) == len(values)
        for value, expected in zip(values, entry["exceptions"]):
            assert len(expected["frames"]) == len(value["stacktrace"]["frames"])
            for frame, truth in zip(value["stacktrace"]["frames"], expected["frames"]):
                assert truth["minified"]["filename"] == frame["filename"]
                assert (truth["minified"]["lineno"], truth["minified"]["colno"]) == (
                    frame["lineno"],
                    frame["colno"],
                )
                original = truth["expected"]
                if original is None:
                    assert truth["why"]
                    continue
                expected_frames += 1
                assert truth["debug_id"] == ids[frame["filename"]]
                # The original file is in the repository, and the line exists in it.
                source = _read(os.path.join(APP_DIR, *original["filename"].split("/")))
                lines = source.decode("utf-8").split("\n")
                assert 1 <= original["lineno"] <= len(lines), original
                assert 1 <= original["colno"] <= len(lines[original["lineno"] - 1]) + 1, original
                assert original["function"]
    assert expected_frames >= 20
