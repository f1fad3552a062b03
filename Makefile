# 伴走支援事業 selection pipeline. `make` runs the round on inbox/ → outbox/;
# `make ROUND=rounds/2017` runs the round kept in that folder (made by `make new-round`).
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3
ROUND  ?=
ON_ROUND := $(if $(ROUND),--round '$(ROUND)')

.DEFAULT_GOAL := run
.PHONY: install run form check export report new-round demo test quick lint bench render clean

# Creates the virtual environment and installs the project with its test extra;
# does nothing while pyproject.toml is unchanged.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/bansou run $(ON_ROUND)

form: install
	$(BIN)/bansou form $(ON_ROUND)

# Every file in inbox/, whatever its name (the command lists the folder itself). Problems found
# in the files (exit code 3) are the answer, not a failure of make.
check: install
	$(BIN)/bansou check $(ON_ROUND) || [ $$? -eq 3 ]

export: install
	$(BIN)/bansou export $(ON_ROUND)

# The support year's report (outbox/成果報告.xlsx); `make report ROUND=demo` after `make demo`.
report: install
	$(BIN)/bansou report $(ON_ROUND)

# The next round in its own folder, from round.toml (or FROM=…/round.toml).
new-round: install
	@test -n '$(ROUND)' || { echo "フォルダを指定してください（例: make new-round ROUND=rounds/2017）"; exit 2; }
	$(BIN)/bansou new-round '$(ROUND)' $(if $(FROM),--config '$(FROM)')

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
