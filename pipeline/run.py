"""Wiring: the place to read to understand a run."""

from __future__ import annotations

from pathlib import Path

from pipeline import problems
from pipeline.intake import read_form
from pipeline.validate import validate_forms


def check_file(path: Path) -> list[problems.Problem]:
    """Every problem of one returned form, in the order of its cells."""
    found = validate_forms([read_form(path)]).problems
    return [problems.Problem(*row) for row in found.itertuples(index=False, name=None)]
