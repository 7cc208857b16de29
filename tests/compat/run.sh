#!/usr/bin/env bash
# `make compat`: this machine's wheel from dist/ inside Debian bullseye (glibc 2.31, Python 3.9),
# with bullseye's own python3-cffi and python3-pytest, running tests/python there.
#
# Needs root (debootstrap and chroot) and debootstrap (installed with apt-get when
# missing). The chroot is made once in target/compat/bullseye (about a minute from
# deb.debian.org) and reused; the repository's tests, the demo example and the tc39
# suite are copied in fresh each run. Prints the interpreter, glibc and the pytest line.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
root="$repo/target/compat/bullseye"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
if [ "$(id -u)" -ne 0 ]; then
    echo "make compat needs root (debootstrap, chroot)"; exit 2
fi
wheel=$(ls "$repo"/dist/mapback-*-py2.py3-none-*_"$(uname -m)".whl | head -n 1)
command -v debootstrap >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}
if [ ! -x "$root/usr/bin/python3" ]; then
    rm -rf "$root"
    mkdir -p "$root"
    echo "debootstrap bullseye into $root"
    # python3-ply is named because debootstrap does not resolve the virtual packages
    # (python3-ply-lex-3.10) that python3-pycparser depends on.
    debootstrap --variant=minbase --include=python3,python3-cffi,python3-ply,python3-pip,python3-pytest \
        bullseye "$root" "$mirror" >"$repo/target/compat/debootstrap.log" 2>&1 \
        || { tail -20 "$repo/target/compat/debootstrap.log"; exit 1; }
fi
work="$root/work"
rm -rf "$work"
mkdir -p "$work/repo/examples" "$work/repo/tests" "$work/repo/tools/events" "$work/shared/conformance"
cp -r "$repo/tests/python" "$repo/tests/data" "$work/repo/tests/"  # data: the event and Hermes fixtures
cp -r "$repo/tools/events/app" "$work/repo/tools/events/"  # the fixtures' original sources
cp "$repo/Cargo.toml" "$work/repo/"  # test_ctypes compares the library's version with it
cp -r "$repo/examples/demo" "$repo/examples/ctypes_lookup.py" "$work/repo/examples/"
cp -r "$repo/../shared/conformance/tc39-source-map-tests" "$work/shared/conformance/" 2>/dev/null || true
cp "$wheel" "$work/"
mount -t proc proc "$root/proc" 2>/dev/null || true
# A tmpfs /dev/shm: multiprocessing's semaphores (the CLI's --jobs) fail with ENOSYS without one.
mount -t tmpfs tmpfs "$root/dev/shm" 2>/dev/null || true
trap 'umount "$root/proc" "$root/dev/shm" 2>/dev/null || true' EXIT
chroot "$root" /bin/sh -c "
    set -e
    python3 -m pip install --quiet --no-deps --no-index --target /work/site /work/$(basename "$wheel")
    echo \"Debian \$(cat /etc/debian_version), \$(python3 --version), glibc \$(ldd --version | head -n 1 | sed 's/.* //'), cffi \$(python3 -c 'import cffi; print(cffi.__version__)') from bullseye\"
    cd /work/repo/tests/python
    PYTHONPATH=/work/site MAPBACK_LIBRARY=/work/site/mapback/libmapback.so python3 -m pytest -q -rs -p no:cacheprovider .
"
