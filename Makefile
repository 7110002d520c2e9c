# Wangge: `make demo` serves the demo district; `make test` runs the whole suite (SQLite and PostgreSQL).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOUSEHOLDS ?= 20000
SEED ?= 0
HOST ?= 127.0.0.1
PORT ?= 8000
# CI sets these to 1 so that a missing PostgreSQL or browser fails instead of skipping.
REQUIRE_POSTGRES ?= 0
REQUIRE_BROWSER ?= 0
PYTEST_ARGS ?=
# Everything run through make is the demo or development: made-up people, the public development keys,
# DEBUG off. A real district runs from deploy/ with its own keys (deploy/README.md).
export WANGGE_DEMO ?= True

.PHONY: install static demo serve test lint typecheck test-sqlite test-postgres bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

static: node_modules/.installed
	scripts/build_static.sh

demo: install static
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py demo_city --households $(HOUSEHOLDS) --seed $(SEED) --if-empty
	HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

serve: install static
	HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy wangge

test-sqlite: install static
	WANGGE_REQUIRE_BROWSER=$(REQUIRE_BROWSER) $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install static
	REQUIRE_POSTGRES=$(REQUIRE_POSTGRES) scripts/with_postgres.sh env WANGGE_REQUIRE_BROWSER=$(REQUIRE_BROWSER) $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck test-sqlite test-postgres

bench: install
	$(BIN)/python -m wangge.bench
	scripts/with_postgres.sh $(BIN)/python -m wangge.bench kpi
	scripts/with_postgres.sh $(BIN)/python -m wangge.bench soak

clean:
	rm -rf $(VENV) node_modules wangge/static/vendor staticfiles var
