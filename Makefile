# The two commands: `make demo` and `make test`. Everything generated lives in ignored folders
# (.venv/, data/, dbt_project/target/).
PYTHON      ?= python3.11
UV_VERSION  := 0.13.9
VENV        := .venv
BIN         := $(VENV)/bin
CONSTRAINTS := constraints/constraints-3.11.txt
MANIFEST    := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o \
                 \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print 2>/dev/null)

export IRM_DATA_ROOT ?= $(CURDIR)/data

.PHONY: install demo test lint format up clean clean-all constraints manifest browser bench bi-client

# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on this machine
# and many CI images) every process would otherwise recompile Airflow, dbt and cosmos on import.
$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --python $(BIN)/python --constraint $(CONSTRAINTS) --compile-bytecode \
	  --editable ".[dev]"
	touch $@

install: $(VENV)/.installed

# The dbt manifest: the marts' contracts (warehouse/mart_contract.py: the mart checks, the export)
# and the transform's count of dbt tests read it.
# Parsed with the flags the transform's dbt task passes (cosmos: --profile, --target,
# --no-static-parser), so the partial-parse file left in target/ matches its state check and the
# first transform on this warehouse path skips dbt's full parse (18 s against 6 s, measured).
$(MANIFEST): $(VENV)/.installed $(DBT_SOURCES)
	cd dbt_project && IRM_WAREHOUSE_PATH="$(IRM_DATA_ROOT)/warehouse/irm.duckdb" \
	  ../$(BIN)/dbt parse --profiles-dir . --profile irm --target duckdb --no-static-parser --quiet
	touch $@

manifest: $(MANIFEST)

demo: $(MANIFEST)
	$(BIN)/irm demo

# SPEC 10: build, time and measure a synthetic world (small 1k, medium 10k, large 50k
# accounts; 180 days). Results in bench/results/$(SCALE).json; data under data/bench/$(SCALE).
SCALE ?= small
bench: $(MANIFEST)
	$(BIN)/python -m bench --scale $(SCALE)

# A BI tool's own Python environment, apart from the project's (Airflow needs SQLAlchemy 2.1,
# whose PostgreSQL reflection duckdb-engine cannot answer): SQLAlchemy 2.0.54 with duckdb-engine
# 0.17 and DuckDB 1.5, the versions docs/serving.md recommends; tests/serving reflects the BI
# copy through it.
BI_VENV := .venv-bi
BI_CONSTRAINTS := constraints/bi-client-3.11.txt
$(BI_VENV)/.installed: $(VENV)/.installed $(BI_CONSTRAINTS)
	$(BIN)/uv venv --quiet --allow-existing --python $(BIN)/python $(BI_VENV)
	$(BIN)/uv pip install --quiet --python $(BI_VENV)/bin/python --requirement $(BI_CONSTRAINTS)
	touch $@

bi-client: $(BI_VENV)/.installed

# Two pytest workers, one test file each at a time (module fixtures stay in one process): the
# slow files mostly wait on Airflow, dbt and subprocesses, so two of them share two cores well.
# --no-loadscope-reorder: xdist would otherwise hand out the files with the most tests first,
# undoing tests/conftest.py's longest-first order (the longest files hold a few tests each, so
# they started late, behind dozens of short files).
# The lint runs beside the tests, not before them: its 50 CPU-seconds (sqlfluff, mostly) fill
# the moments both workers wait on a subprocess, instead of adding about 45 s of wall time. Its
# report is printed after pytest's, and either failing fails `make test`.
# The project's own modules are compiled first: with PYTHONDONTWRITEBYTECODE set (see install)
# each of the suite's hundreds of Python subprocesses (Airflow, dbt, the bench, the sandbox)
# would compile them again on import (0.15-0.3 s a process, measured); compileall skips what is
# compiled already.
# The tests' files (about 3 GB at the most: worlds, landing zones, warehouses, Airflow homes) go
# to one folder of this run, in RAM where the machine has a writable /dev/shm: the suite writes,
# fsyncs and deletes tens of thousands of files, and this disk (ext4 mounted with `discard`)
# took about 0.7 ms an unlink. `TEST_TMP=/tmp make test` keeps them on disk. The folder goes
# when the tests pass; when they fail it is kept, and its path printed, for a look.
TEST_TMP ?= $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo /tmp)
PROJECT_PACKAGES := core extractors warehouse expectations exports irm bench sandbox dags tests
PYTEST_WORKERS ?= 2
test: $(MANIFEST) browser bi-client
	@$(BIN)/python -m compileall -q -j 0 $(PROJECT_PACKAGES)
	@tmp=$$(mktemp -d -p "$(TEST_TMP)" irm-tests.XXXXXX); lint_log=$$tmp/lint.log; \
	( $(LINT) ) > $$lint_log 2>&1 & lint_pid=$$!; \
	TMPDIR=$$tmp $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder \
	  --basetemp=$$tmp/pytest; tests=$$?; \
	wait $$lint_pid; linted=$$?; \
	echo "---- make lint (ran beside the tests) ----"; cat $$lint_log; \
	[ $$linted = 0 ] || echo "make test: the lint failed (above)"; \
	if [ $$tests = 0 ]; then rm -rf $$tmp; else echo "make test: the tests' files: $$tmp"; fi; \
	[ $$tests = 0 ] && [ $$linted = 0 ]

# Headless Chromium (Debian's package) renders the HTML report in tests/serving. A no-op when
# it is installed already; otherwise apt-get, through sudo unless we are root.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package) for the report rendering test"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    chromium fonts-dejavu-core >/dev/null && \
	  command -v chromium >/dev/null; }

# lint-imports checks the import contracts of docs/architecture.md (pyproject.toml,
# [tool.importlinter]); it reads the packages from here, the repository root.
LINT := $(BIN)/ruff check . && $(BIN)/ruff format --check . \
  && $(BIN)/sqlfluff lint dbt_project/models --processes 2 && $(BIN)/lint-imports
lint: $(VENV)/.installed
	$(LINT)

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix dbt_project/models --processes 2

# The Airflow UI on http://127.0.0.1:$(PORT) with these DAGs, paused, against the sandbox
# platform (its API on $(SANDBOX_PORT)): `make up PORT=8081`. Ctrl-C stops both.
PORT         ?= 8080
SANDBOX_PORT ?= 8765
up: $(MANIFEST)
	$(BIN)/irm up --ui-port $(PORT) --sandbox-port $(SANDBOX_PORT)

# Re-pin the constraints file after changing pyproject.toml (needs the package index).
constraints: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml --extra dev --python $(BIN)/python \
	  --no-annotate --no-header --output-file $(CONSTRAINTS)

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache .ruff_cache .import_linter_cache

clean-all: clean
	rm -rf $(VENV) $(BI_VENV)
