# Two entry points (see README): `make run` and `make test`. Everything else is a step.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: run test install assets build bench clean

run: install assets build
	$(VENV)/bin/streamlit run app.py --server.port $(PORT)

test: install assets
	$(PY) -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Leaflet and its plugins, from the npm registry (package-lock.json), copied to static/vendor.
assets: install
	$(PY) -m layers.assets

build: install
	$(VENV)/bin/atlas build

bench: install assets build
	$(PY) bench/bench_build.py

clean:
	rm -rf build static/vendor node_modules
