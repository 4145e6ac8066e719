# AO Portal — type `make help` for the list.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test lint fmt bench worker beat up down messages

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' Makefile | awk -F':.*## ' '{printf "  %-9s %s\n", $$1, $$2}'

$(BIN)/django-admin: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/pip install --quiet . --group dev
	touch $@

install: $(BIN)/django-admin ## Create the virtualenv and install the pinned dependencies
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

run: install ## Migrate, load the seed catalogue and demo accounts, serve on 127.0.0.1:8000
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_catalogue
	$(MANAGE) seed_demo
	$(MANAGE) runserver 127.0.0.1:8000

test: install ## Run the whole test suite (PostgreSQL when DATABASE_URL is set)
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install ## Format and fix what ruff can
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install ## Refresh locale/zh_Hans from the source
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=var
	$(MANAGE) makemessages -d djangojs -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=var --ignore=static/vendor

bench: install ## Load the portal at scale beside a bare Django baseline (wrk); prints JSON
	$(BIN)/python bench/run.py

worker: install ## Run a Celery worker (needs CELERY_BROKER_URL)
	$(BIN)/celery -A config worker -l info -Q default,email

beat: install ## Run Celery beat, the reminder and sweeper schedule
	$(BIN)/celery -A config beat -l info

up: ## Start the docker compose stack (nginx, web and worker replicas, beat, postgres, redis, mailpit)
	docker compose up --build -d

down: ## Stop the docker compose stack
	docker compose down
