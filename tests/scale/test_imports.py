"""Here the engines are installed (unlike tests/python's venv), so this can fail:
importing mapback and its engine modules must not import pyspark, dask or pandas."""

from __future__ import absolute_import

import importlib.util
import subprocess
import sys

ENGINES = ("pyspark", "dask", "distributed", "pandas", "pyarrow")


def test_importing_mapback_never_imports_the_engines():
    assert all(importlib.util.find_spec(name) for name in ENGINES), "installed, so they could be imported"
    code = (
        "import sys, mapback, mapback.worker, mapback.spark, mapback.dask, mapback.cli;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in %r))" % (ENGINES,)
    )
    out = subprocess.check_output([sys.executable, "-c", code])
    assert out.strip() == b"[]"
