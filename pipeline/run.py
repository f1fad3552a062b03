"""Wiring: the place to read to understand a run."""

from __future__ import annotations

from pathlib import Path

from pipeline import problems
from pipeline.intake import UnreadableFile, read_form
from pipeline.validate import validate_forms


def check_file(path: Path) -> list[problems.Problem]:
    """Every problem of one returned form, in the order of its cells."""
    try:
        form = read_form(path)
    except UnreadableFile as error:
        return [problems.Problem(path.name, "", "", "ファイル", "", "unreadable", str(error))]
    found = validate_forms([form]).problems
    return [problems.Problem(*row) for row in found.itertuples(index=False, name=None)]
