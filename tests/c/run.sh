#!/usr/bin/env bash
# Builds and runs the C API tests (tests/c/test_*.c) against libmapback.so.
#
# Usage: bash tests/c/run.sh [LIBRARY_DIR]     (default: target/release)
#
# Build the library first with `cargo build --release`. Each program runs twice: once
# directly and once under valgrind (memcheck), where any memory error or a definite or
# indirect leak fails it; "still reachable" and "possibly lost" blocks do not. The last
# line of output is "N passed, M failed"; the exit status is non-zero if any failed.
# Set CC to use another compiler (default: cc).
#
# SANITIZER=address builds each program with -fsanitize=address instead, against a
# library built with -Zsanitizer=address (`make check-deep`), and runs it once, with
# AddressSanitizer and LeakSanitizer in place of valgrind.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo" # the tests open fixtures by paths relative to the repository root

libdir="${1:-target/release}"
if [[ ! -d "$libdir" ]]; then
    echo "error: library directory '$libdir' does not exist (run: cargo build --release)" >&2
    exit 2
fi
libdir="$(cd "$libdir" && pwd)"
if [[ ! -f "$libdir/libmapback.so" ]]; then
    echo "error: $libdir/libmapback.so not found (run: cargo build --release)" >&2
    exit 2
fi
sanitizer="${SANITIZER:-}"
if [[ -z "$sanitizer" ]] && ! command -v valgrind >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "valgrind is missing: installing it with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi
if [[ -z "$sanitizer" ]] && ! command -v valgrind >/dev/null 2>&1; then
    echo "error: valgrind is not installed (e.g. apt-get install valgrind)" >&2
    exit 2
fi
cc="${CC:-cc}"
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "error: C compiler '$cc' not found (set CC)" >&2
    exit 2
fi

# Panics are caught and reported as MAPBACK_ERROR_PANIC; keep their output short.
export RUST_BACKTRACE=0

build="tests/c/build${sanitizer:+-$sanitizer}"
mkdir -p "$build/lib"
# Programs record the library's SONAME (libmapback.so.<ABI>), which cargo does not
# create beside libmapback.so: link and run against a directory that has both names.
soname=$(readelf -d "$libdir/libmapback.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
ln -sf "$libdir/libmapback.so" "$build/lib/libmapback.so"
[[ -z "$soname" ]] || ln -sf "$libdir/libmapback.so" "$build/lib/$soname"
linkdir="$(cd "$build/lib" && pwd)"
cflags=(-std=c99 -Wall -Wextra -Werror -I include)
[[ -z "$sanitizer" ]] || cflags+=(-g "-fsanitize=$sanitizer" -fno-omit-frame-pointer)
ldflags=(-L "$linkdir" -lmapback "-Wl,-rpath,$linkdir")
valgrind=(valgrind --error-exitcode=1 --leak-check=full
          --errors-for-leak-kinds=definite,indirect --quiet)

passed=0
failed=0
failures=()

record() { # record NAME STATUS
    if [[ "$2" -eq 0 ]]; then
        passed=$((passed + 1))
        echo "PASS $1"
    else
        failed=$((failed + 1))
        failures+=("$1")
        echo "FAIL $1 (exit status $2)"
    fi
}

shopt -s nullglob
sources=(tests/c/test_*.c)
if [[ ${#sources[@]} -eq 0 ]]; then
    echo "error: no tests/c/test_*.c found" >&2
    exit 2
fi

for src in "${sources[@]}"; do
    name="$(basename "$src" .c)"
    exe="$build/$name"
    extra=()
    case "$name" in
        test_threads) extra=(-D_POSIX_C_SOURCE=200809L -pthread) ;;
    esac

    echo "=== build $name"
    status=0
    "$cc" "${cflags[@]}" "${extra[@]}" -o "$exe" "$src" "${ldflags[@]}" || status=$?
    if [[ $status -ne 0 ]]; then
        record "$name (build)" "$status"
        continue
    fi

    echo "=== run $name"
    status=0
    "$exe" || status=$?
    record "$name" "$status"

    [[ -z "$sanitizer" ]] || continue # the sanitizer checked that run
    echo "=== run $name under valgrind"
    status=0
    "${valgrind[@]}" "$exe" || status=$?
    record "$name (valgrind)" "$status"
done

echo
if [[ $failed -gt 0 ]]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
