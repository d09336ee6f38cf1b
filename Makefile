# Two commands do all the set-up: `make demo` and `make test`.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench lint

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/crm demo

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy .

test: lint
	$(BIN)/pytest -n 2 -p no:cacheprovider

bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks
