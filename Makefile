# DocuFlow: `make run` starts the product, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
UV_VERSION := 0.9.30
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: install install-dev run test lint format lock bench clean

install: $(VENV)/.installed-runtime
	@scripts/install-system-packages.sh

install-dev: $(VENV)/.installed-dev
	@scripts/install-system-packages.sh --dev

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q "uv==$(UV_VERSION)"

$(VENV)/.installed-runtime: requirements.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements-dev.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@ $(VENV)/.installed-runtime

run: install
	$(BIN)/docuflow migrate --no-input -v 0
	$(BIN)/docuflow demo
	$(BIN)/docuflow serve --host $(HOST) --port $(PORT)

# SQLite first, then PostgreSQL when DOCUFLOW_TEST_DATABASE_URL is set or a server answers.
test: install-dev
	$(BIN)/ruff check src tests bench
	DOCUFLOW_DATA_DIR=var/test-sqlite DATABASE_URL= $(BIN)/pytest -q
	@pg_url="$${DOCUFLOW_TEST_DATABASE_URL:-}"; \
	if [ -z "$$pg_url" ] && $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
	  pg_url="$(PG_TEST_URL)"; fi; \
	if [ -n "$$pg_url" ]; then \
	  echo "== PostgreSQL: $$pg_url"; \
	  DOCUFLOW_DATA_DIR=var/test-postgres DATABASE_URL="$$pg_url" $(BIN)/pytest -q -m "not pure"; \
	else echo "== No PostgreSQL server: skipped the PostgreSQL run"; fi

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: install-dev
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Re-resolve the lock files after changing pyproject.toml.
lock: | $(BIN)/uv
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements-dev.lock
	$(BIN)/uv pip compile -q pyproject.toml --python-version 3.11 -c requirements-dev.lock -o requirements.lock

clean:
	rm -rf $(VENV) var/test-sqlite var/test-postgres
