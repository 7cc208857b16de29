"""How the library is consumed outside the mapback package: the ctypes example (no
cffi, no site-packages) and two copies of the library loaded into one process side by
side with the package's own, each keeping its symbols to itself (RTLD_LOCAL)."""

from __future__ import absolute_import

import ctypes
import os
import platform
import shutil
import subprocess
import sys

import pytest

import mapback
from conftest import DEMO_DIR, ROOT

PACKAGE_LIBRARY = os.path.join(os.path.dirname(mapback.__file__), "libmapback.so")
EXAMPLE = os.path.join(ROOT, "examples", "ctypes_lookup.py")
DEMO_MAP = os.path.join(DEMO_DIR, "bundle.min.js.map")


def test_ctypes_example_needs_nothing_but_the_standard_library():
    # -S and no PYTHONPATH: no site-packages, so neither cffi nor mapback is importable.
    env = dict((k, v) for k, v in os.environ.items() if k != "PYTHONPATH")
    out = subprocess.check_output(
        [sys.executable, "-S", EXAMPLE, PACKAGE_LIBRARY, DEMO_MAP, "1:1611", "2:140", "9:9"],
        env=env,
    ).decode("utf-8")
    assert out.splitlines() == [
        "1:1611  ->  app/src/checkout.js:8:22  applyCoupon",
        "2:140  ->  app/src/checkout.js:33:18  priceCart",
        "9:9  (not mapped)",
    ]
    # That environment really lacks the package, and on CPython cffi too (PyPy has cffi
    # built in, but the example does not use it).
    modules = ["mapback"] + (["cffi"] if platform.python_implementation() == "CPython" else [])
    for module in modules:
        with pytest.raises(subprocess.CalledProcessError):
            subprocess.check_output(
                [sys.executable, "-S", "-c", "import " + module], stderr=subprocess.STDOUT, env=env
            )
    with open(EXAMPLE) as handle:
        assert "cffi" not in handle.read().replace("no cffi", "")


def test_two_copies_load_side_by_side(tmp_path):
    sys.path.insert(0, os.path.dirname(EXAMPLE))
    try:
        import ctypes_lookup
    finally:
        sys.path.pop(0)
    copies = []
    for name in ("one", "two"):
        directory = tmp_path / name
        directory.mkdir()
        target = str(directory / "libmapback.so")
        shutil.copyfile(PACKAGE_LIBRARY, target)
        copies.append(ctypes_lookup.bind(target))
    # Distinct objects in memory: each copy has its own functions...
    addresses = set(ctypes.cast(lib.mapback_sourcemap_parse, ctypes.c_void_p).value for lib in copies)
    assert len(addresses) == 2
    with open(DEMO_MAP, "rb") as handle:
        data = handle.read()
    err = ctypes_lookup.Error()
    maps = [lib.mapback_sourcemap_parse(data, len(data), None, ctypes.byref(err)) for lib in copies]
    assert all(maps)
    for lib, source_map in zip(copies, maps):
        token = ctypes_lookup.Token()
        assert lib.mapback_sourcemap_lookup(source_map, 0, 1610, None, ctypes.byref(token), ctypes.byref(err))
        assert (token.original_line, token.original_column) == (7, 21)
    for lib, source_map in zip(copies, maps):
        lib.mapback_sourcemap_free(source_map)
    # ...and the package's own copy (loaded RTLD_LOCAL by cffi) is unaffected.
    assert mapback.SourceMap.from_bytes(data).lookup(0, 1610).name == "applyCoupon"
    # RTLD_LOCAL: none of our symbols leaked into the global namespace.
    with pytest.raises(AttributeError):
        ctypes.CDLL(None).mapback_sourcemap_parse
