# Tandem: the two commands are `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://root@127.0.0.1:5432/tandem
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: bench bench-faults openapi run test install install-dev lint typecheck test-unit test-browser test-pg browser seed-demo serve worker clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Tandem needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# A local .env: a random secret key, and the settings of a server on this machine over plain HTTP.
# Production sets real variables (.env.example lists them all).
.env:
	printf 'SECRET_KEY=dev-%s\nALLOWED_HOSTS=127.0.0.1,localhost\nSECURE_SSL_REDIRECT=false\nSESSION_COOKIE_SECURE=false\nCSRF_COOKIE_SECURE=false\nSECURE_HSTS_SECONDS=0\nEMAIL_URL=consolemail://\nSTATIC_FROM_FINDERS=true\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(40))')" > $@

install: $(VENV)/.installed node_modules/.installed .env

install-dev: $(VENV)/.installed-dev node_modules/.installed .env

## make run: install, migrate, seed the demo workspace once, print the logins and serve on :8000
# The demo serves as production does (gunicorn, Tandem's own error pages, the suggestion index warmed
# before the first request) over plain HTTP on this machine; `make run DEBUG=true` shows Django's
# debug pages instead. The background worker is started again whenever it stops.
DEBUG ?= false
DEMO_ENV = DEBUG=$(DEBUG) ALLOWED_HOSTS=$(HOST),127.0.0.1,localhost SITE_URL=http://$(HOST):$(PORT) \
	SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 \
	EMAIL_URL=consolemail:// STATIC_FROM_FINDERS=true
run: install
	mkdir -p var staticfiles
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed --scale demo --seed 1 --if-empty
	$(BIN)/python manage.py demo_logins --url http://$(HOST):$(PORT)/
	@echo "Starting Tandem (Ctrl-C stops the server and the worker)…"
	@trap 'kill 0' INT TERM EXIT; \
		( while true; do $(DEMO_ENV) $(BIN)/python manage.py worker --verbosity 0; \
		  echo "The background worker stopped; starting it again."; sleep 2; done ) & \
		$(DEMO_ENV) $(BIN)/gunicorn tandem.wsgi --bind $(HOST):$(PORT) --workers 2 --timeout 60

## make test: install what the tests need, lint, type-check, run every test (SQLite, then the browser)
test: install-dev lint typecheck test-unit test-browser

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=tandem.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=tandem.settings.test $(BIN)/python manage.py check

typecheck:
	$(BIN)/mypy

test-unit:
	$(BIN)/pytest -m "not browser" -n $(PYTEST_WORKERS)

# The same suite against PostgreSQL (the production database). `.ci/run` creates the database.
test-pg: install-dev
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser" -n $(PYTEST_WORKERS)

browser:
	@command -v chromium >/dev/null 2>&1 || test -x "$${CHROMIUM:-/usr/bin/chromium}" || { \
		echo "Installing Debian's Chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

test-browser: install-dev browser
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m browser -p no:xdist

BENCH_DB ?= postgres://root@127.0.0.1:5432/tandem_large
## make bench: seed the large workspace into PostgreSQL and time pages, API and their SQL (a benchmark: not in CI)
bench: install
	$(BIN)/python -m bench.run --database-url $(BENCH_DB) $(BENCH_ARGS)

$(VENV)/.installed-bench: $(VENV)/.installed requirements-bench.txt
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@

## make bench-faults: 80 Locust users on the seeded large workspace, the worker busy, PostgreSQL restarted
## once mid-run (it waits until no test run uses PostgreSQL); seed first with `make bench`. Not in CI.
bench-faults: install $(VENV)/.installed-bench
	$(BIN)/python -m bench.faults --database-url $(BENCH_DB) $(FAULTS_ARGS)

## make openapi: regenerate the committed OpenAPI document after changing the API
openapi: install-dev
	DJANGO_SETTINGS_MODULE=tandem.settings.test $(BIN)/python manage.py export_openapi_schema --api tandem.api.api --indent 2 --sorted > docs/openapi.json.tmp
	mv docs/openapi.json.tmp docs/openapi.json

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .mypy_cache .ruff_cache
