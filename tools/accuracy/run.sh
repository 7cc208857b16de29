#!/usr/bin/env bash
# The whole accuracy pipeline, from a fresh clone (`make accuracy` runs it after `make develop`):
# setup, build the corpus, capture it in Chromium, Firefox and Node, score mapback and symbolic.
# Writes tools/accuracy/results/accuracy.md; everything else goes to tools/accuracy/build/.
# Takes about 4 minutes here once installed (most of it is the 135 captures).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-python3}"
cd "$HERE"

step() { printf '\n== accuracy: %s\n' "$*"; }

step "1/6 tools/capture setup (Debian chromium, firefox-esr; puppeteer-core)"
bash "$ROOT/tools/capture/setup.sh"

step "2/6 npm ci in tools/accuracy (pinned minifiers and libraries)"
npm ci --no-audit --no-fund

step "3/6 symbolic in tools/accuracy/.venv"
if [ ! -f .venv/.installed ] || [ requirements.txt -nt .venv/.installed ]; then
  "$PYTHON" -m venv .venv
  PIP_FIND_LINKS= PIP_DISABLE_PIP_VERSION_CHECK=1 .venv/bin/pip install --quiet -r requirements.txt
  touch .venv/.installed
fi
.venv/bin/python -c 'import symbolic, sys; from importlib import metadata; print("symbolic", metadata.version("symbolic"), "on Python", sys.version.split()[0])'

step "4/6 build the corpus (build/dist/)"
rm -rf build/dist build/captures
node build.mjs

step "5/6 capture every bundle in chromium, firefox and node (build/captures/)"
node capture-corpus.mjs

step "6/6 score mapback and symbolic (results/accuracy.md)"
PYTHONPATH="$ROOT/python" .venv/bin/python score.py
