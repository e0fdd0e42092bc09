# DocuFlow: `make run` starts the product, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
UV_VERSION := 0.9.30
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: install install-dev run test lint format lock bench clean frontend frontend-test bytecode

# The web client (frontend/), built into src/docuflow/web/dist/ and served by Django.
# npm ci runs when the lock file changes; the build, when a source file does.
WEB_DIST := src/docuflow/web/dist
FRONTEND_SRC := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
  frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/package.json

frontend: $(WEB_DIST)/.built

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_DIST)/.built: frontend/node_modules/.installed $(FRONTEND_SRC)
	cd frontend && npm run build --silent
	touch $@

# Type checks, lint and unit tests of the client (the browser tests run under pytest).
frontend-test: frontend
	cd frontend && npm run --silent typecheck && npm run --silent lint && npm test --silent

install: $(VENV)/.installed-runtime
	@scripts/install-system-packages.sh
	@$(MAKE) --no-print-directory frontend bytecode

install-dev: $(VENV)/.installed-dev
	@scripts/install-system-packages.sh --dev
	@$(MAKE) --no-print-directory frontend bytecode

# Byte-compile ahead of time: where PYTHONDONTWRITEBYTECODE is set (as on this project's
# machines) Python never caches what it compiles, so every `docuflow` process would
# compile Django and the app again, about 3 s of CPU per start. The dependencies are
# compiled when installed (uv's --compile-bytecode); the sources here, skipping what is
# up to date. A file that does not compile is left to the tests to report.
bytecode:
	@$(BIN)/python -m compileall -q -j 0 src > /dev/null || true

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q "uv==$(UV_VERSION)"

$(VENV)/.installed-runtime: requirements.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements-dev.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@ $(VENV)/.installed-runtime

run: install
	$(BIN)/docuflow migrate --no-input -v 0
	$(BIN)/docuflow demo
	$(BIN)/docuflow serve --host $(HOST) --port $(PORT)

# SQLite first, then PostgreSQL when DOCUFLOW_TEST_DATABASE_URL is set or a server answers.
test: install-dev
	$(BIN)/ruff check src tests bench
	@$(MAKE) --no-print-directory frontend-test
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
