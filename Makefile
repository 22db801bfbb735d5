# FlexML Studio: `make run` sets up and opens the app; `make test` sets up and runs every check.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test compile lint format bench dist clean screenshots

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "Creating the virtual environment failed: on Debian/Ubuntu install python3-venv (apt-get install python3-venv)"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Byte-code, as pip writes it for an installed wheel (PYTHONDONTWRITEBYTECODE may be set).
compile: $(STAMP)
	@$(PY) -m compileall -q gui

run: compile
	$(VENV)/bin/flexml-studio

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest
	$(MAKE) --no-print-directory lint

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: compile
	$(PY) benchmarks/bench_flexml.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/bench_editor.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/bench_server.py

dist: $(STAMP)
	$(PY) -m pip install --quiet build
	$(PY) -m build

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

screenshots: compile
	QT_QPA_PLATFORM=offscreen $(PY) docs/screenshots.py
