# 帮扶通 — the README's two commands, and the tools around them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
BUDGET := data/budget-711002-2015.json

.PHONY: run test test-sqlite test-postgres lint translations messages bench clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

translations: $(VENV)/.runtime
	$(VENV)/bin/pybabel compile --statistics -d app/translations

## make run: set up, migrate, load the 2015 budget, create admin, serve on :5000
run: $(VENV)/.runtime translations
	$(FLASK) db upgrade
	$(FLASK) budget load $(BUDGET)
	$(FLASK) users ensure-admin
	$(FLASK) run --host 127.0.0.1 --port 5000

## make test: the whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
test: $(VENV)/.dev translations lint
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped"; fi

## Parallel test workers (pytest-xdist); PYTEST_WORKERS=0 runs the suite in this process.
## Each file's tests stay on one worker, files taken in the order tests/conftest.py sorts
## them (slow ones first): the browser starts once, the two 50-process races never overlap.
PYTEST_WORKERS ?= 3
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-sqlite: $(VENV)/.dev translations
	env -u TEST_DATABASE_URL $(PY) -m pytest -q $(PYTEST_PARALLEL)

test-postgres: $(VENV)/.dev translations
	$(PY) -m pytest -q $(PYTEST_PARALLEL) --database-url "$$TEST_DATABASE_URL"

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	rm -f instance/dbcheck.sqlite3*
	DATABASE_URL=sqlite:///$(CURDIR)/instance/dbcheck.sqlite3 $(FLASK) db upgrade
	DATABASE_URL=sqlite:///$(CURDIR)/instance/dbcheck.sqlite3 $(FLASK) db check

## make messages: extract the product's words and update the catalogues
messages: $(VENV)/.dev
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  -o app/translations/messages.pot .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

## make bench: seed a synthetic data set and print each figure beside its baseline
## (BENCH_SCALE=small|large; SQLite, and PostgreSQL too when TEST_DATABASE_URL is set)
BENCH_SCALE ?= small
bench: $(VENV)/.dev translations
	$(PY) -m bench.run --scale $(BENCH_SCALE) --db sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(PY) -m bench.run --scale $(BENCH_SCALE) --db postgres; \
	else echo "TEST_DATABASE_URL is not set: PostgreSQL benchmark skipped"; fi

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis bench/.data bench/out
