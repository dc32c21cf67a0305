# fhirgate: `make demo` sets everything up and runs the demo; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := conformance/node_modules/.package-lock.json
SMART_JS_STAMP := tests/smart_js/node_modules/.package-lock.json
PUSH_SERVER_STAMP := tests/push_server/node_modules/.package-lock.json
AXE_STAMP := tests/web/axe/node_modules/.package-lock.json

.PHONY: demo test lint typecheck pytest install node push-server browser clean conformance bench fuzz audit lock soak screenshots tool-listing

install: $(STAMP)

node: $(NODE_STAMP) $(SMART_JS_STAMP) $(AXE_STAMP)

# The conformance suite's second validator (Medplum, pinned in conformance/package-lock.json) runs on Node >= 20.
$(NODE_STAMP): conformance/package.json conformance/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "fhirgate's conformance suite needs Node.js 20+ and npm (e.g. 'sudo apt-get install nodejs npm')"; exit 1; }
	npm ci --prefix conformance --no-audit --no-fund --loglevel=error
	@touch $@

# The SMART JS client (npm fhirclient, pinned in tests/smart_js/package-lock.json), run in Chromium by tests/smart_server.
$(SMART_JS_STAMP): tests/smart_js/package.json tests/smart_js/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "fhirgate's SMART JS client test needs Node.js 20+ and npm"; exit 1; }
	npm ci --prefix tests/smart_js --no-audit --no-fund --loglevel=error
	@touch $@

push-server: $(PUSH_SERVER_STAMP)

# The push tests' FHIR server (Medplum's router over its in-memory repository, pinned in tests/push_server).
$(PUSH_SERVER_STAMP): tests/push_server/package.json tests/push_server/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "fhirgate's push tests need Node.js 20+ and npm (e.g. 'sudo apt-get install nodejs npm')"; exit 1; }
	npm ci --prefix tests/push_server --no-audit --no-fund --loglevel=error
	@touch $@

# axe-core (pinned in tests/web/axe/package-lock.json), injected into the web app's pages by the browser tests.
$(AXE_STAMP): tests/web/axe/package.json tests/web/axe/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "fhirgate's web tests need npm (e.g. 'sudo apt-get install nodejs npm')"; exit 1; }
	npm ci --prefix tests/web/axe --no-audit --no-fund --loglevel=error
	@touch $@

# A PNG of each record page of the web app over the sandbox patient, in screenshots/ (git-ignored).
screenshots: install browser
	$(BIN)/python -m tests.web.screenshots

# The long run over the large sandbox patient (make test runs the small one).
conformance: install node
	$(BIN)/python -m conformance --size large --show-dropped --require-fidelity

# Installs exactly the versions in requirements.lock (what `make audit` checks); `make lock` refreshes it.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fhirgate needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" --constraint requirements.lock
	@touch $@

# Playwright drives the system Chromium; we never download a browser.
browser:
	@if [ -n "$$FHIRGATE_BROWSER" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	    || command -v google-chrome >/dev/null 2>&1 || [ -x "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" ]; then \
	  true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing the system Chromium (apt-get install chromium)..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "fhirgate needs Chromium: run 'sudo apt-get install chromium' (or set FHIRGATE_BROWSER to a Chrome/Chromium binary)"; \
	  exit 1; \
	fi

demo: install browser
	$(BIN)/fhirgate demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install node push-server browser
	$(BIN)/pytest

test: lint typecheck audit pytest

# The tools/list the MCP server answers before building its tools (mcp_server/tool_listing.py): after a
# change to a tool's docstring, arguments or title, write it again and commit it.
tool-listing: install
	$(BIN)/python -m tests.mcp_server.tool_listing_file

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Benchmarks: sync, facade, MCP answers and their fact coverage, export and push, and the web app's pages on the large sandbox patient (slow; not part of `make test`).
bench: install node push-server
	$(BIN)/python -m tests.benchmarks.bench_sync
	$(BIN)/python -m tests.benchmarks.bench_facade
	$(BIN)/python -m tests.benchmarks.bench_text_search
	npm ci --prefix tests/benchmarks --no-audit --no-fund --loglevel=error
	$(BIN)/python -m tests.benchmarks.bench_mcp
	$(BIN)/python -m tests.benchmarks.bench_mcp_facts
	$(BIN)/python -m tests.benchmarks.bench_export
	$(BIN)/python -m tests.benchmarks.bench_web_pages

# Long fuzz runs (make test runs short ones): facade queries, SMART answers, 10,000 drifted payloads per
# translator property, 10,000 hostile portal payloads per surface through the sync (each a whole sync:
# about 3 hours in all), and 30 SIGKILLed syncs.
fuzz: install
	FHIRGATE_FUZZ_EXAMPLES=10000 FHIRGATE_CRASH_KILLS=30 $(BIN)/pytest -q -p no:cacheprovider \
	  tests/fuzz tests/crash tests/translators/test_translator_robustness.py \
	  tests/translators/test_clinical_robustness.py tests/translators/test_people_and_messages_robustness.py

# Known vulnerabilities in the pinned lock (pip-audit asks PyPI's advisory data, then OSV): fails on any
# finding; where no advisory service answers it says so in one line and exits 0, without calling it a pass.
audit: install
	$(BIN)/python -m tests.audit.dependency_audit

# Refresh the lock after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/python -m pip install --quiet -e ".[dev]" --upgrade
	{ sed -n '1,2p' requirements.lock; $(BIN)/python -m pip freeze --exclude-editable --local | LC_ALL=C sort -f; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

# Sustained load on the facade while the sandbox syncs again and again (SOAK_SECONDS, default 300).
soak: install
	$(BIN)/python -m tests.benchmarks.soak
