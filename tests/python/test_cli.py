"""The command line, in process."""

from __future__ import absolute_import

import json
import os

from conftest import DEMO_DIR, TextOut

from mapback.cli import main

DEMO_MAP = os.path.join(DEMO_DIR, "bundle.min.js.map")


def run(argv):
    out = TextOut()
    status = main(argv, out=out)
    return status, out.getvalue()


def test_lookup_one_based():
    status, text = run(["lookup", DEMO_MAP, "1:1036", "2:140", "9:9"])
    assert status == 0
    lines = text.splitlines()
    assert lines[0] == "1:1036  ->  app/src/pricing.js:37:11"
    assert lines[1] == "2:140  ->  app/src/checkout.js:33:18  name=priceCart"
    assert lines[2] == "9:9  (not mapped)"


def test_lookup_json_zero_based():
    status, text = run(["lookup", DEMO_MAP, "--zero-based", "--json", "0:1610"])
    assert status == 0
    record = json.loads(text)
    assert record["original"]["source"] == "app/src/checkout.js"
    assert record["original"]["original_line"] == 7


def test_info_and_errors(tmp_path):
    status, text = run(["info", DEMO_MAP])
    assert status == 0 and "sources:     5" in text
    bad = tmp_path / "bad.map"
    bad.write_bytes(b"{nope")
    assert run(["info", str(bad)])[0] == 1
    assert run(["info", str(tmp_path / "missing.map")])[0] == 1
