# Tadrib: `make run` serves the demo, `make test` runs every test. Nothing else is needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (python3.11 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tadrib demo
	$(BIN)/tadrib serve --host 127.0.0.1 --port 8000

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# WebKit (every iPhone browser's engine) for the participant app's tests, on a virtual display.
WEBKIT := /usr/bin/WebKitWebDriver /usr/bin/Xvfb
$(WEBKIT) &:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq webkit2gtk-driver xvfb

test: $(STAMP) $(CHROMIUM) $(WEBKIT)
	$(BIN)/ruff check
	$(BIN)/mypy
	@# Playwright's sync API runs its own event loop: browser tests get processes of their own.
	$(BIN)/pytest -m "not browser"
	$(BIN)/pytest -m browser tests/browser
	$(BIN)/pytest -m browser --ignore=tests/browser

lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy

bench: $(STAMP)
	@status=0; \
	for script in sync.py report.py pwa.py "lighthouse.py --strict"; do \
		$(BIN)/python bench/$$script || status=1; \
	done; \
	exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
