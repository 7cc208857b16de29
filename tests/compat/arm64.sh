#!/usr/bin/env bash
# `make compat-arm64`: the aarch64 wheel from dist/ on Debian bullseye arm64 (glibc 2.31,
# Python 3.9), run on this x86_64 machine under Debian's qemu-user-static. Bullseye's own
# arm64 pip installs the wheel (so its tags are checked by an aarch64 interpreter), its
# python3-cffi and python3-pytest run tests/python, and tests/c's programs, cross-compiled
# with Debian's gcc-aarch64-linux-gnu against the root's glibc, link the libmapback.so
# from the installed wheel and run under qemu too.
#
# Usage: tests/compat/arm64.sh [--smoke]
#   --smoke   (`make test`) tests/python/smoke.py and one C program instead of the suites.
#
# No binfmt_misc and no chroot: nothing on the host is registered. `debootstrap --foreign`
# downloads bullseye's packages and every .deb is unpacked into target/compat/arm64/root
# (no maintainer scripts run; python3, cffi and pytest need none), once. Each binary runs
# as `qemu-aarch64-static -L ROOT`: the emulated program sees ROOT's files where they exist
# and the host's elsewhere (so tests/ and the wheel are read in place). Python's
# sys.executable is a host script that starts qemu again (qemu's -0 sets argv[0]), so the
# tests' subprocesses of sys.executable run emulated too. Needs root (apt-get, debootstrap).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base="$repo/target/compat/arm64"
root="$base/root"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
started=$SECONDS
if [ "$(id -u)" -ne 0 ]; then
    echo "make compat-arm64 needs root (apt-get, debootstrap)"; exit 2
fi
wheel=$(ls "$repo"/dist/mapback-*-py2.py3-none-*_aarch64.whl 2>/dev/null | head -n 1)
[ -n "$wheel" ] || { echo "no aarch64 wheel in dist/: run 'make wheel'"; exit 1; }

missing=()
command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} with apt-get"
    # No recommends: binfmt-support would register qemu with the host kernel.
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# The root is complete once the stamp is written; anything less is rebuilt from scratch.
if [ ! -f "$root/.unpacked" ]; then
    rm -rf "$root"
    mkdir -p "$root"
    echo "debootstrap --foreign bullseye arm64 into $root"
    # python3-ply: debootstrap does not resolve the virtual package python3-pycparser needs.
    # libc6-dev: the C programs are linked against the root's own glibc (--sysroot).
    debootstrap --foreign --arch=arm64 --variant=minbase \
        --include=python3,python3-cffi,python3-ply,python3-pip,python3-pytest,libc6-dev \
        bullseye "$root" "$mirror" >"$base/debootstrap.log" 2>&1 \
        || { tail -20 "$base/debootstrap.log"; exit 1; }
    # The first stage unpacks only the essential packages; unpack the rest it downloaded.
    for deb in "$root"/var/cache/apt/archives/*.deb; do
        dpkg-deb -x "$deb" "$root"
    done
    rm -f "$root"/var/cache/apt/archives/*.deb
    # Without these the emulated programs see the host's /dev, /proc and /sys (a /dev/shm
    # that is no tmpfs sends glibc's sem_open looking for another, perhaps read-only, one).
    rm -rf "$root/dev" "$root/proc" "$root/sys"
    # dpkg's absolute symlinks (libpthread.so -> /lib/...) would name the host's files from
    # here, where the linker reads the root: make each one point inside the root.
    find "$root" -type l -lname '/*' | while read -r link; do
        ln -sfnr "$root$(readlink "$link")" "$link"
    done
    touch "$root/.unpacked"
fi

# The emulated interpreter, under a host path so that sys.executable starts qemu again.
python="$base/python3"
cat >"$python" <<EOF
#!/bin/sh
exec qemu-aarch64-static -L "$root" -0 "\$0" "$root/usr/bin/python3" "\$@"
EOF
chmod +x "$python"

site="$base/site"
rm -rf "$site"
"$python" -m pip install --quiet --no-deps --no-index --disable-pip-version-check --target "$site" "$wheel"
library="$site/mapback/libmapback.so"
echo "$(basename "$wheel") on Debian $(cat "$root/etc/debian_version") arm64 under $(qemu-aarch64-static --version | head -n 1):"
"$python" -c 'import platform, cffi; print("  %s, Python %s, %s, cffi %s" % (platform.machine(), platform.python_version(), " ".join(platform.libc_ver()), cffi.__version__))'
file -b "$library" 2>/dev/null | sed 's/^/  libmapback.so: /' || true

# C: the programs record the library's SONAME, so link and run against a directory that has it.
cbuild="$base/c"
rm -rf "$cbuild"
mkdir -p "$cbuild/lib"
soname=$(readelf -d "$library" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
ln -s "$library" "$cbuild/lib/libmapback.so"
ln -s "$library" "$cbuild/lib/$soname"
if [ "$smoke" -eq 1 ]; then
    programs=(tests/c/test_parse_lookup.c)
else
    programs=("$repo"/tests/c/test_*.c)
fi
# Debian's cross gcc searches its own glibc (bookworm's, 2.36) before --sysroot's: name the
# root's headers, start files and libraries first, so the programs need only bullseye's 2.31.
multiarch="aarch64-linux-gnu"
sysroot=(--sysroot="$root" -nostdinc -isystem "$(aarch64-linux-gnu-gcc -print-file-name=include)"
         -isystem "$root/usr/include/$multiarch" -isystem "$root/usr/include"
         -B "$root/usr/lib/$multiarch/" -L "$root/usr/lib/$multiarch" -L "$root/lib/$multiarch")
cd "$repo" # the C programs open their fixtures relative to the repository
c_passed=0 c_failed=0
for src in "${programs[@]}"; do
    name=$(basename "$src" .c)
    if aarch64-linux-gnu-gcc "${sysroot[@]}" -std=c99 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -pthread \
           -I include -o "$cbuild/$name" "$src" -L "$cbuild/lib" -lmapback -Wl,-rpath,"$cbuild/lib" \
           >"$cbuild/$name.log" 2>&1 \
       && RUST_BACKTRACE=0 qemu-aarch64-static -L "$root" "$cbuild/$name" >"$cbuild/$name.log" 2>&1; then
        c_passed=$((c_passed + 1))
        echo "  C $name (aarch64): $(tail -n 1 "$cbuild/$name.log")"
    else
        c_failed=$((c_failed + 1))
        echo "  C $name (aarch64) FAILED:"; cat "$cbuild/$name.log"
    fi
done
echo "C programs on aarch64: $c_passed passed, $c_failed failed"

status=0
if [ "$smoke" -eq 1 ]; then
    PYTHONPATH="$site" "$python" tests/python/smoke.py "$repo" || status=$?
else
    cd tests/python
    PYTHONPATH="$site" MAPBACK_LIBRARY="$library" "$python" -m pytest -q -rs -p no:cacheprovider . || status=$?
    cd "$repo"
fi
echo "compat-arm64$([ "$smoke" -eq 1 ] && echo ' smoke'): $((SECONDS - started)) s"
[ "$c_failed" -eq 0 ] && [ "$status" -eq 0 ]
