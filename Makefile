# 伴走支援事業 selection pipeline. `make` runs the round on inbox/ → outbox/;
# `make ROUND=rounds/2017` runs the round kept in that folder (made by `make new-round`).
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3
ROUND  ?=
ON_ROUND := $(if $(ROUND),--round '$(ROUND)')

.DEFAULT_GOAL := run
.PHONY: install run form check export report new-round demo test quick lint bench render \
        print-audit clean package-check windows-bundle

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

# The top-level round's own settings, to edit: a copy of the sample shipped in the package
# (without it, the commands use the sample itself and say so).
round.toml:
	cp pipeline/data/round.toml $@

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

# Timed as an installed program runs: with its modules' bytecode cached (pip compiles what it
# installs; an editable install and PYTHONDONTWRITEBYTECODE leave ours to compile on every start).
bench: install
	$(BIN)/python -m compileall -q pipeline schemas
	$(BIN)/python -m bench

# The built wheel, installed alone into a fresh virtual environment outside the repository,
# runs demo, form, new-round and run (CI runs this; the dependencies' wheels come from PyPI).
package-check: install
	$(BIN)/python tools/package_check.py

# dist/bansou-windows-<version>.zip: the offline bundle for the office's Windows PCs (see
# README); checked before it is written (its wheels resolve for CPython 3.12 on win_amd64).
windows-bundle: install
	$(BIN)/python tools/windows_bundle.py dist

# First page of every workbook kind as PNG in renders/ (needs LibreOffice and poppler).
render: install
	$(BIN)/python tools/render.py

# Every printed sheet of every workbook kind of a demo round, rendered by LibreOffice and checked:
# print size, clipped or overlapping text, pages, the title on every page (tools/print_audit.py).
print-audit: install
	$(BIN)/python -m tools.print_audit --demo

clean:
	rm -rf $(VENV) demo renders bench/out build dist .pytest_cache .mypy_cache .ruff_cache
