"""Check single returned forms the moment they arrive (bansou check)."""

from __future__ import annotations

from pathlib import Path

from pipeline import problems, workers
from pipeline.validate import validate_forms


def check_file(path: Path) -> list[problems.Problem]:
    """Every problem of one returned form, in the order of its cells."""
    found = validate_forms([workers.read_alone(path, path.name)]).problems
    return [problems.Problem(*row) for row in found.itertuples(index=False, name=None)]
