"""Shared fixtures for the Python tests (which run against the installed package)."""

from __future__ import absolute_import

import io
import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO_DIR = os.path.join(ROOT, "examples", "demo")
TC39_DIR = os.environ.get(
    "MAPBACK_TC39_DIR",
    os.path.join(ROOT, "..", "shared", "conformance", "tc39-source-map-tests"),
)

# Ground truth for the demo bundle, checked against @jridgewell/trace-mapping and
# source-map@0.7: 0-based generated (line, column) -> (source, line, column, name).
DEMO_FRAMES = [
    ((0, 1035), ("app/src/pricing.js", 36, 10, None)),
    ((0, 1610), ("app/src/checkout.js", 7, 21, "applyCoupon")),
    ((1, 139), ("app/src/checkout.js", 32, 17, "priceCart")),
    ((1, 411), ("app/src/main.js", 19, 17, None)),
]


class TextOut(io.StringIO):
    """A text buffer for the command line's output that also takes Python 2's ``str``
    (the CLI prints native strings, which sys.stdout accepts on both)."""

    def write(self, text):
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return io.StringIO.write(self, text)


@pytest.fixture(scope="session")
def demo_map_bytes():
    with open(os.path.join(DEMO_DIR, "bundle.min.js.map"), "rb") as handle:
        return handle.read()


@pytest.fixture
def demo_map(demo_map_bytes):
    import mapback

    with mapback.SourceMap.from_bytes(demo_map_bytes) as source_map:
        yield source_map


_UNRAISABLE = []


def _record_unraisable(unraisable):
    _UNRAISABLE.append(unraisable)


def pytest_sessionstart(session):
    # A finalizer that raises is swallowed by Python; record it so the run fails.
    if hasattr(sys, "unraisablehook"):
        sys.unraisablehook = _record_unraisable


def pytest_sessionfinish(session, exitstatus):
    import gc

    gc.collect()
    if _UNRAISABLE:
        details = "; ".join(repr(u.exc_value) for u in _UNRAISABLE)
        sys.stderr.write("\nfinalizers raised during the tests: %s\n" % details)
        session.exitstatus = 1
