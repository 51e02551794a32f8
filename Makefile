PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test venv bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install -q -e .

run: venv
	$(BIN)/corridor demo

test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(BIN)/python
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python benchmarks/routing.py

clean:
	rm -rf $(VENV) report build *.egg-info src/*.egg-info
