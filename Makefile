# mapback: the one entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
CARGO ?= cargo
VENV := .venv
VPY := $(VENV)/bin/python
LIB := target/release/libmapback.so
# pip must reach PyPI even where PIP_FIND_LINKS points elsewhere.
PIP_ENV := PIP_FIND_LINKS= PIP_DISABLE_PIP_VERSION_CHECK=1
# The embedded example: a real esbuild bundle of examples/demo/app and a Node trace.
DEMO_MAP := examples/demo/bundle.min.js.map

.PHONY: help build develop header check-header lint check check-rust check-python test test-rust test-c test-python \
        conformance wheel wheel-smoke demo bench bench-quick test-real-maps clean accuracy \
        test-chain install test-install matrix compat compat-arm64 compat-arm64-smoke sdist-check fuzz check-deep test-panic test-hostile \
        events-fixtures hermes-fixtures test-scale test-inspect

# Every target carries a `## ` description on its rule line; `make help` prints them, so
# a new target without one is invisible there, which is the reminder to write it.
help: ## this list
	@echo "Fresh machine: 'make demo' (the main job), 'make test' (everything, what CI runs)."
	@echo "Inner loop: 'make check' (fmt, clippy, header drift, Rust and Python tests; minutes warm)."
	@echo
	@grep -E '^[a-z][a-z0-9-]*:.*## ' $(MAKEFILE_LIST) \
	  | sed -E 's/^([a-z0-9-]+):.*## (.*)$$/\1\t\2/' \
	  | awk -F '\t' '{ printf "  make %-15s %s\n", $$1, $$2 }'

build: ## release library: target/release/libmapback.so
	$(CARGO) build --release --lib

$(VENV)/.installed: tests/python/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP_ENV) $(VPY) -m pip install --quiet -r tests/python/requirements.txt
	touch $@

# Library and generated bindings copied into the source tree, for `PYTHONPATH=python`.
develop: build $(VENV)/.installed ## build + Python bindings in place (python/mapback)
	cp $(LIB) python/mapback/libmapback.so
	$(VPY) build.py python/mapback

header: ## regenerate include/mapback.h with cbindgen
	MAPBACK_HEADER_OUT=$(CURDIR)/include/mapback.h $(CARGO) build --lib

check-header: ## fail if include/mapback.h is stale
	@mkdir -p target
	MAPBACK_HEADER_OUT=$(CURDIR)/target/mapback.h.fresh $(CARGO) build --lib
	@diff -u include/mapback.h target/mapback.h.fresh \
	  || { echo "include/mapback.h is stale: run 'make header' and commit it"; exit 1; }
	@echo "header: include/mapback.h is up to date"

lint: ## cargo fmt --check and clippy -D warnings
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

# The inner loop: fmt, clippy, header drift, every Rust test in a debug build, and the
# Python suite against the debug library (no release build: fat LTO takes minutes). `make test` is the whole truth; this is what a change most often breaks.
check: lint check-header check-rust check-python ## the fast inner loop: fmt, clippy, header, Rust and Python tests
	@echo "make check: passed (make test runs everything)"

check-rust: ## every Rust test in a debug build (no hostile catalogue, no release build)
	$(CARGO) test --quiet

DEBUG_LIB := target/debug/libmapback.so
check-python: $(VENV)/.installed ## the Python suite, installed into .venv around the debug library
	$(CARGO) build --lib
	MAPBACK_PREBUILT_LIBRARY=$(CURDIR)/$(DEBUG_LIB) $(PIP_ENV) $(VPY) -m pip install --quiet \
	  --no-build-isolation --no-deps --force-reinstall .
	cd tests/python && MAPBACK_LIBRARY=$(CURDIR)/$(DEBUG_LIB) ../../$(VPY) -m pytest -q -p no:cacheprovider .

test: lint check-header test-rust test-hostile test-c test-install test-python test-panic test-chain wheel-smoke compat-arm64-smoke test-real-maps test-scale test-inspect ## every check: fmt, clippy, header, Rust, C (valgrind), Python, wheels (x86_64, aarch64 under qemu), real maps, Spark and Dask, the inspector in Chromium
	@echo "make test: all checks passed"

# All Rust tests (unit, integration, doc); then the conformance suite again, verbose,
# so its "tc39: N/99 passed" and "tc39 scopes goldens: N/8 passed" lines are in the log.
test-rust: ## all Rust tests (unit, integration, doc) and the tc39 counts (main suite, scopes goldens)
	$(CARGO) test
	$(CARGO) test --test conformance -- --nocapture

# The hostile-input catalogue (tests/hostile.rs): each case in a child process under
# `prlimit --as=2G`, with its typed error or documented answer and a peak-memory bound
# (16 x input + 32 MiB). Release mode: the 200 MB cases take minutes in a debug build.
test-hostile: ## the hostile-input catalogue, each case in a memory-capped child process
	$(CARGO) test --release --test hostile -- --include-ignored --nocapture

conformance: ## the tc39 ECMA-426 suite only
	$(CARGO) test --test conformance -- --nocapture

test-c: build ## the C programs against the header, under valgrind
	bash tests/c/run.sh target/release

# The package is installed into the venv as a user would (no build isolation, to reuse
# the pinned setuptools/cffi and the library cargo just built).
test-python: build $(VENV)/.installed ## install the package into .venv as a user would, then pytest
	MAPBACK_PREBUILT_LIBRARY=$(CURDIR)/$(LIB) $(PIP_ENV) $(VPY) -m pip install --quiet \
	  --no-build-isolation --no-deps --force-reinstall .
	cd tests/python && ../../$(VPY) -m pytest -q -p no:cacheprovider .

# Scaling out on the real engines (tests/scale, docs/scale.md): a local Spark
# (`local[2,4]`, pyspark from PyPI on Debian's Java 17, installed when missing) and a
# Dask LocalCluster of 2 worker processes symbolicate a few thousand real SDK events,
# with a worker killed mid-job and a damaged store entry. The engines live in their own
# venv (pinned in tests/scale/requirements.txt, installed once: a stamp); the package is
# installed into it around the release library as test-python does.
SCALE_VENV := .venv-scale
$(SCALE_VENV)/.installed: tests/scale/requirements.txt
	$(PYTHON) -m venv $(SCALE_VENV)
	$(PIP_ENV) $(SCALE_VENV)/bin/python -m pip install --quiet -r tests/scale/requirements.txt
	touch $@

test-scale: build $(SCALE_VENV)/.installed ## mapback.spark and mapback.dask on a real local Spark and Dask cluster
	bash tests/scale/ensure-java.sh
	MAPBACK_PREBUILT_LIBRARY=$(CURDIR)/$(LIB) $(PIP_ENV) $(SCALE_VENV)/bin/python -m pip install --quiet \
	  --no-build-isolation --no-deps --force-reinstall .
	cd tests/scale && ../../$(SCALE_VENV)/bin/python -m pytest -q -p no:cacheprovider .

# Panic injection (the test-only `panic-injection` feature): every export, from Rust, C
# and Python, reports a panic as MAPBACK_ERROR_PANIC and the process carries on. The
# Rust test runs alone: the switch is an environment variable, process-wide.
PANIC_LIB := target/panic-injection/libmapback.so
test-panic: $(VENV)/.installed ## panic injection: every export reports MAPBACK_ERROR_PANIC, from Rust, C, Python
	RUST_BACKTRACE=0 $(CARGO) test --features panic-injection --test ffi injected -- --test-threads=1
	$(CARGO) build --features panic-injection --lib
	@mkdir -p $(dir $(PANIC_LIB))
	cp target/debug/libmapback.so $(PANIC_LIB)
	ln -sf libmapback.so $(dir $(PANIC_LIB))$$(readelf -d $(PANIC_LIB) | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
	$(CC) -std=c99 -Wall -Wextra -Werror -I include -o $(dir $(PANIC_LIB))panic_injection \
	  tests/c/panic_injection.c -L $(dir $(PANIC_LIB)) -lmapback -Wl,-rpath,$(CURDIR)/$(dir $(PANIC_LIB))
	RUST_BACKTRACE=0 $(dir $(PANIC_LIB))panic_injection > $(dir $(PANIC_LIB))c.log 2>&1 \
	  || { cat $(dir $(PANIC_LIB))c.log; exit 1; }
	@tail -n 1 $(dir $(PANIC_LIB))c.log
	cd tests/python && MAPBACK_PANIC_LIBRARY=$(CURDIR)/$(PANIC_LIB) ../../$(VPY) -m pytest -q -rs \
	  -p no:cacheprovider test_panic_injection.py

# Composition against the JavaScript reference (@ampproject/remapping) on a real chain
# built fresh by tests/chain/build-chain.mjs; npm installs the pinned tools once.
CHAIN_DIR := target/chain
tests/chain/node_modules/.installed: tests/chain/package-lock.json
	cd tests/chain && npm ci --silent --no-audit --no-fund
	touch $@

test-chain: test-python tests/chain/node_modules/.installed ## compose a real tsc -> esbuild -> terser chain; compare with remapping
	node tests/chain/build-chain.mjs $(CHAIN_DIR)
	$(VPY) tests/chain/compare.py $(CHAIN_DIR)

# The wheels, one per platform: the library linked against glibc 2.17 with cargo-zigbuild (no
# docker) for x86_64 and, cross-compiled from here, aarch64; one py2.py3-none wheel around
# each, retagged manylinux_2_17 by auditwheel (which checks the symbol versions the library
# needs), and the sdist beside them. The host's wheel is built last: the source tree keeps
# its library (python/mapback/libmapback.so), as before.
WHEEL_VENV := .venv-wheel
WHEEL_ARCHES := aarch64 x86_64
$(WHEEL_VENV)/.installed: python/wheel-requirements.txt
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(PIP_ENV) $(WHEEL_VENV)/bin/pip install --quiet -r python/wheel-requirements.txt
	touch $@

# One architecture's wheel ($(1): aarch64, x86_64). auditwheel's --plat offers only the
# host's architecture; `auto` reads the tag from the wheel's own library, and the check
# after it insists on manylinux_2_17 for that architecture.
define wheel_for
	PATH="$(CURDIR)/$(WHEEL_VENV)/bin:$$PATH" cargo-zigbuild zigbuild --release --lib --target $(1)-unknown-linux-gnu.2.17
	rm -rf build dist/raw
	MAPBACK_PREBUILT_LIBRARY=$(CURDIR)/target/$(1)-unknown-linux-gnu/release/libmapback.so $(PIP_ENV) $(VPY) -m pip wheel \
	  --quiet --no-deps --config-settings=--build-option=--plat-name=linux_$(1) -w dist/raw .
	PATH="$(CURDIR)/$(WHEEL_VENV)/bin:$$PATH" auditwheel repair \
	  --plat $(if $(filter $(1),$(shell uname -m)),manylinux_2_17_$(1),auto) -w dist dist/raw/*.whl
	rm -rf dist/raw
	@mkdir -p target
	$(WHEEL_VENV)/bin/auditwheel show dist/*_$(1).whl | tee target/auditwheel-$(1).txt
	@tr '\n' ' ' < target/auditwheel-$(1).txt | grep -q 'consistent with the following platform tag: "manylinux_2_17_$(1)"' \
	  || { echo "the $(1) wheel is not manylinux_2_17_$(1)"; exit 1; }
endef

wheel: $(VENV)/.installed $(WHEEL_VENV)/.installed ## build the py2.py3-none manylinux wheels (x86_64, aarch64) and the sdist into dist/
	rm -rf dist build
	rustup target add $(foreach arch,$(WHEEL_ARCHES),$(arch)-unknown-linux-gnu)
	$(call wheel_for,aarch64)
	$(call wheel_for,x86_64)
	$(VPY) setup.py --quiet sdist -d dist
	@ls -l dist/
	@for w in dist/*.whl; do $(VPY) -c "import os, sys, zipfile; w = sys.argv[1]; \
	  so = [i.file_size for i in zipfile.ZipFile(w).infolist() if i.filename.endswith('.so')]; \
	  print('%s: %d bytes; libmapback.so inside (stripped): %d bytes' % (os.path.basename(w), os.path.getsize(w), so[0]))" $$w; done

# The sdist builds too: a wheel made from it alone (cargo compiles the crate inside it).
sdist-check: wheel ## build the sdist, then a wheel from it (compiles the crate from the sdist)
	rm -rf target/sdist-wheel
	$(PIP_ENV) $(VPY) -m pip wheel --no-deps -w target/sdist-wheel dist/mapback-*.tar.gz
	@ls -l target/sdist-wheel

# Fuzzing (fuzz/README.md): seeds corpora, runs each target FUZZ_SECONDS, prints a table.
FUZZ_SECONDS ?= 60
fuzz: develop ## every cargo-fuzz target for FUZZ_SECONDS each (default 60; nightly)
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh

# The checks too long for `make test` (tests/deep/run.sh): Miri, AddressSanitizer (Rust
# suite and C programs), ThreadSanitizer, and a fuzz pass. DEEP_STEPS picks some.
check-deep: develop ## the long checks: Miri, ASan (Rust + C), TSan, a fuzz pass
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/deep/run.sh

# One wheel, every interpreter on this machine (tests/matrix/run.py); not in `make test`.
matrix: wheel ## the one wheel on every interpreter found (pyenv versions, pypy3): pytest each
	$(PYTHON) tests/matrix/run.py

# The wheel's tests in a Debian bullseye (glibc 2.31) chroot; needs root and debootstrap.
compat: wheel ## the wheel's tests inside a Debian bullseye chroot (needs root, debootstrap)
	bash tests/compat/run.sh

# The aarch64 wheel on Debian bullseye arm64 under qemu-user-static, from this x86_64 machine
# (tests/compat/arm64.sh; no binfmt, no chroot): bullseye's arm64 pip installs it, its python3,
# cffi and pytest run tests/python, and tests/c's programs, cross-compiled by Debian's
# gcc-aarch64-linux-gnu, link the wheel's libmapback.so. Installs what it needs (apt-get,
# debootstrap into target/compat/arm64) once; needs root.
compat-arm64: wheel ## the aarch64 wheel's Python and C suites in a Debian arm64 root under qemu (needs root)
	bash tests/compat/arm64.sh

# What `make test` runs of it: smoke.py and one C program (10-20 s once the root exists,
# about a minute before; docs/packaging.md).
compat-arm64-smoke: wheel ## the aarch64 wheel under qemu: import, lookups, one C program (needs root)
	bash tests/compat/arm64.sh --smoke

# The same wheel on the oldest and newest CPython (the full matrix is `make matrix`).
PYENV_VERSIONS := $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)/versions
SMOKE_PYTHONS := $(firstword $(wildcard $(PYENV_VERSIONS)/2.7*/bin/python)) \
                 $(lastword $(sort $(wildcard $(PYENV_VERSIONS)/3.13*/bin/python)))
wheel-smoke: wheel ## install the wheel on Python 2.7 and 3.13 and use it
	bash tests/python/wheel_smoke.sh $(or $(strip $(SMOKE_PYTHONS)),$(PYENV_VERSIONS)/2.7/bin/python)

# C consumers: `make install PREFIX=...` puts the header, the shared library (its SONAME
# carries the ABI major version), the static library and a pkg-config file there.
PREFIX ?= /usr/local
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
ABI_MAJOR := $(shell sed -n 's/^pub const MAPBACK_ABI_VERSION: u32 = \([0-9]*\);/\1/p' src/ffi/mod.rs)
# What the static library needs from the system (`cargo rustc -- --print native-static-libs`).
NATIVE_STATIC_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
install: build ## header, shared + static library, mapback.pc into PREFIX (default /usr/local)
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/mapback.h $(DESTDIR)$(PREFIX)/include/mapback.h
	install -m 755 target/release/libmapback.so $(DESTDIR)$(PREFIX)/lib/libmapback.so.$(ABI_MAJOR)
	ln -sf libmapback.so.$(ABI_MAJOR) $(DESTDIR)$(PREFIX)/lib/libmapback.so
	install -m 644 target/release/libmapback.a $(DESTDIR)$(PREFIX)/lib/libmapback.a
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	  -e 's|@NATIVE_STATIC_LIBS@|$(NATIVE_STATIC_LIBS)|' include/mapback.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/mapback.pc

# The installed library as a C program sees it: SONAME, exports, pkg-config, static.
test-install: ## the installed library as a C program sees it (SONAME, pkg-config, static)
	rm -rf target/prefix
	$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/target/prefix
	bash tests/c/install.sh target/prefix

demo: develop ## the main job: symbolicate a real Node stack trace of the example bundle
	@echo "A real Node stack trace of the example bundle (examples/demo/trace-node.txt):"
	@sed 's/^/  /' examples/demo/trace-node.txt
	@echo
	@echo "Symbolicated with its source map:"
	@PYTHONPATH=python $(VPY) -m mapback symbolicate --maps examples/demo examples/demo/trace-node.txt

# Real maps from npm (pinned versions and checksums; downloaded once into
# benches/data by benches/fetch.sh): every cache answer must equal the in-memory map's.
REAL_MAPS_DIR := benches/data
# The directory also holds the benchmark's derived maps (index-*, *.nocontent.map): skipped.
test-real-maps: ## cache round trips on real npm maps (downloads them once)
	bash benches/fetch.sh
	$(CARGO) run --release --quiet --example real_map_round_trip -- \
	  $$(ls $(REAL_MAPS_DIR)/*.map | grep -v -e '\.nocontent\.map$$' -e '/index-' -e '\.reminified\.')

# The inspector's pages (docs/inspect.md) in Debian's headless chromium, driven by the pinned
# puppeteer-core (tests/inspect/run.sh installs both when missing): the demo map, a derivative
# of it with problems, a real Rollup bundle and pdf.js's map from npm. No console error and no
# request but the page itself; hovering, diagnostics, trace paste. Screenshots in
# target/inspect/artifacts (INSPECT_UPDATE_DOCS=1 refreshes docs/img).
test-inspect: develop ## the inspector pages in headless chromium: highlights, diagnostics, trace paste, no network
	PYTHONPATH=$(CURDIR)/python bash tests/inspect/run.sh $(CURDIR)/$(VPY)

# Benchmarks, not tests (`make test` runs none of this): mapback beside the Rust, Python
# and Node peers on the real npm maps, each measurement in its own process, R rounds.
# benches/run.py sets up what it needs (maps, benches/.venv, npm ci, the native worker)
# and writes benches/results/bench.{md,json,png} and README.md's benchmark section.
# Extra options: make bench BENCH_ARGS="--rounds 3 --maps jquery,index".
BENCH_ARGS ?=
bench: develop ## benchmarks vs the Rust, Python and Node peers on real maps (~50 min)
	$(PYTHON) benches/run.py $(BENCH_ARGS)

# A smoke run of the same: 2 rounds, small REPEATs, into benches/results/quick/.
bench-quick: develop ## the same as a 2-round smoke run (results in benches/results/quick)
	$(PYTHON) benches/run.py --quick $(BENCH_ARGS)

# Symbolication accuracy on real npm libraries, real minifiers and real runtimes (Chromium,
# Firefox ESR, Node), mapback next to symbolic: tools/accuracy/README.md. Installs what it
# needs (apt browsers, npm ci, a venv with symbolic), takes ~5 minutes, and writes
# tools/accuracy/results/accuracy.md.
accuracy: develop ## symbolication accuracy vs symbolic on real libraries, minifiers, browsers
	bash tools/accuracy/run.sh

# Regenerates the committed real-client fixtures in tests/data/events/ (not part of `make
# test`, which reads them): a Rollup + terser build with debug IDs, its events from @sentry/browser
# in Debian's headless Chromium and from @sentry/node, and sentry-cli's artifact bundle.
# Installs Debian's chromium (as root, when missing) and the pinned npm tools (npm ci) itself.
events-fixtures: ## regenerate tests/data/events (real SDK events, bundles, artifact bundle)
	bash tools/events/generate.sh

# Regenerates the committed Metro + Hermes fixtures in tests/data/hermes/ (not part of `make test`,
# which reads them): a Metro bundle compiled by hermesc, the maps composed as React Native does,
# and the Hermes VM's stack traces. Installs the pinned npm tools (npm ci) itself.
hermes-fixtures: ## regenerate tests/data/hermes (real Metro bundle, Hermes bytecode, maps, traces)
	bash tools/hermes/generate.sh

clean: ## remove build outputs
	$(CARGO) clean
	rm -rf build dist python/mapback/_native.py python/mapback/libmapback.so tests/c/build \
	  *.egg-info python/*.egg-info
