# Two commands do all the set-up on a fresh machine (see README):
#   make site   create .venv, install the dependencies, build the shipped data into site/
#   make test   also install the test tools (and Debian's chromium when missing), then run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: site test deps test-deps clean

$(VENV)/.deps: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

deps: $(VENV)/.deps

site: deps
	$(PY) build.py

test-deps: deps
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests (needs root)"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

test: test-deps
	$(PY) -m pytest

clean:
	rm -rf site .cache
