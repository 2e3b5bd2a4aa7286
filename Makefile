# Two commands do all the set-up on a fresh machine (see README):
#   make site   create .venv, install the locked dependencies, build the shipped data into site/
#   make test   also install the test tools (and Debian's chromium when missing), then run every test
# Others: make test-fast (the unit tests, under a minute), make lock (refresh requirements.lock), make clean.
# The lock holds the test and pdf extras too: `make site` can build with --pdf (WeasyPrint; Pango from the system).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# the tool that writes requirements.lock, in a venv of its own (it is not a dependency of the site)
UV_VERSION := 0.13.9
LOCK_TOOL := .cache/lock-tool

.PHONY: site test test-fast deps test-deps lock clean real-data

# every package at the version and with the hashes in requirements.lock: two machines get the same bytes
$(VENV)/.deps: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip check
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
	@$(PY) -c "import weasyprint" >/dev/null 2>&1 || { \
	  echo "Installing Pango for WeasyPrint, which makes the packs' PDFs (needs root)"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0; }

# the Nu HTML Checker, at the version in package-lock.json (its install script, which would download a Java, is not
# run: the machine's Java is used)
node_modules/vnu-jar/build/dist/vnu.jar: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# The whole suite in two processes, one per core: the browser tests with the shipped-site tests (they share one build
# of the shipped data, tests/conftest.py) beside everything else. Each has its own temporary folder (outside the
# repository: a build refuses an output folder inside its cache); the first's report is printed after the second's,
# and the target fails if either fails. (`pytest` alone runs it all in one process.)
TEST_TMP := $(or $(TMPDIR),/tmp)/ics-outcomes-tests
test: test-deps
	@mkdir -p .cache && rm -rf $(TEST_TMP) && mkdir -p $(TEST_TMP)
	@$(PY) -m pytest tests/browser tests/unit/test_shipped_site.py --basetemp=$(TEST_TMP)/site -p no:cacheprovider \
	  > .cache/pytest-site.log 2>&1 & site=$$!; \
	$(PY) -m pytest --ignore=tests/browser --ignore=tests/unit/test_shipped_site.py --basetemp=$(TEST_TMP)/rest; \
	rest=$$?; wait $$site; shipped=$$?; \
	echo "--- browser and shipped-site tests (run alongside) ---"; cat .cache/pytest-site.log; \
	test $$rest -eq 0 && test $$shipped -eq 0

test-fast: deps
	$(PY) -m pytest -m "not slow"

# Refresh requirements.lock from pyproject.toml (newest versions that fit; review the diff like code), then
# `make deps` installs it. Needs the package index; nothing else does.
lock:
	$(PYTHON) -m venv $(LOCK_TOOL)
	$(LOCK_TOOL)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	$(LOCK_TOOL)/bin/uv pip compile pyproject.toml --extra test --extra pdf --generate-hashes --universal \
	  --python-version 3.11 --no-header --upgrade --quiet -o requirements.lock

# the real published statistics in ../shared/reference/real/ (REAL=folder for newer files), imported afresh
real-data: deps
	$(PY) scripts/import_real.py

clean:
	rm -rf site .cache
