# Anwei — make run · make test · make lint · make bench
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgres://postgres@127.0.0.1:5432/anwei_$(shell date +%s)_$$$$
# two test processes (pytest-xdist), one per core of the CI machine; PYTEST_ARGS= runs in one
PYTEST_ARGS ?= -n 2

.PHONY: run test lint bench install messages system-deps test-sqlite test-postgres clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

messages: install
	@cd src && ../$(PY) -m anwei compilemessages -v 0

system-deps:
	@scripts/system-deps

run: install messages
	$(PY) -m anwei migrate --noinput -v 0
	$(PY) -m anwei demo --if-empty
	$(PY) -m anwei collectstatic --noinput -v 0
	$(PY) -m anwei run

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install system-deps messages lint
	$(PY) -m anwei makemigrations --check --dry-run -v 1
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: install
	DATABASE_URL=sqlite:///:memory: $(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres: install
	@scripts/ensure-postgres
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q $(PYTEST_ARGS)

bench: install messages
	$(PY) -m bench

clean:
	rm -rf $(VENV) var
