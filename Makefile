# Two entry points (see README): `make run` and `make test`. Everything else is a step.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8501
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint install assets browser postgres build bench clean

# Streamlit's settings (file watcher off, usage statistics off) are in .streamlit/config.toml.
run: install assets build
	$(VENV)/bin/streamlit run app.py --server.port $(PORT)

# Two workers (pytest-xdist), one per core; a test file runs whole on one worker, so its
# module fixtures are built once. Each worker builds the real data once (its own temp dir).
test: install assets browser postgres lint
	$(PY) -m pytest -n 2 --dist loadfile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The end-to-end tests drive Debian's Chromium (headless, through Playwright).
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "chromium is missing: installing Debian's chromium"; \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

# The contributions tests start a throwaway PostgreSQL server (tests/support/postgres.py)
# with Debian's postgresql binaries: initdb and pg_ctl, no running service needed.
postgres:
	@{ command -v initdb || ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 || { \
	  echo "postgresql is missing: installing Debian's postgresql"; \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q postgresql; }

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Leaflet and its plugins, from the npm registry (package-lock.json), copied to static/vendor.
assets: install
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: installing Debian's nodejs and npm"; \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q nodejs npm; }
	$(PY) -m layers.assets

build: install
	$(VENV)/bin/atlas build

bench: install assets build
	$(PY) bench/bench_build.py

clean:
	rm -rf build static/vendor node_modules
