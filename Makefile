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

# Reinstall only when the packaging metadata changed (the install is editable).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
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

demo: $(STAMP)
	@echo "make demo arrives with the fake-server issue (#7)."

generate: $(STAMP)
	$(BIN)/python -m tools.generate
	$(BIN)/ruff format booqable_async

clean:
	rm -rf $(VENV) site .coverage .coverage.* .mypy_cache .ruff_cache .pytest_cache
