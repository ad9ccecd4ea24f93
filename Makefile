# The two commands of the README. Each sets up a virtual environment in .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup setup-test

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -e .

setup-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@command -v chromium >/dev/null || (command -v apt-get >/dev/null && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) || \
	  echo "chromium not installed: the browser tests will skip (and fail under CI=true)"

## make run: set up, then print the paper's three scenarios from the shipped NATO model
run: setup
	$(BIN)/cohesion-bn scenarios

## make test: set up, then lint, type-check and run every test and notebook
test: setup-test
	$(BIN)/ruff check cohesion_bn tests
	$(BIN)/mypy cohesion_bn
	$(BIN)/pytest -q --nbmake tests $(wildcard notebooks/*.ipynb)
