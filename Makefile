# Set-up is automatic: every target creates .venv and installs the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The instance's own files (run history, schedules, logs) live in .dagster/, with the repo-root
# dagster.yaml linked in so that it is the configuration in force. With AIINFRA_POSTGRES_URL set, the
# run history, event logs and schedule state live in that PostgreSQL database instead: the instance is
# .dagster-postgres/, whose dagster.yaml is the repo-root one followed by deploy/dagster-postgres.yaml.
export DAGSTER_HOME := $(CURDIR)/$(if $(AIINFRA_POSTGRES_URL),.dagster-postgres,.dagster)
# Commands below run from .venv/bin: say so, as an activated environment would (dg checks it).
export VIRTUAL_ENV := $(CURDIR)/$(VENV)

# INFO, not DEBUG: the screen shows progress and a failing step's error, not every event.
INFO_LOGS := {"loggers": {"console": {"config": {"log_level": "INFO"}}}}

SNAPSHOT = $(or $(AIINFRA_WAREHOUSE_DIR),warehouse)/published/ai_infra.duckdb

.PHONY: run serve instance unstick backfill check docs test ui query review accept shell bench bench-scale clean test-packages

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

# Written on every call (it is cheap), so that setting or unsetting AIINFRA_POSTGRES_URL over an
# instance directory given as DAGSTER_HOME=... always takes effect.
instance:
	@mkdir -p $(DAGSTER_HOME)
	@rm -f $(DAGSTER_HOME)/dagster.yaml
	@$(if $(AIINFRA_POSTGRES_URL),cat dagster.yaml deploy/dagster-postgres.yaml >,ln -s $(CURDIR)/dagster.yaml) $(DAGSTER_HOME)/dagster.yaml

install: $(BIN)/.installed instance

## run: today's daily job (prices recorded under today's UTC date), then a summary of what was published
run: install
	@before=$$($(BIN)/python -m pipelines.summary --version); \
	if $(BIN)/dg launch --job daily_job --partition $$(date -u +%F) --config-json '$(INFO_LOGS)'; then \
	  $(BIN)/python -m pipelines.summary; \
	else $(BIN)/python -m pipelines.summary --failed "$$before"; exit 1; fi

## backfill: the price observations of each day from FROM to TO, one run at a time: make backfill FROM=2026-11-01 TO=2026-11-07
backfill: install
	@test -n "$(FROM)" -a -n "$(TO)" || { echo 'which days? make backfill FROM=YYYY-MM-DD TO=YYYY-MM-DD' >&2; exit 2; }
	@$(BIN)/python -m pipelines.backfill $(FROM) $(TO)

## unstick: mark failed the runs whose process is gone, and free the pool slots they hold
unstick: install
	$(BIN)/python -m pipelines.runs unstick

## query: one query against the published snapshot, read-only: make query SQL="select ..."
# make expands a variable it exports, so SQL='$(shell ...)' would run; the text goes over unexpanded.
unexport SQL
query: export AIINFRA_QUERY_SQL = $(value SQL)
query: install
	@$(BIN)/ai-infra-query

## review: the deal candidates found in SEC filings that no tracked flow restates, newest first (read-only)
review: install
	@$(BIN)/ai-infra-query --max-rows 200 "select candidate_id, company_id, counterparties, published_on, \
	  amount_usd, compute_gw, quote, source_url from deal_candidates where state = 'new' \
	  order by published_on desc, candidate_id"

## accept: a reviewed candidate as a pre-filled, cited row of the deals file, to complete by hand: make accept CANDIDATE=id
accept: install
	@test -n "$(CANDIDATE)" || { echo 'which one? make accept CANDIDATE=<candidate_id from make review>' >&2; exit 2; }
	@$(BIN)/ai-infra-accept $(CANDIDATE)

## shell: the DuckDB CLI (1.x, from PyPI) on the published snapshot, read-only
# .safe_mode refuses .shell, .output and other files, and locks the settings (the -safe flag fails in
# CLI 1.5.6); with no temp_directory it has no spill directory beside the snapshot to write into.
shell: install
	$(BIN)/duckdb -readonly -cmd "set temp_directory = ''" -cmd .safe_mode $(SNAPSHOT)

# Debian's packages the tests use, installed when any is missing: chromium for the browser tests (a browser
# download of Playwright's own is never used), the PostgreSQL server the instance-storage tests start in a
# temporary directory, and docker-compose, which validates deploy/docker-compose.yml.
test-packages:
	@command -v chromium >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && \
	  command -v docker-compose >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq chromium postgresql docker-compose >/dev/null; }

## docs: the published tables' pages (docs/tables.md, README's table list) written from the SQL headers
docs: install
	$(BIN)/python -m pipelines.docs

## check: lint and format (ruff), types (mypy on pipelines/), SQL style (sqlfluff on sql/), the definitions load (dg check defs), the table docs current
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy pipelines
	$(BIN)/sqlfluff lint --processes 2 sql
	$(BIN)/dg check defs
	$(BIN)/python -m pipelines.docs --check

## test: the whole test suite on two workers, one test file each at a time (installs Debian's chromium, postgresql and docker-compose for the rendering, instance and deploy tests if missing)
test: install test-packages check
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --junitxml=test-artifacts/junit.xml

## ui: the Dagster UI (and the schedule daemon) on http://127.0.0.1:3000, over this instance, as a development server
ui: install
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

## serve: the webserver (http://$(SERVE_HOST):$(SERVE_PORT)) and the daemon as long-running processes over this instance; SIGTERM stops both
SERVE_HOST ?= 127.0.0.1
SERVE_PORT ?= 3000
serve: install
	exec $(BIN)/python -m pipelines.serve --host $(SERVE_HOST) --port $(SERVE_PORT)

## bench: the timings recorded in BENCHMARKS.md
bench: install
	$(BIN)/python benchmarks/bench_daily_job.py

## bench-scale: the daily job on generated big inputs (1M flows, 10M prices); e.g. ARGS="--sweep" or ARGS="--flows 10000 100000 --prices 100000"
bench-scale: install
	$(BIN)/python benchmarks/bench_scale.py $(ARGS)

clean:
	rm -rf $(VENV) .dagster .dagster-postgres warehouse
