# FlexML Studio: `make run` sets up and opens the app; `make test` sets up and runs every check.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test compile lint format bench dist clean screenshots \
	icons bundle check-bundle check-dist bench-bundle install-desktop uninstall-desktop

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
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/bench_startup.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/bench_server.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/bench_flowmap.py
	$(PY) benchmarks/bench_limits.py
	$(PY) benchmarks/bench_flowtests.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/bench_tests_panel.py

dist: $(STAMP)
	$(PY) -m pip install --quiet build
	$(PY) -m build

# --- Packaging (packaging/README.md) -------------------------------------------------------
# The wheel smoke check: build the sdist and wheel, install the wheel in a fresh venv, run it.
check-dist: $(STAMP)
	packaging/check_wheel.sh

# The app icon's PNGs (resources/icons/app), drawn from resources/icons/flexml-studio.svg.
icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) packaging/make_icons.py

# A one-folder app in dist/flexml-studio/ (PyInstaller), then its smoke check.
bundle: $(STAMP)
	$(PY) -m pip install --quiet 'pyinstaller>=6.10'
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN \
	  --distpath dist --workpath build/pyinstaller packaging/flexml-studio.spec
	$(MAKE) --no-print-directory check-bundle

# Size and contents, then packaging/check_bundle.sh (it runs), by tests/test_packaging.py.
check-bundle: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m bundle tests/test_packaging.py

bench-bundle: compile
	$(PY) benchmarks/bench_bundle.py

# The .desktop file, metainfo, icons and MIME type for this user (~/.local/share).
install-desktop:
	packaging/linux/install.sh

uninstall-desktop:
	packaging/linux/install.sh --uninstall

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

screenshots: compile
	QT_QPA_PLATFORM=offscreen $(PY) docs/screenshots.py
