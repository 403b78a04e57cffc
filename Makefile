# The two commands of the README: `make run` (dashboard on demo data) and `make test`.
# Needs only Python 3.11+ and make; everything else is installed into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= data/ops.duckdb
PORT ?= 8501

.PHONY: run test setup demo bench screenshots clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m kpis.catalog compile
	touch $@

setup: $(VENV)/.installed

# PySpark (about 450 MB) for --engine spark and its tests: `make test` installs it, `make run`
# does not need it.
$(VENV)/.spark: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,spark]'
	touch $@

# Built once; `make demo` rebuilds it from freshly generated sample exports.
$(DB): | setup
	$(BIN)/kpis --db $(DB) demo

demo: setup
	$(BIN)/kpis --db $(DB) demo

run: setup $(DB)
	KPIS_DB=$(DB) $(BIN)/streamlit run dashboard/app.py --server.port $(PORT)

test: setup $(VENV)/.spark
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

# The README's screenshots, refreshed on purpose (the browser tests never write them otherwise).
screenshots: setup
	KPIS_SCREENSHOTS=1 $(BIN)/pytest -q tests/dashboard/test_browser.py tests/dashboard/test_browser_fr.py tests/report/test_pdf.py

# Not part of `make test`: it generates gigabytes of exports and runs for about 15 minutes.
bench: setup
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) data/*.duckdb data/*.wal data/*.staging data/sample .pytest_cache .mypy_cache
