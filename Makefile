# Caseroom developer entry points. A fresh clone needs only python3.11, make and git:
# `make run` or `make test` builds .venv from requirements.lock first.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
ARGS ?=
DATA_DIR ?= $(or $(CASEROOM_DATA_DIR),.data)

.DEFAULT_GOAL := help
.PHONY: help run test lint lock clean-data

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-11s %s\n", $$1, $$2}'
	@echo "  Variables: ARGS='pytest args' (test), PORT (run), CASEROOM_SERVICES=embedded, PYTHON"

# uv pip install, not uv pip sync: sync would remove uv itself from the venv.
$(INSTALLED): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --python $(PY) -r requirements.lock
	@touch $@

run: $(INSTALLED) ## Start services, migrate, seed demo data, serve on 127.0.0.1:PORT (default 8000)
	$(PY) -m devtools run

test: $(INSTALLED) ## Run the test suite (pytest -n auto); extra pytest args: make test ARGS='-k foo'
	$(PY) -m devtools test $(ARGS)

lint: $(INSTALLED) ## ruff check
	$(VENV)/bin/ruff check .

lock: $(INSTALLED) ## Recompile requirements.lock from pyproject.toml
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -o requirements.lock -q --python-version 3.11

clean-data: ## Stop embedded services and delete the data dir: make clean-data CONFIRM=yes
	@if [ "$(CONFIRM)" != "yes" ]; then \
		echo "This deletes $(DATA_DIR) (database, redis, uploads, keys). Run: make clean-data CONFIRM=yes"; \
		exit 1; \
	fi
	@if [ -x $(PY) ]; then $(PY) -m devtools stop; fi
	rm -rf -- "$(DATA_DIR)"
