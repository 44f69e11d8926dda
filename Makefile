# Silk Road Academy. `make run` sets up everything and serves the demo; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DJANGO_SETTINGS_MODULE ?= academy.settings.dev

.DEFAULT_GOAL := help
.PHONY: help install system-packages migrate demo run test test-browser messages lock check-deploy bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e ".[test]"
	touch $@

install: $(VENV)/.installed system-packages ## Create .venv and install the pinned dependencies

system-packages: ## Install the Debian packages PDFs and tests need (when root or sudo)
	@bin/install-system-packages

migrate: install ## Apply database migrations
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the demo data (idempotent) and print the demo logins
	$(PY) manage.py load_demo_data

run: demo ## Set up, load the demo and serve on http://127.0.0.1:8000 with a Celery worker and beat
	bin/run-demo

test: install ## Run the whole test suite on SQLite
	DJANGO_SETTINGS_MODULE=academy.settings.test $(PY) -m pytest -n 2 -q

test-browser: install ## Run the browser journeys in headless Chromium
	@bin/install-system-packages --browser
	DJANGO_SETTINGS_MODULE=academy.settings.test DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser -p no:xdist -q tests/browser

messages: install ## Extract and compile the translation catalogues
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=static_collected
	$(PY) manage.py compilemessages --ignore=.venv

lock: ## Re-pin every dependency in constraints.txt from a fresh resolve
	rm -rf /tmp/academy-lock && $(PYTHON) -m venv /tmp/academy-lock
	/tmp/academy-lock/bin/pip install -q --upgrade pip && /tmp/academy-lock/bin/pip install -q -e ".[test]"
	/tmp/academy-lock/bin/pip freeze --exclude-editable > constraints.txt

check-deploy: install ## Run Django's deployment checks with production settings
	DJANGO_SETTINGS_MODULE=academy.settings.production SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-value-for-the-check-only ALLOWED_HOSTS=academy.example.edu REDIS_URL=redis://127.0.0.1:6379/0 DATABASE_URL=sqlite:///var/check.db $(PY) manage.py check --deploy --fail-level WARNING

bench: install ## Run the benchmarks (ratios against a baseline measured in the same run)
	$(PY) -m bench

clean: ## Remove the venv, database, media and the demo's broker files
	rm -rf $(VENV) db.sqlite3 var media static_collected
