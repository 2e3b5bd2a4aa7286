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

test-deps: deps node_modules/vnu-jar/build/dist/vnu.jar
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests (needs root)"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	@command -v java >/dev/null 2>&1 || { \
	  echo "Installing Java for the Nu HTML Checker (needs root)"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless; }

# the Nu HTML Checker (its install script, which would download a Java, is not run: the machine's Java is used)
node_modules/vnu-jar/build/dist/vnu.jar: package.json
	npm install --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

test: test-deps
	$(PY) -m pytest

clean:
	rm -rf site .cache
