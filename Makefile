PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test venv bench clean web serve

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install -q -e .

run: venv
	$(BIN)/corridor demo

# the web map: MapLibre from npm, bundled by esbuild into src/corridor/web/static/
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web: web/node_modules/.package-lock.json
	cd web && npm run build

serve: venv web
	$(BIN)/corridor serve

test: $(BIN)/python web
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# speed, as ratios against a named peer in the same run (see each script's docstring)
bench: $(BIN)/python
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python benchmarks/routing.py
	$(BIN)/python benchmarks/reliability.py
	$(BIN)/python benchmarks/criticality.py
	$(BIN)/python benchmarks/assignment.py --quick
	$(BIN)/python benchmarks/energy.py

clean:
	rm -rf $(VENV) report build *.egg-info src/*.egg-info
