"""mapback.Store on the committed fixtures (sentry-cli's artifact bundle, the bundles'
build directories): add, find by debug ID and URL, idempotence, hostile archives,
readers racing a writer, and a writer killed with SIGKILL mid-add."""

from __future__ import absolute_import

import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile

import pytest

from conftest import ROOT

import mapback

EVENTS = os.path.join(ROOT, "tests", "data", "events")
BUNDLE_ZIP = os.path.join(EVENTS, "artifact-bundle.zip")
BUNDLES_DIR = os.path.join(EVENTS, "bundles")
APP_ID = "869a7777-576f-454e-bd77-0b6aa3a52d82"
VENDOR_ID = "01b18968-99d9-46cc-8202-8fec926aa261"
SERVER_ID = "5a5d7242-04be-4ed7-9cba-d1094a3ade85"


def listing(root):
    """{relative path: bytes} of every file under ``root`` (mtimes aside)."""
    found = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, root)] = handle.read()
    return found


@pytest.fixture
def store(tmp_path):
    with mapback.Store(str(tmp_path / "store")) as opened:
        yield opened


def test_artifact_bundle_is_found_by_debug_id_and_url(store):
    summary = store.add(BUNDLE_ZIP)
    assert summary["skipped"] == []
    by_id = dict((bundle["debug_id"], bundle) for bundle in summary["added"])
    assert sorted(by_id) == sorted([APP_ID, VENDOR_ID, SERVER_ID])
    app = by_id[APP_ID]
    assert app["urls"] == ["~/assets/app.js", "~/assets/app.js.map"]
    assert app["paired_by"] == "source_mapping_url" and app["already_present"] is False
    assert app["script"].endswith("artifact-bundle.zip!files/_/_/assets/app.js")

    entry = store.find_by_debug_id(APP_ID.upper())
    assert isinstance(entry, mapback.StoreEntry) and isinstance(entry, mapback.Cache)
    assert (entry.debug_id, entry.found_by, entry.found_key) == (APP_ID, "debug_id", APP_ID)
    assert (entry.script_url, entry.map_url) == ("~/assets/app.js", "~/assets/app.js.map")
    assert entry.script_bytes == os.path.getsize(os.path.join(BUNDLES_DIR, "browser", "assets", "app.js"))
    assert entry.entry_id == app["entry_id"]
    # The Chromium event's frame at 1:2256 (expectations.json): scenarios.js 14:26.
    token = entry.lookup(0, 2255)
    assert (token.source.path, token.original_line, token.original_column) == ("../app/src/scenarios.js", 13, 25)
    assert entry.is_cache and entry.debug_id == entry.as_dict()["debug_id"]

    by_url = store.find_by_url("https://cdn.example.com/assets/app.js?v=3#x")
    assert (by_url.found_by, by_url.found_key, by_url.entry_id) == ("url", "path:/assets/app.js", app["entry_id"])
    assert store.find_by_url("https://cdn.example.com/assets/other.js") is None
    assert store.find_by_debug_id("00000000-0000-4000-8000-000000000000") is None
    with pytest.raises(mapback.InvalidDebugIdError):
        store.find_by_debug_id("not-a-uuid")
    entry.close()
    by_url.close()


def test_build_directories_and_the_entry_outlives_the_store(tmp_path):
    store = mapback.Store(str(tmp_path / "store"))
    summary = store.add(BUNDLES_DIR)
    assert len(summary["added"]) == 3
    urls = sorted(url for bundle in summary["added"] for url in bundle["urls"])
    assert "~/node/dist/server.cjs" in urls and "~/browser/assets/app.js.map" in urls
    entry = store.find_by_debug_id(SERVER_ID)
    assert entry.script_url == "~/node/dist/server.cjs"
    listed = store.entries()
    assert sorted(item["debug_id"] for item in listed) == sorted([APP_ID, VENDOR_ID, SERVER_ID])
    assert all(item["bytes"] > 0 and item["last_used"] > 1e9 for item in listed)
    store.close()
    with pytest.raises(mapback.ClosedError):
        store.entries()
    assert entry.lookup(0, 0) is not None or len(entry) > 0  # still mapped after close
    assert len(entry.sources) > 0


def test_adding_the_same_inputs_twice_changes_nothing(store):
    first = store.add(BUNDLE_ZIP, BUNDLES_DIR)
    before = listing(store.path)
    second = store.add([BUNDLE_ZIP, BUNDLES_DIR])
    assert [b["entry_id"] for b in second["added"]] == [b["entry_id"] for b in first["added"]]
    assert all(bundle["already_present"] for bundle in second["added"])
    assert listing(store.path) == before
    assert store.verify()["ok"] is True


def test_skipped_files_are_reported(store, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "README.txt").write_text(u"hello")
    (inputs / "lonely.js").write_text(u"console.log(1)\n//# sourceMappingURL=gone.js.map\n")
    (inputs / "broken.js.map").write_text(u"{nope")
    summary = store.add(str(inputs))
    assert summary["added"] == []
    reasons = dict((os.path.basename(s["file"]), s) for s in summary["skipped"])
    assert reasons["README.txt"]["reason"] == "not_script_or_map" and reasons["README.txt"]["code"] is None
    assert reasons["lonely.js"]["reason"] == "no_source_map"
    assert reasons["lonely.js"]["source_mapping_url"] == "gone.js.map"
    assert reasons["broken.js.map"]["reason"] == "invalid"
    assert reasons["broken.js.map"]["code"] == mapback.InvalidJsonError.code


def test_debug_id_mismatch_is_reported_not_stored(store, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    script_id, map_id = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    (inputs / "app.js").write_text(u"f()\n//# debugId=%s\n//# sourceMappingURL=app.js.map\n" % script_id)
    (inputs / "app.js.map").write_text(
        u'{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA","debugId":"%s"}' % map_id
    )
    summary = store.add(str(inputs))
    mismatch = [s for s in summary["skipped"] if s["reason"] == "debug_id_mismatch"]
    assert mismatch and mismatch[0]["code"] == mapback.DebugIdMismatchError.code
    assert (mismatch[0]["script_debug_id"], mismatch[0]["map_debug_id"]) == (script_id, map_id)
    assert store.find_by_debug_id(script_id) is None and store.find_by_debug_id(map_id) is None


def _zip(path, entries, manifest=True):
    """A zip of (name, bytes) entries, with a manifest naming them unless told not to."""
    with zipfile.ZipFile(str(path), "w", zipfile.ZIP_DEFLATED) as archive:
        if manifest:
            files = dict((name, {"url": "~/" + name, "type": "minified_source"}) for name, _ in entries)
            archive.writestr("manifest.json", json.dumps({"files": files}))
        for name, data in entries:
            archive.writestr(name, data)
    return str(path)


def _symlink_zip(path):
    with zipfile.ZipFile(str(path), "w") as archive:
        archive.writestr("manifest.json", json.dumps({"files": {}}))
        link = zipfile.ZipInfo("link.js")
        link.external_attr = (0o120777 << 16)
        link.create_system = 3
        archive.writestr(link, "/etc/passwd")
    return str(path)


def _duplicate_zip(path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it writes
        return _zip(path, [("a.js", b"1"), ("a.js", b"2")])


def _not_a_zip(path):
    path.write_bytes(b"this is not a zip archive at all")
    return str(path)


HOSTILE = [
    ("not-a-zip", _not_a_zip, mapback.InvalidArchiveError),
    ("traversal", lambda p: _zip(p, [("../../evil.js", b"x")]), mapback.UnsafeArchivePathError),
    ("absolute", lambda p: _zip(p, [("/etc/evil.js", b"x")]), mapback.UnsafeArchivePathError),
    ("no-manifest", lambda p: _zip(p, [("a.js", b"x")], manifest=False), mapback.InvalidManifestError),
    ("symlink", _symlink_zip, mapback.ArchiveSymlinkError),
    ("duplicate", _duplicate_zip, mapback.DuplicateArchiveEntryError),
]


@pytest.mark.parametrize("name,make,error", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_archives_raise_typed_errors_and_change_nothing(store, tmp_path, name, make, error):
    store.add(BUNDLE_ZIP)
    before = listing(store.path)
    archive = make(tmp_path / (name + ".zip"))
    with pytest.raises(error) as raised:
        store.add(archive)
    assert isinstance(raised.value, mapback.StoreError)
    assert raised.value.message
    assert listing(store.path) == before


def test_a_zip_bomb_is_refused_by_the_limits(tmp_path):
    bomb = _zip(tmp_path / "bomb.zip", [("big.js", b"\0" * (40 * 1024 * 1024))])
    assert os.path.getsize(bomb) < 200 * 1024
    with mapback.Store(str(tmp_path / "store")) as store:
        with pytest.raises(mapback.InputTooLargeError):
            store.add(bomb)  # the compression ratio, past the first MiB
        assert store.entries() == []
    limits = mapback.IngestLimits(max_file_bytes=4096)
    with mapback.Store(str(tmp_path / "store"), limits=limits) as store:
        with pytest.raises(mapback.InputTooLargeError):
            store.add(BUNDLE_ZIP)
    with pytest.raises(TypeError):
        mapback.Store(str(tmp_path / "store"), limits={"max_files": 1})
    with pytest.raises(TypeError):
        mapback.IngestLimits(max_files=0)


def test_not_a_store_and_bad_paths(tmp_path):
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "notes.txt").write_text(u"mine")
    with pytest.raises(mapback.NotAStoreError) as raised:
        mapback.Store(str(foreign))
    assert isinstance(raised.value, mapback.StoreError)
    assert listing(str(foreign)) == {"notes.txt": b"mine"}
    with mapback.Store(str(tmp_path / "store")) as store:
        with pytest.raises(mapback.IoError):
            store.add(str(tmp_path / "missing.zip"))
        assert store.add() == {"added": [], "skipped": []}
    with pytest.raises(mapback.ArgumentError):
        mapback.Store("")


def test_max_bytes_evicts_least_recently_used(tmp_path):
    with mapback.Store(str(tmp_path / "store"), max_bytes=1) as store:
        store.add(os.path.join(BUNDLES_DIR, "node"))
        assert store.find_by_debug_id(SERVER_ID) is not None
        store.add(os.path.join(BUNDLES_DIR, "browser"))
        assert store.find_by_debug_id(SERVER_ID) is None  # evicted by the later add
        assert store.find_by_debug_id(APP_ID) is not None  # the add's own are kept
        assert store.verify()["ok"]


def test_readers_in_threads_while_one_adds(store, tmp_path):
    store.add(BUNDLE_ZIP)
    builds = []
    for n in range(6):
        build = tmp_path / ("build%d" % n)
        build.mkdir()
        debug_id = "%08d-0000-4000-8000-000000000000" % n
        (build / "b.js").write_text(u"x()\n//# debugId=%s\n//# sourceMappingURL=b.js.map\n" % debug_id)
        (build / "b.js.map").write_text(
            u'{"version":3,"sources":["s%d.js"],"names":[],"mappings":"AAAA;AACA","debugId":"%s"}' % (n, debug_id)
        )
        builds.append(str(build))
    failures = []
    done = threading.Event()

    def read():
        try:
            while not done.is_set():
                entry = store.find_by_debug_id(APP_ID)
                token = entry.lookup(0, 2255)
                assert token.original_line == 13, token
                assert store.find_by_url("https://x/assets/vendor.js").debug_id == VENDOR_ID
        except Exception as error:  # reported below
            failures.append(error)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        for build in builds:
            store.add(build)
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert failures == []
    assert len(store.entries()) == 3 + len(builds)
    assert store.verify()["ok"]


KILLED_WRITER = r"""
import sys
import mapback
store = mapback.Store(sys.argv[1])
sys.stdout.write("ready\n")
sys.stdout.flush()
store.add(*sys.argv[2:])
sys.stdout.write("done\n")
"""


def _big_build(root, count, lines):
    """``count`` script/map pairs with ``lines`` mapped lines each (slow enough to add
    that a kill lands mid-add)."""
    mappings = ";".join(["AAAA,EAAE,EAAE,EAAE"] * lines)
    ids = []
    for n in range(count):
        debug_id = "%08d-1111-4111-8111-111111111111" % n
        ids.append(debug_id)
        with open(os.path.join(root, "c%d.js" % n), "w") as handle:
            handle.write("x()\n//# debugId=%s\n//# sourceMappingURL=c%d.js.map\n" % (debug_id, n))
        with open(os.path.join(root, "c%d.js.map" % n), "w") as handle:
            handle.write('{"version":3,"sources":["c%d.ts"],"names":[],"mappings":"%s","debugId":"%s"}'
                         % (n, mappings, debug_id))
    return ids


def _files(store_path, folder):
    """How many files are under ``store_path/folder`` (0 before it exists)."""
    return sum(len(names) for _, _, names in os.walk(os.path.join(store_path, folder)))


def _kill_writer_when(store_path, build, ready):
    """Runs KILLED_WRITER on a fresh store and SIGKILLs it as soon as ``ready(store)``
    holds, polling the store's files. Returns whether the add had finished first."""
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, store_path, build], stdout=subprocess.PIPE)
    assert child.stdout.readline().strip() == b"ready"
    deadline = time.time() + 120
    while child.poll() is None and not ready(store_path) and time.time() < deadline:
        time.sleep(0.0005)
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    rest = child.stdout.read()
    child.wait()
    child.stdout.close()
    return b"done" in rest


#: When to kill the writer, read from the store's files: while it prepares (nothing
#: written yet), at its first temporary file, first object, first record, first index
#: file, and halfway through the records.
KILL_POINTS = [
    ("preparing", lambda store: os.path.exists(os.path.join(store, "format"))),
    ("first temporary file", lambda store: _files(store, "tmp") > 0),
    ("first object", lambda store: _files(store, "objects") > 0),
    ("first record", lambda store: _files(store, "entries") > 0),
    ("first index file", lambda store: _files(store, "index") > 0),
    ("half the records", lambda store: _files(store, "entries") >= 8),
]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("point,ready", KILL_POINTS, ids=[point for point, _ in KILL_POINTS])
def test_a_writer_killed_mid_add_leaves_a_verifiable_store(tmp_path, point, ready):
    build = tmp_path / "build"
    build.mkdir()
    ids = _big_build(str(build), 16, 20000)
    store_path = str(tmp_path / "store")
    finished = _kill_writer_when(store_path, str(build), ready)
    assert not finished, "the add finished before the kill point %r" % point
    with mapback.Store(store_path) as store:
        report = store.verify()
        assert report["ok"], report
        found = 0
        for debug_id in ids:  # whole or absent
            entry = store.find_by_debug_id(debug_id)
            if entry is not None:
                found += 1
                assert entry.lookup(0, 0).source.path.startswith("c")
                assert len(entry) == 4 * 20000
                entry.close()
        assert found < len(ids)
        store.gc()
        assert os.listdir(os.path.join(store_path, "tmp")) == []
        assert store.verify()["ok"]
        summary = store.add(str(build))  # no lock left stuck: the next add runs
        assert len(summary["added"]) == len(ids)
        assert store.verify()["ok"]
        for debug_id in ids:
            entry = store.find_by_debug_id(debug_id)
            assert entry is not None and len(entry) == 4 * 20000
            entry.close()
