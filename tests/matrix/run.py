"""`make matrix`: this machine's wheel from dist/, installed into every interpreter on this
machine, each running the Python test suite.

Interpreters: every `$(pyenv root)/versions/*/bin/python` and Debian's `pypy3` (installed
with apt-get when missing and this runs as root). Each gets a fresh directory of its own
(`pip install --target`) with the wheel, the newest cffi it supports and the newest
pytest it supports (pip picks them by the packages' Requires-Python; PyPy's cffi is
built into the interpreter, so it keeps that one), then runs `pytest tests/python`. An interpreter that is
absent is listed as absent, never as passed. Prints an interpreter x result table and
writes it to target/matrix.md; exits 1 if any present interpreter fails.

Usage: python3 tests/matrix/run.py [--keep] [PYTHON...]
"""

from __future__ import print_function

import glob
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTS = os.path.join(ROOT, "tests", "python")
REPORT = os.path.join(ROOT, "target", "matrix.md")


def pyenv_root():
    try:
        return subprocess.check_output(["pyenv", "root"]).decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return os.path.expanduser("~/.pyenv")


def interpreters():
    """(label, path or None) for every interpreter this machine should have."""
    found = []
    versions = sorted(glob.glob(os.path.join(pyenv_root(), "versions", "*", "bin", "python")),
                      key=lambda p: [int(x) for x in re.findall(r"\d+", p.split("/versions/")[1].split("/")[0])])
    for path in versions:
        found.append(("CPython " + path.split("/versions/")[1].split("/")[0], path))
    found.append(("PyPy (Debian pypy3)", pypy3()))
    return found


def pypy3():
    """Debian's pypy3, installed first when missing and possible."""
    if shutil.which("pypy3") is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("pypy3 is missing: installing Debian's pypy3 with apt-get", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if run(["apt-get", "install", "-y", "-qq", "pypy3"], env=env)[0] != 0:
            run(["apt-get", "update", "-qq"], env=env)
            run(["apt-get", "install", "-y", "-qq", "pypy3"], env=env)
    return shutil.which("pypy3")


def run(cmd, env=None, cwd=None):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def version_of(python, target):
    code, out = run([python, "-c",
                     "import platform, sys, cffi, pytest; sys.stdout.write(' '.join(["
                     "platform.python_implementation(), platform.python_version(), "
                     "cffi.__version__, pytest.__version__]))"],
                    env=dict(os.environ, PYTHONPATH=target))
    return out.split() if code == 0 else None


def summary_line(output):
    """pytest's last line: "N passed, M skipped in 1.2s"."""
    lines = [l.strip("= ") for l in output.splitlines() if re.search(r"\d+ (passed|failed|error)", l)]
    return lines[-1] if lines else "no pytest summary"


def main(argv):
    keep = "--keep" in argv
    chosen = [a for a in argv if not a.startswith("--")]
    # dist/ holds one wheel per architecture: this machine's.
    wheels = sorted(glob.glob(os.path.join(ROOT, "dist", "mapback-*-py2.py3-none-*_%s.whl" % platform.machine())))
    if not wheels:
        print("no py2.py3 %s wheel in dist/: run `make wheel` first" % platform.machine())
        return 1
    wheel = wheels[-1]
    print("wheel: %s" % os.path.basename(wheel))
    rows = []
    failed = 0
    targets = [(p, p) for p in chosen] if chosen else interpreters()
    for label, python in targets:
        if not python or not os.access(python, os.X_OK):
            rows.append((label, "-", "-", "-", "absent", "not installed"))
            print("%-22s absent" % label)
            continue
        target = tempfile.mkdtemp(prefix="mapback-matrix-")
        env = dict(os.environ, PIP_FIND_LINKS="", PIP_DISABLE_PIP_VERSION_CHECK="1",
                   PIP_NO_WARN_SCRIPT_LOCATION="1")
        packages = [wheel, "pytest"] + ([] if "PyPy" in label or "pypy" in python else ["cffi"])
        code, out = run([python, "-m", "pip", "install", "--quiet", "--target", target] + packages,
                        env=env)
        if code != 0:
            rows.append((label, "-", "-", "-", "FAILED", "pip install: " + out.strip().splitlines()[-1]))
            print("%-22s FAILED (install)\n%s" % (label, out))
            failed += 1
            continue
        versions = version_of(python, target) or ["?", "?", "?", "?"]
        # test_ctypes binds the wheel's own library, not the repository's build.
        env = dict(os.environ, PYTHONPATH=target, PYTHONDONTWRITEBYTECODE="1",
                   MAPBACK_LIBRARY=os.path.join(target, "mapback", "libmapback.so"))
        code, out = run([python, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", TESTS],
                        env=env, cwd=TESTS)
        result = "passed" if code == 0 else "FAILED"
        if code != 0:
            failed += 1
            print(out[-4000:])
        rows.append((label, versions[1], versions[2], versions[3], result, summary_line(out)))
        print("%-22s %s: %s" % (label, result, summary_line(out)), flush=True)
        if not keep:
            shutil.rmtree(target, ignore_errors=True)
    table = ["| interpreter | version | cffi | pytest | result | tests |", "|---|---|---|---|---|---|"]
    table += ["| %s |" % " | ".join(row) for row in rows]
    text = "\n".join(table) + "\n"
    print()
    print(text)
    if not os.path.isdir(os.path.dirname(REPORT)):
        os.makedirs(os.path.dirname(REPORT))
    with open(REPORT, "w") as handle:
        handle.write("Wheel: `%s`\n\n" % os.path.basename(wheel) + text)
    present = [r for r in rows if r[4] != "absent"]
    print("matrix: %d interpreters, %d passed, %d failed, %d absent" % (
        len(rows), len(present) - failed, failed, len(rows) - len(present)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
