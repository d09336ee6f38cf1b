# Two commands do all the set-up: `make demo` and `make test`.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench lint browser

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The dashboard's browser test drives Debian's Chromium; as root it is installed when missing,
# otherwise the test is skipped with a notice saying how to install it.
browser:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium is missing and this is not root: the dashboard's browser test will be skipped" >&2; fi

demo: $(BIN)/.installed
	$(BIN)/crm demo

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy .

test: lint browser
	$(BIN)/pytest -n 2 -p no:cacheprovider

bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks
