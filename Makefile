# Wijk — the two commands of a fresh machine are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Some machines set this; every test worker would then compile Django and the project again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test lint format messages translations bench venv serve

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv==0.13.8

# Installs exactly what uv.lock pins (and nothing else) into .venv.
venv: $(BIN)/uv
	$(BIN)/uv sync --frozen -q

# Compiles the translations (.po → .mo) with Babel; no system gettext needed.
messages: venv
	$(BIN)/pybabel compile -d locale -D django

# The server and the worker of background runs (core.runs) together; stopping the server
# (Ctrl+C) stops the worker too.
demo: messages
	WIJK_DEBUG=1 $(BIN)/python manage.py migrate --no-input -v0
	WIJK_DEBUG=1 $(BIN)/python manage.py demo_data --base-url http://$(HOST):$(PORT)
	WIJK_DEBUG=1 $(BIN)/python manage.py db_worker --no-reload --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	WIJK_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Two workers: the CI machine has two cores (TEST_WORKERS=0 runs in one process).
TEST_WORKERS ?= 2
test: messages node_modules
	$(BIN)/pytest -n $(TEST_WORKERS)

# axe-core for the accessibility tests, pinned in package-lock.json (skipped without npm).
node_modules: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch node_modules; \
	else echo "npm not found: the accessibility tests will be skipped"; fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extracts new strings into the .po files (needs GNU gettext: apt-get install gettext).
translations: venv
	$(BIN)/python manage.py makemessages --all --no-location --ignore=.venv

bench: messages
	$(BIN)/python bench/sharing.py
	$(BIN)/python bench/planner.py
	$(BIN)/python bench/run.py
	$(BIN)/python bench/pages.py
