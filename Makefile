# Two commands a fresh machine needs: `make test` and `make demo`.
# Both create .venv when missing and (re)install only when the project files changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: test lint types imports pytest docs bench demo soak generate clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the packaging metadata changed (the install is editable). The cli
# extra (rich) is named explicitly: `make demo` alone must get the `booqable` command.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[cli,dev,docs]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# tests/typing/accept_*.py must type-check too (assert_type on facade results);
# tests/typing/test_typing.py checks that mypy rejects tests/typing/reject_facades.py.
types: $(STAMP)
	$(BIN)/mypy --strict booqable_async tests/typing/accept_facades.py

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

# Every order of the embedded demo company (FakeBooqable, in process: no account, no
# network) with its customer, streamed to JSON Lines with a progress bar; the summary line
# gives the records, the revenue (sum of grand_total_in_cents, via stats) and the time.
DEMO_OUT := demo-output/orders.jsonl

demo: $(STAMP)
	@$(BIN)/booqable pull orders --demo --include customer --out $(DEMO_OUT) \
		--stat grand_total_in_cents=sum
	@echo "demo: $$(wc -l < $(DEMO_OUT) | tr -d ' ') orders with their customer in $(DEMO_OUT)" \
		"(revenue: the grand_total_in_cents sum above). Next, try:"
	@echo "  $(BIN)/booqable stats orders --demo --stat status=count    (the demo company again)"

generate: $(STAMP)
	$(BIN)/python -m tools.generate
	$(BIN)/ruff format booqable_async

clean:
	rm -rf $(VENV) site .coverage .coverage.* .mypy_cache .ruff_cache .pytest_cache
