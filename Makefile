# Two commands a fresh machine needs: `make test` and `make demo`.
# Both create .venv when missing and (re)install only when the project files changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1
# dlt (the sync's loader) sends anonymous usage telemetry unless told not to: nothing
# this project runs phones home (docs/sync.md).
export RUNTIME__DLTHUB_TELEMETRY := false

.PHONY: test lint types imports pytest docs bench demo soak generate clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the packaging metadata changed (the install is editable). The cli
# (rich) and sync (dlt, DuckDB) extras are named explicitly: `make demo` alone must get the
# `booqable sync` command; postgres (psycopg2) is for the sync's PostgreSQL tests.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[cli,sync,postgres,dev,docs]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# tests/typing/accept_*.py must type-check too (assert_type on facade results);
# tests/typing/test_typing.py checks that mypy rejects tests/typing/reject_facades.py.
# examples/ (the clients for other APIs and their fakes) are held to the same standard.
types: $(STAMP)
	$(BIN)/mypy --strict booqable_async examples tests/typing/accept_facades.py

imports: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest $(PYTEST_ARGS)
	$(BIN)/coverage combine --quiet
	$(BIN)/coverage report

test: lint types imports pytest

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# The concurrency soak for 5 minutes (make test runs it for 20 s); prints its figures.
soak: $(STAMP)
	BOOQABLE_SOAK_SECONDS=$${BOOQABLE_SOAK_SECONDS:-300} $(BIN)/python -m pytest tests/soak \
		-q -s -p no:cacheprovider

# The main job, end to end: sync the embedded demo company (FakeBooqable, in process: no
# account, no network) into a DuckDB file with `booqable sync`, which prints a summary per
# table; then one query over the result: the latest orders with their customer's name and
# their number of lines (orders cannot include lines in a list; the tables join them).
DEMO_DB := demo-output/booqable.duckdb

demo: $(STAMP)
	@$(BIN)/booqable sync --demo --db $(DEMO_DB)
	@$(BIN)/python -m booqable_async.sync.example $(DEMO_DB)
	@echo "demo: the tables are in $(DEMO_DB) (dataset booqable_demo); run it again:" \
		"only what changed is read and written. Next, try:"
	@echo "  $(BIN)/booqable pull orders --demo --include customer --out demo-output/orders.csv"

generate: $(STAMP)
	$(BIN)/python -m tools.generate
	$(BIN)/ruff format booqable_async

clean:
	rm -rf $(VENV) site .coverage .coverage.* .mypy_cache .ruff_cache .pytest_cache
