# Tailor: `make dev` serves the platform's UI; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 3000
# TAILOR_DEPLOYMENT=postgres: the single-host profile (docs/deployment.md) instead of embedded
TAILOR_DEPLOYMENT ?= embedded
DEPLOY_DIR ?= deploy
DEPLOY_FLAGS ?=
# the console of make dev: warnings of the webserver and daemon, and each run's INFO lines
# (make dev LOG_LEVEL=info shows the daemon's every sensor tick too)
LOG_LEVEL ?= warning
NOTEBOOK_PORT ?= 8888
NOTEBOOK_FLAGS ?=
# JupyterLab's defaults for this environment: no "get notified about Jupyter news?" pop-up,
# no update check (a request to the internet)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

# dev runs keep their own Dagster instance: sandbox materializations never show as production's
# (platform_lib/settings.py dagster_home names the same folders for tailor status --env)
export DAGSTER_HOME := $(CURDIR)/.dagster_home$(if $(filter dev,$(TAILOR_ENV)),/dev)
export TAILOR_WAREHOUSE_DIR ?= $(CURDIR)/data/warehouse
export TAILOR_LANDING_DIR ?= $(CURDIR)/data/landing
# where the UI serves, for the links in alerts (TAILOR_UI_URL, when set, wins)
export TAILOR_UI_HOST := $(HOST)
export TAILOR_UI_PORT := $(PORT)

.PHONY: dev test notebook lint bench snapshots install notebook-env landing dagster-home \
	system-packages clean

dev: install landing dagster-home
ifeq ($(TAILOR_DEPLOYMENT),postgres)
	@if [ "$${TAILOR_ENV:-prod}" != prod ]; then \
		echo "TAILOR_ENV=dev runs on the embedded profile: make dev TAILOR_ENV=dev"; exit 2; fi
	$(BIN)/python scripts/start_dev.py --host $(HOST) --port $(PORT) -- \
		$(BIN)/tailor deploy up --out $(DEPLOY_DIR) --webserver-host $(HOST) --webserver-port $(PORT) $(DEPLOY_FLAGS)
else ifeq ($(TAILOR_DEPLOYMENT),embedded)
	@if [ -n "$$TAILOR_SAMPLE" ] && [ "$${TAILOR_ENV:-prod}" != dev ]; then \
		echo "TAILOR_SAMPLE needs TAILOR_ENV=dev: a sample never replaces production tables."; \
		exit 2; fi
	@PYTHONWARNINGS="ignore:Function \`dev_command\` is superseded" \
		$(BIN)/python scripts/start_dev.py --host $(HOST) --port $(PORT) \
		--instance $(DAGSTER_HOME) --banner --check-warehouse -- \
		$(BIN)/dagster dev -w workspace.yaml -h $(HOST) -p $(PORT) --log-level $(LOG_LEVEL)
else
	@echo "TAILOR_DEPLOYMENT is 'embedded' (the default) or 'postgres', not '$(TAILOR_DEPLOYMENT)'."; exit 2
endif

test: install notebook-env landing dagster-home system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/tailor check
	$(BIN)/pytest

# JupyterLab on the project's environment, opening the starter notebook (reads the warehouse of
# make dev: materialize something there first); as root too, as in a container
notebook: install notebook-env $(LAB_SETTINGS)
	$(BIN)/jupyter lab notebooks/start_here.ipynb --ip $(HOST) --port $(NOTEBOOK_PORT) \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(NOTEBOOK_FLAGS)

bench: install  # ratios measured in one run; figures also saved as JSON in data/bench/
	$(BIN)/python bench/run_overhead.py
	$(BIN)/python bench/team_throughput.py
	$(BIN)/python bench/workspace_scale.py
	$(BIN)/python bench/warehouse_io.py
	$(BIN)/python bench/contract_checks.py
	$(BIN)/python bench/sample_mode.py
	$(BIN)/python bench/concurrency.py
	$(BIN)/python bench/read_kinds.py
	$(BIN)/python bench/larger_than_memory.py

# after an intended change of a team's assets: rewrite the pinned asset specs, then review the diff
snapshots: install
	$(BIN)/pytest tests/workspace/test_asset_specs.py --snapshot-update

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

install: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# the notebook extra (JupyterLab, matplotlib, a kernel): make notebook and make test, not make dev
notebook-env: $(BIN)/.notebook-installed

$(BIN)/.notebook-installed: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,notebook]'
	@touch $@

$(LAB_SETTINGS): scripts/jupyterlab_settings.json $(BIN)/.notebook-installed
	@mkdir -p $(@D)
	@cp $< $@

landing: install
	@$(BIN)/python scripts/make_landing.py --out $(TAILOR_LANDING_DIR) --seed 7 --if-missing

# Debian packages the tests use (apt needs root, as in CI): chromium, driven by playwright in
# the UI tests, and PostgreSQL's server, for the throwaway cluster of the single-host tests
system-packages:
	@missing="$$(command -v chromium >/dev/null || echo chromium) \
	$$(ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || echo postgresql)"; \
	if [ -n "$$(echo $$missing)" ]; then apt-get update && apt-get install -y $$missing; fi

dagster-home: $(DAGSTER_HOME)/dagster.yaml
	@:

# the instance's settings; a copy older than scripts/dagster.yaml is replaced, and kept as .old
$(DAGSTER_HOME)/dagster.yaml: scripts/dagster.yaml
	@mkdir -p $(@D)
	@if [ -f $@ ]; then mv $@ $@.old; \
		echo "$@: updated from scripts/dagster.yaml (the previous one is dagster.yaml.old)"; fi
	@cp $< $@

clean:
	rm -rf $(VENV) data .dagster_home .pytest_cache .ruff_cache *.egg-info
