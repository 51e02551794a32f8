PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STATIC := src/corridor/web/static
NPM := $(shell command -v npm 2>/dev/null)

.PHONY: run test venv bench clean web serve dist chromium

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install -q -e .

# the demo first, then the web map for `corridor serve` where Node.js and npm are (the API works without it)
run: venv
	$(BIN)/corridor demo
	@$(if $(NPM),$(MAKE) -s --no-print-directory web,echo "note: no Node.js/npm here, so the web map is not built: corridor serve answers the API but not the map (install Node.js and npm, then make web)")

# the web map: MapLibre from npm, bundled by esbuild into src/corridor/web/static/ (git-ignored: built, not committed)
web/node_modules/.package-lock.json: web/package-lock.json
	@command -v npm >/dev/null || { echo "make web: the web map needs Node.js and npm; install them (e.g. apt-get install -y nodejs npm)"; exit 1; }
	cd web && npm ci --no-audit --no-fund

$(STATIC)/index.html: web/node_modules/.package-lock.json web/build.mjs web/index.html $(shell find web/src -type f)
	cd web && npm run build

web: $(STATIC)/index.html

serve: venv web
	$(BIN)/corridor serve

# the browser tests drive Chromium (CORRIDOR_CHROMIUM, else `chromium` on PATH): as root, install Debian's
chromium:
	@if [ -x "$${CORRIDOR_CHROMIUM:-/usr/bin/chromium}" ] || command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "make test: installing Debian's Chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "make test: the browser tests (tests/e2e) need Chromium: install it (sudo apt-get install -y chromium) or set CORRIDOR_CHROMIUM"; fi

test: $(BIN)/python chromium web
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# a wheel and an sdist in dist/ that carry the built map and the dataset: installing them needs no Node
dist: $(BIN)/python web
	$(BIN)/pip install -q build
	rm -rf build dist src/*.egg-info
	$(BIN)/python -m build

# speed, as ratios against a named peer in the same run (see each script's docstring)
bench: $(BIN)/python
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python benchmarks/routing.py
	$(BIN)/python benchmarks/reliability.py
	$(BIN)/python benchmarks/criticality.py
	$(BIN)/python benchmarks/assignment.py --quick
	$(BIN)/python benchmarks/energy.py

clean:
	rm -rf $(VENV) report build dist *.egg-info src/*.egg-info
