# 伴走支援事業 selection pipeline. `make` runs the round on inbox/ → outbox/.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

.DEFAULT_GOAL := run
.PHONY: install run form check demo test quick lint bench render clean

# Creates the virtual environment and installs the project with its test extra;
# does nothing while pyproject.toml is unchanged.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/bansou run

form: install
	$(BIN)/bansou form

# Every file in inbox/, whatever its name (the command lists the folder itself).
check: install
	$(BIN)/bansou check

demo: install
	$(BIN)/bansou demo

lint: install
	$(BIN)/ruff check pipeline schemas tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports

# Everything, on both cores (CI runs this).
test: lint
	$(BIN)/pytest -n 2 --dist loadfile

# The tests not marked slow: a check while editing.
quick: install
	$(BIN)/pytest -m "not slow" -n 2 --dist loadfile

bench: install
	$(BIN)/python -m bench

# First page of every workbook kind as PNG in renders/ (needs LibreOffice and poppler).
render: install
	$(BIN)/python tools/render.py

clean:
	rm -rf $(VENV) demo renders bench/out .pytest_cache .mypy_cache .ruff_cache
