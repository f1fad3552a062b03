"""The previous run's results, as its manifest in outbox/ recorded them, for what changed since."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from pipeline.core.manifest import read_manifest
from pipeline.core.records import Previous, PreviousRound
from pipeline.core.settings import RoundSettings
from schemas.selection import SELECTED


def read_previous(outbox: Path) -> Previous | None:
    """The results the tool last published (whatever staff did to its workbooks since: an
    edited 選定結果.xlsx is theirs, the newest version beside it has these); None on a first
    run, or when the manifest is gone."""
    _, results = read_manifest(outbox)
    if not results:
        return None
    return Previous({file: (decision, org) for file, (decision, org, _, _) in results.items()},
                    {file: (int(rank), Fraction(str(total))) for file, (_, _, rank, total)
                     in results.items() if rank is not None and total is not None})


def read_previous_round(settings: RoundSettings) -> PreviousRound | None:
    """What the previous round's last run selected; None when round.toml names no previous
    round."""
    folder = settings.previous_round
    if folder is None:
        return None
    _, results = read_manifest(folder / "outbox")
    return PreviousRound(folder.name, tuple(org for decision, org, _, _ in results.values()
                                            if decision == SELECTED and org), bool(results))
