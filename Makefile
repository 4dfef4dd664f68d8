# Tadrib: `make run` serves the demo, `make test` runs every test. Nothing else is needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
#: What running needs, then the test and lint tools on top of it.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
CHROMIUM := /usr/bin/chromium
NPM := $(or $(shell command -v npm),/usr/bin/npm)
ESLINT := node_modules/.bin/eslint
CADDY := /usr/bin/caddy
SYSTEMD_ANALYZE := /usr/bin/systemd-analyze

.PHONY: run test lint bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (python3.11 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

run: $(RUN_STAMP)
	$(BIN)/tadrib demo
	$(BIN)/tadrib serve --host 127.0.0.1 --port 8000

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# WebKit (every iPhone browser's engine) for the participant app's tests, on a virtual display.
WEBKIT := /usr/bin/WebKitWebDriver /usr/bin/Xvfb
$(WEBKIT) &:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq webkit2gtk-driver xvfb

# Node runs ESLint and the app's `node --test` unit tests.
$(NPM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm

$(ESLINT): package.json package-lock.json | $(NPM)
	$(NPM) ci --no-audit --no-fund --loglevel=error
	touch $(ESLINT)

$(CADDY):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy

# systemd-analyze checks the units deploy/ installs.
$(SYSTEMD_ANALYZE):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd

test: $(DEV_STAMP) $(ESLINT) $(CHROMIUM) $(CADDY) $(SYSTEMD_ANALYZE) $(WEBKIT)
	$(BIN)/ruff check
	$(BIN)/mypy
	$(ESLINT) pwa
	@# Playwright's sync API runs its own event loop: browser tests get a process of their own.
	$(BIN)/pytest --ignore=tests/browser
	$(BIN)/pytest tests/browser

lint: $(DEV_STAMP) $(ESLINT)
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy
	$(ESLINT) pwa

bench: $(DEV_STAMP) $(CHROMIUM)
	@status=0; \
	for script in sync.py room.py programme.py report.py pwa.py "lighthouse.py --strict"; do \
		$(BIN)/python bench/$$script || status=1; \
	done; \
	exit $$status

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
