# servicestat: two commands on a fresh machine, `make` and `make test`.
# Every target is idempotent: the venv is rebuilt only when the lock file or
# pyproject.toml changes (tracked by the .venv/.installed stamp).

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
UV_VERSION := 0.13.8

.PHONY: all pipeline test test-fast lint bench scale lock translations rulegraph clean-outputs clean \
	chromium report-archive base-tables diff-tables

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
	@echo "Report:   reports/index.html  (start here: findings first; Markdown: reports/findings.md)"
	@echo "Appendix: reports/index.md  (data catalogue, checks, codebook)"
	@echo "Data:     data/processed/  (catalog: data/processed/catalog.csv)"

## test: the whole test suite (unit tests, end-to-end pipeline tests on temporary copies and
## the browser test of the HTML report) with line coverage of src/; fails when a test fails
## or coverage is below 90 %
test: $(STAMP) chromium
	$(BIN)/python -m pytest --cov=src --cov-report=term-missing:skip-covered --cov-fail-under=90

## chromium: Debian's headless browser for tests/test_browser.py, installed when missing
## (Playwright drives it; it never downloads a browser of its own)
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

## report-archive: Snakemake's own report (every figure and result table with its caption,
## grouped by source and analysis) as reports/report.zip; builds what is missing first
report-archive: pipeline
	$(BIN)/snakemake --report reports/report.zip

## base-tables: the result tables of another commit (BASE_REF, default the parent commit),
## exported (git archive) and built in build/base with this venv; no tables when the commit
## does not exist (a first push); a base that fails to build is reported, not fatal (the
## summary is information about this build, which the other targets check)
BASE_REF ?= HEAD~1
base-tables: $(STAMP)
	rm -rf build/base && mkdir -p build/base
	@if git rev-parse --verify --quiet "$(BASE_REF)^{commit}" >/dev/null; then \
	  git archive "$(BASE_REF)" | tar -x -C build/base && \
	  { (cd build/base && PYTHONPATH=src $(abspath $(BIN))/snakemake --quiet) || \
	    echo "base-tables: the build of $(BASE_REF) failed (see build/base/logs); its tables are partial"; }; \
	else echo "base-tables: no commit $(BASE_REF); every table counts as new"; fi

## diff-tables: a Markdown summary of the result tables that differ from another build's
## (BASE=<its reports/tables>, default: those of `make base-tables`)
BASE ?= build/base/reports/tables
diff-tables: $(STAMP)
	@PYTHONPATH=src $(BIN)/python -m analysis.report.diff $(BASE) reports/tables

## test-fast: unit tests only (no Snakemake runs), for the edit-test loop
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not pipeline"

## lint: ruff and snakemake --lint
lint: $(STAMP)
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/snakefmt --check Snakefile rules/
	$(BIN)/snakemake --lint

## bench: time cold, no-op, one-table and one-template rebuilds against the import baseline;
## exits non-zero while a target is not met
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

## scale: time and peak memory of ingest (and the whole pipeline at 200 000 rows) as one
## table grows to 10k, 50k, 200k and 1M rows; prints the growth exponent
scale: $(STAMP)
	$(BIN)/python benchmarks/scale.py

## translations: extract each report section's text (gettext domain = section) and update
## its Swedish catalog; then translate the new empty msgstr entries (a test fails on any left)
DOMAINS := index html findings survey meetings channels claims
LOCALE  := src/analysis/report/locale
translations: $(STAMP)
	mkdir -p build/pot
	for d in $(DOMAINS); do \
	  files="$$(ls src/analysis/report/$$d.py src/analysis/report/$${d}_*.py src/analysis/report/templates/$$d*.j2 2>/dev/null)"; \
	  $(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output --omit-header -o build/pot/$$d.pot $$files; \
	  if [ -f $(LOCALE)/sv/LC_MESSAGES/$$d.po ]; then \
	    $(BIN)/pybabel -q update --omit-header --no-fuzzy-matching --ignore-obsolete \
	      -i build/pot/$$d.pot -d $(LOCALE) -D $$d -l sv; \
	  else $(BIN)/pybabel -q init -i build/pot/$$d.pot -d $(LOCALE) -D $$d -l sv; fi; \
	done

## rulegraph: the rule graph as Mermaid (the picture in docs/architecture.md)
rulegraph: $(STAMP)
	@$(BIN)/snakemake --rulegraph mermaid-js 2>/dev/null | grep -v '^\s*style '

## lock: regenerate requirements.lock (every transitive version pinned, with hashes)
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--generate-hashes --no-header --quiet -o requirements.lock

## clean-outputs: remove generated data and reports (raw data is never touched)
clean-outputs:
	rm -rf data/processed reports build logs .snakemake

clean: clean-outputs
	rm -rf $(VENV)
