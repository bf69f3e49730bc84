# ContactPoint. `make run` serves the demo; `make test` runs lint and every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
DEMO_CHILDREN ?= 3000

.PHONY: help venv secrets migrate demo run test test-fast lint coverage coverage-gate bench bench-load bench-national vendor clean

help: ## List targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP) ## Create the virtualenv and install pinned dependencies

var/secret_key: | $(STAMP)
	mkdir -p var && chmod 700 var
	umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

var/vault-keys.json: var/secret_key
	$(PY) manage.py vault_init

var/audit-signing-key.pem: var/secret_key
	$(PY) manage.py audit_keygen

secrets: var/secret_key var/vault-keys.json var/audit-signing-key.pem ## Generate development secrets (never committed)

migrate: secrets ## Apply database migrations
	$(PY) manage.py migrate --noinput

demo: migrate ## Load synthetic demo data (once) and print the demo logins
	$(PY) manage.py load_demo --children $(DEMO_CHILDREN)

run: demo ## Set up, load the demo and serve on http://127.0.0.1:8000 (audit heads signed as it runs)
	$(PY) manage.py audit_checkpoint --watch & watcher=$$!; trap 'kill $$watcher' EXIT; \
		$(PY) manage.py runserver 127.0.0.1:8000

lint: $(STAMP) ## ruff, mypy and the import-linter floors (.importlinter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache

# PYTEST_ARGS adds pytest options (CI passes the coverage options, so the gate needs no second run).
PYTEST_ARGS ?=
test: lint ## Lint, then every test (SQLite, or PostgreSQL when DATABASE_URL is set)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: $(STAMP) ## Tests without the browser journey
	$(VENV)/bin/pytest -m "not browser"

COVERED := --cov=access --cov=vault --cov=audit --cov=oversight --cov-branch
COVERAGE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/contactpoint_coverage

# PostgreSQL-only code (the audit id sequence, the checkpoint lock) is proved by tests that run on
# PostgreSQL only (marker `postgresql`): their coverage is added to the SQLite run's before the gate.
coverage-gate: $(STAMP) ## Fail unless the collected coverage data (.coverage) shows 100% branch coverage
	$(VENV)/bin/coverage report --show-missing --skip-covered --fail-under=100

coverage: $(STAMP) ## Branch coverage of access, vault, audit and oversight, SQLite + PostgreSQL (must stay at 100%)
	$(VENV)/bin/pytest -q -m "not browser" $(COVERED) --cov-report=
	DATABASE_URL="$(COVERAGE_DATABASE_URL)" $(VENV)/bin/pytest -q -m postgresql $(COVERED) --cov-append \
		--cov-report=term-missing --cov-fail-under=100

bench: secrets ## Benchmarks (figures go to docs/BENCHMARKS.md)
	$(PY) bench/run.py

LOAD_VENV := var/load-venv
LOAD_CHILDREN ?= 1000000
LOAD_DATABASE ?= cp_bench_load
LOAD_PRACTITIONERS ?= 250
LOAD_USERS ?= 16
LOAD_SECONDS ?= 60
LOAD_WORKERS ?= 5
LOAD_KILL ?= 1
LOAD_RATE ?= 0

$(LOAD_VENV)/.installed: bench/requirements-load.txt
	test -x $(LOAD_VENV)/bin/python || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install --quiet -r bench/requirements-load.txt
	touch $@

# PostgreSQL (LOAD_PG, default postgres://postgres@127.0.0.1:5432) and Redis (LOAD_REDIS_URL) must be running.
bench-load: secrets $(LOAD_VENV)/.installed ## Locust against gunicorn + the bare-Django floor (docs/BENCHMARKS.md)
	LOAD_CHILDREN=$(LOAD_CHILDREN) LOAD_DATABASE=$(LOAD_DATABASE) LOAD_PRACTITIONERS=$(LOAD_PRACTITIONERS) \
		LOAD_USERS=$(LOAD_USERS) LOAD_SECONDS=$(LOAD_SECONDS) LOAD_WORKERS=$(LOAD_WORKERS) LOAD_KILL=$(LOAD_KILL) LOAD_RATE=$(LOAD_RATE) $(PY) bench/load/run.py

BENCH_NATIONAL_CHILDREN ?= 12000000
BENCH_NATIONAL_DATABASE ?= cp_bench_national
BENCH_NATIONAL_WORKERS ?= 0
BENCH_NATIONAL_CHUNK ?= 10000

# PostgreSQL (BENCH_NATIONAL_PG, default postgres://postgres@127.0.0.1:5432) must be running. Resumable:
# run it again after a crash or Ctrl-C. BENCH_NATIONAL_WORKERS=0 means one worker per core.
bench-national: secrets ## COPY N synthetic children (default 12M) with parallel workers; sizes and search latency
	BENCH_NATIONAL_CHILDREN=$(BENCH_NATIONAL_CHILDREN) BENCH_NATIONAL_DATABASE=$(BENCH_NATIONAL_DATABASE) \
		BENCH_NATIONAL_WORKERS=$(BENCH_NATIONAL_WORKERS) BENCH_NATIONAL_CHUNK=$(BENCH_NATIONAL_CHUNK) \
		$(PY) bench/national/run.py

vendor: ## Refresh vendored govuk-frontend from the npm registry
	rm -rf var/npm && mkdir -p var/npm && cd var/npm && npm pack --silent govuk-frontend@$$(node -p "require('../../static/vendor/govuk-frontend/package.json').version") && tar xzf govuk-frontend-*.tgz
	cp -r var/npm/package/dist/govuk/govuk-frontend.min.css var/npm/package/dist/govuk/govuk-frontend.min.js var/npm/package/dist/govuk/assets static/vendor/govuk-frontend/
	cp var/npm/package/package.json static/vendor/govuk-frontend/package.json
	sed -i 's#url(/assets/#url(assets/#g' static/vendor/govuk-frontend/govuk-frontend.min.css

clean: ## Remove the virtualenv and local data (keys included!)
	rm -rf $(VENV) var
