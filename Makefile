# Lookthrough — two commands: `make run` (set up everything and start the demo) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

# Stamps so that repeated runs skip work already done.
RUNTIME := $(VENV)/.runtime-installed
DEV     := $(VENV)/.dev-installed
ASSETS  := src/lookthrough/regions/data/built/divisions.csv

.PHONY: run setup assets test test-fast lint format clean

run: setup  ## Set up on a fresh machine and serve the demo at http://127.0.0.1:$(PORT)
	LOOKTHROUGH_PORT=$(PORT) $(BIN)/lookthrough demo

setup: $(RUNTIME) $(ASSETS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEV): pyproject.toml $(RUNTIME)
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Front-end files (htmx 2, ECharts 6, Tabler) and the division table + map boundaries.
$(ASSETS): node_modules/.package-lock.json $(RUNTIME) $(wildcard src/lookthrough/regions/build*.py)
	$(BIN)/python -m lookthrough.regions.build

assets: node_modules/.package-lock.json $(RUNTIME)
	$(BIN)/python -m lookthrough.regions.build

test: $(DEV) $(ASSETS) lint  ## The whole suite (PostgreSQL too when LOOKTHROUGH_TEST_PG_URL is set)
	$(BIN)/pytest -n 2 --dist loadfile

test-fast: $(DEV) $(ASSETS)
	$(BIN)/pytest -n 2 --dist loadfile -m "not browser"

lint: $(DEV)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/mypy

format: $(DEV)
	$(BIN)/ruff format src tests scripts
	$(BIN)/ruff check --fix src tests scripts

clean:
	rm -rf $(VENV) node_modules src/lookthrough/web/static/vendor src/lookthrough/web/static/geo \
	  src/lookthrough/regions/data/built .pytest_cache .mypy_cache .ruff_cache
