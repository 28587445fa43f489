# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run console test test-fast lint format bench bench-quick clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/backchannel run

console: $(STAMP)
	$(BIN)/backchannel console

# Two test processes: CI and dev machines have two cores (see README.md, Development).
PYTEST_WORKERS ?= 2
# Bytecode caching on for the tests even where the environment turns it off: the tests start
# dozens of Python processes (two test processes, fresh `python -m bot.cli` runs, fork
# servers), and without __pycache__ each one compiles the bot's sources, and each test process
# rewrites and compiles every test module, again (~0.4 s of CPU a fresh process).
PYTEST_ENV := PYTHONDONTWRITEBYTECODE=

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(PYTEST_ENV) $(BIN)/pytest -q -rs -n $(PYTEST_WORKERS)
	$(BIN)/python -m bench.run --quick

# Everything but the tests that start real processes, for quick iteration; CI runs `make test`.
test-fast: $(STAMP)
	$(PYTEST_ENV) $(BIN)/pytest -q -n $(PYTEST_WORKERS) -m "not subprocess"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Full sizes, 3 runs each; rewrites BENCHMARKS.md; exits non-zero on any missed target.
bench: $(STAMP)
	$(BIN)/python -m bench.run

# Small sizes, once: fails only if a benchmark crashes or its own checks fail; writes nothing.
bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick --report

# Refresh every catalog (language/locales/*) after changing any text readers see, then
# translate the new entries, e.g. in language/locales/uk/LC_MESSAGES/messages.po (tests fail
# while any is missing).
POT := language/locales/messages.pot
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k plural:1,2 --no-location --sort-output \
		--omit-header -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d language/locales -D messages --no-fuzzy-matching \
		--ignore-obsolete --ignore-pot-creation-date
	rm -f $(POT)
