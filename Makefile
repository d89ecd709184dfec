# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run run-cluster test test-embedded install migrate lint clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

install: $(INSTALLED)

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	@$(PY) manage.py seed_demo
	@echo ""
	@echo "  Consult is starting on http://$(HOST):$(PORT)"
	@echo "  Sign in as alice (therapist), bob (supervisor), carol (peer) or oscar (outsider);"
	@echo "  the password for all of them is: consult-demo. bob then gives a second step: a code from"
	@echo "  the authenticator key or one of the recovery codes printed above (each works once)."
	@echo ""
	@# The scheduler (escalations, repeats, reminders, e-mail, webhooks) runs beside Daphne and
	@# stops with it: `kill 0` ends the whole process group when make run exits.
	@# Plain http on localhost: no redirect to https, no HSTS, cookies without Secure (HTTPS=0).
	export HTTPS=0; trap 'kill 0' EXIT; $(PY) manage.py run_scheduler & \
	$(VENV)/bin/python -m consult.server -b $(HOST) -p $(PORT) consult.asgi:application

# nginx on :8080 in front of 2 Daphne processes and the scheduler, on the local PostgreSQL
# (database consult_cluster: migrated as the owner role consult_cluster_owner, the processes run
# as the runtime role consult_cluster, as in production) and Redis (REDIS_URL): deploy/run_cluster.py.
run-cluster: install
	ulimit -n $$(ulimit -Hn); $(PY) deploy/run_cluster.py

# ruff with the rules in pyproject.toml (the version pinned there): lint findings, then layout;
# then the import contracts in pyproject.toml (import-linter: which app may import which).
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

test: lint
	@env $$($(PY) tests/services.py) $(PY) -m pytest $(PYTEST_ARGS)

# The suite as `make run` runs without PostgreSQL and Redis, even where they answer: SQLite, the
# in-memory layer and the in-process room hub (browser tests: one Daphne process on the SQLite
# test file). Only tests marked postgres or redis (database-specific, or two server processes)
# are skipped.
test-embedded: install
	@env $$(TEST_SERVICES=embedded $(PY) tests/services.py) $(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
