"""Check returned forms the moment they arrive (bansou check)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.core import problems
from pipeline.stage1_read import workers
from pipeline.stage1_read.inbox import InboxFile
from pipeline.stage2_decide.validate import validate_forms


def check_files(paths: Sequence[Path]) -> dict[Path, list[problems.Problem]]:
    """Every problem of each returned form, in the order of its cells.

    The files are read together (in two worker processes when there are many) and validated
    in one pass, so that checking a whole inbox takes about as long as a run reads it.
    """
    unique = list(dict.fromkeys(paths))
    # A path names each form: two files of the same name in different folders stay apart.
    forms = workers.read_forms([InboxFile(str(path), path) for path in unique])
    found: dict[Path, list[problems.Problem]] = {path: [] for path in unique}
    by_name = {str(path): path for path in unique}
    for row in validate_forms(forms).problems.itertuples(index=False, name=None):
        problem = problems.Problem(*row)
        found[by_name[problem.file]].append(problem)
    return found
