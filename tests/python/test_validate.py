"""The validator: ``mapback.validate`` and ``mapback validate`` (exit status 0/1/2)."""

from __future__ import absolute_import

import json
import os

from conftest import DEMO_DIR, TextOut

import mapback
from mapback.cli import main

DEMO_MAP = os.path.join(DEMO_DIR, "bundle.min.js.map")
DEMO_SCRIPT = os.path.join(DEMO_DIR, "bundle.min.js")
BAD_MAP = b'{"version":3,"sources":["a.js"],"names":[],"mappings":"ACAA;ADAAC"}'


def run(argv):
    out = TextOut()
    status = main(argv, out=out)
    return status, out.getvalue()


def test_the_demo_map_and_its_script_are_valid():
    with open(DEMO_SCRIPT, "rb") as handle:
        script = handle.read()
    report = mapback.validate(DEMO_MAP, script=script)
    assert report["valid"] is True
    assert report["errors"] == [] and report["error_count"] == 0


def test_every_problem_is_reported_with_its_place():
    report = mapback.validate(BAD_MAP)
    assert report["valid"] is False
    codes = [problem["code"] for problem in report["errors"]]
    assert codes == ["source-index-out-of-bounds", "name-index-out-of-bounds"]
    assert all(problem["severity"] == "error" for problem in report["errors"])
    assert report["errors"][0]["offset"] == BAD_MAP.index(b'"ACAA') + 1
    warnings = [(w["code"], w.get("path")) for w in report["warnings"]]
    assert ("missing-sources-content", "sources[0]") in warnings


def test_columns_past_the_line_end_need_the_script():
    source_map = b'{"version":3,"sources":["a.js"],"sourcesContent":["x"],"mappings":"AAAA,UAAA"}'
    assert mapback.validate(source_map)["valid"] is True
    report = mapback.validate(source_map, script=u"short")
    (problem,) = report["errors"]
    assert problem["code"] == "column-past-line-end"
    assert (problem["generated_line"], problem["generated_column"]) == (0, 10)


def test_an_undecodable_map_is_a_report_not_an_exception():
    report = mapback.validate(b"[1, 2")
    assert [e["code"] for e in report["errors"]] == ["invalid-json"]


def test_cli_exit_status_is_0_1_or_2(tmp_path):
    bad = tmp_path / "bad.js.map"
    bad.write_bytes(BAD_MAP)
    status, text = run(["validate", DEMO_MAP, "--script", DEMO_SCRIPT])
    assert status == 0, text
    assert "valid (0 errors" in text
    status, text = run(["validate", DEMO_MAP, str(bad)])
    assert status == 1
    assert "error source-index-out-of-bounds [byte" in text
    assert "INVALID (2 errors" in text
    status, _ = run(["validate", str(tmp_path / "missing.map")])
    assert status == 2


def test_cli_json_is_one_document(tmp_path):
    bad = tmp_path / "bad.js.map"
    bad.write_bytes(BAD_MAP)
    status, text = run(["validate", "--json", str(bad)])
    assert status == 1
    document = json.loads(text)
    (entry,) = document["maps"]
    assert entry["map"] == str(bad)
    assert entry["report"]["error_count"] == 2
