#!/usr/bin/env bash
# Installs this machine's wheel from dist/ for each interpreter given (its own --target dir, with
# the newest cffi that interpreter supports) and runs smoke.py. An interpreter that is
# not installed is reported as absent, never as passed.
# Usage: wheel_smoke.sh PYTHON...
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# dist/ holds one wheel per architecture: this machine's.
wheel=$(ls "$root"/dist/mapback-*-py2.py3-none-*_"$(uname -m)".whl 2>/dev/null | head -n 1)
[ -n "$wheel" ] || { echo "no py2.py3 $(uname -m) wheel in dist/: run 'make wheel'"; exit 1; }
passed=0 failed=0
for python in "$@"; do
  if [ ! -x "$python" ]; then
    echo "absent: $python"
    continue
  fi
  target=$(mktemp -d)
  if PIP_FIND_LINKS= PIP_DISABLE_PIP_VERSION_CHECK=1 "$python" -m pip install --quiet \
       --target "$target" "$wheel" >"$target.log" 2>&1 \
     && PYTHONPATH="$target" "$python" "$root/tests/python/smoke.py" "$root"; then
    passed=$((passed + 1))
  else
    echo "FAILED: $python"; cat "$target.log"
    failed=$((failed + 1))
  fi
  rm -rf "$target" "$target.log"
done
echo "wheel smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
