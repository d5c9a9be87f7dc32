# servicestat: two commands on a fresh machine, `make` and `make test`.
# Every target is idempotent: the venv is rebuilt only when the lock file or
# pyproject.toml changes (tracked by the .venv/.installed stamp).

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
UV_VERSION := 0.13.8

.PHONY: all pipeline test lint bench lock clean-outputs clean

all: pipeline

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## pipeline: run the whole Snakemake workflow (default profile), then say where the reports are
pipeline: $(STAMP)
	$(BIN)/snakemake
	@echo ""
	@echo "Reports:  reports/index.md  and  reports/index.html"
	@echo "Data:     data/processed/  (catalog: data/processed/catalog.csv)"

## test: the test suite (unit tests and end-to-end pipeline tests on temporary copies)
test: $(STAMP)
	$(BIN)/python -m pytest

## lint: ruff and snakemake --lint
lint: $(STAMP)
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/snakemake --lint

## bench: time cold, no-op and one-table rebuilds against the import baseline
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

## lock: regenerate requirements.lock (every transitive version pinned, with hashes)
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--generate-hashes --no-header -o requirements.lock

## clean-outputs: remove generated data and reports (raw data is never touched)
clean-outputs:
	rm -rf data/processed reports .snakemake

clean: clean-outputs
	rm -rf $(VENV)
