"""The inspector from Python: :func:`mapback.inspect_html` (bytes or a path),
``SourceMap.to_html``, and ``mapback inspect`` (writing the page, finding the script
beside the map by its name or its sourceMappingURL comment, or going without)."""

from __future__ import absolute_import

import io
import json
import os
import re
import shutil

import pytest

import mapback
from mapback.cli import main

from conftest import DEMO_DIR, TextOut

DEMO_MAP = os.path.join(DEMO_DIR, "bundle.min.js.map")
DEMO_SCRIPT = os.path.join(DEMO_DIR, "bundle.min.js")


def _data(page):
    """The JSON document the page carries."""
    text = page.decode("utf-8")
    match = re.search(r'<script id="mapback-data" type="application/json">(.*?)</script>', text, re.S)
    assert match, "the page has its data element"
    return json.loads(match.group(1))


def _script():
    with io.open(DEMO_SCRIPT, encoding="utf-8") as handle:
        return handle.read()


def test_inspect_html_from_bytes_and_from_a_path_agree():
    with open(DEMO_MAP, "rb") as handle:
        from_bytes = mapback.inspect_html(handle.read(), script=_script(), map_name="m")
    from_path = mapback.inspect_html(DEMO_MAP, script=_script(), map_name="m")
    assert from_bytes == from_path
    assert from_bytes.startswith(b"<!doctype html>")
    data = _data(from_bytes)
    assert data["map_name"] == "m"
    assert data["attribution"]["total"] == len(_script().encode("utf-8"))
    assert data["sources"][1]["name"] == "app/src/pricing.js"


def test_without_a_script_there_is_no_attribution():
    data = _data(mapback.inspect_html(DEMO_MAP))
    assert data["script"] is None
    assert "attribution" not in data
    assert data["validation"]["valid"] is True


def test_a_script_that_is_not_utf8_is_refused():
    with pytest.raises(mapback.InvalidArgumentError):
        mapback.inspect_html(DEMO_MAP, script=b"\xff")


def test_sourcemap_to_html_shows_the_map_as_decoded():
    source_map = mapback.SourceMap.from_path(DEMO_MAP)
    data = _data(source_map.to_html(script=_script(), script_name="bundle.min.js"))
    assert data["script_name"] == "bundle.min.js"
    assert data["facts"]["token_count"] == len(source_map)
    assert [s["name"] for s in data["sources"]] == [s.name for s in source_map.sources]


def _run(argv):
    out = TextOut()
    return main(argv, out=out), out.getvalue()


def test_cli_finds_the_script_by_the_maps_name(tmp_path):
    output = str(tmp_path / "page.html")
    status, printed = _run(["inspect", DEMO_MAP, "-o", output])
    assert status == 0
    assert output in printed
    with open(output, "rb") as handle:
        data = _data(handle.read())
    assert data["script_name"] == "bundle.min.js"
    assert data["attribution"]["total"] == os.path.getsize(DEMO_SCRIPT)


def test_cli_finds_the_script_by_its_source_mapping_url(tmp_path):
    # The map renamed: only the script's comment (rewritten to the new name) links them.
    shutil.copy(DEMO_MAP, str(tmp_path / "renamed.map"))
    with io.open(DEMO_SCRIPT, encoding="utf-8") as handle:
        script = handle.read().replace("sourceMappingURL=bundle.min.js.map", "sourceMappingURL=renamed.map")
    with io.open(str(tmp_path / "app.js"), "w", encoding="utf-8") as handle:
        handle.write(script)
    with io.open(str(tmp_path / "other.js"), "w", encoding="utf-8") as handle:
        handle.write(u"x()\n//# sourceMappingURL=other.js.map\n")
    status, _ = _run(["inspect", str(tmp_path / "renamed.map")])
    assert status == 0
    with open(str(tmp_path / "renamed.map.html"), "rb") as handle:
        data = _data(handle.read())
    assert data["script_name"] == "app.js"


def test_cli_without_a_script_still_writes_a_page(tmp_path):
    shutil.copy(DEMO_MAP, str(tmp_path / "alone.map"))
    status, _ = _run(["inspect", str(tmp_path / "alone.map"), "-o", str(tmp_path / "p.html")])
    assert status == 0
    with open(str(tmp_path / "p.html"), "rb") as handle:
        assert _data(handle.read())["script"] is None


def test_cli_unreadable_map_is_status_2(tmp_path):
    status, _ = _run(["inspect", str(tmp_path / "missing.map")])
    assert status == 2
