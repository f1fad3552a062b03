"""The previous run's results, as its manifest in outbox/ recorded them, for what changed since."""

from __future__ import annotations

from fractions import Fraction

from pipeline.core.domain import SELECTED
from pipeline.core.manifest import Manifest, load_manifest
from pipeline.core.records import Previous, PreviousRound
from pipeline.core.settings import RoundSettings


def read_previous(published: Manifest | None) -> Previous | None:
    """The results the tool last published (whatever staff did to its workbooks since: an
    edited 選定結果.xlsx is theirs, the newest version beside it has these); None on a first
    run, or when the manifest is gone."""
    if published is None or not published.results:
        return None
    results = published.results
    return Previous({file: (decision, org) for file, (decision, org, _, _) in results.items()},
                    {file: (int(rank), Fraction(str(total))) for file, (_, _, rank, total)
                     in results.items() if rank is not None and total is not None})


def read_previous_round(settings: RoundSettings) -> PreviousRound | None:
    """What the previous round's last run selected; None when round.toml names no previous
    round."""
    folder = settings.previous_round
    if folder is None:
        return None
    found = load_manifest(folder / "outbox")
    results = found.results if found else {}
    return PreviousRound(folder.name, tuple(org for decision, org, _, _ in results.values()
                                            if decision == SELECTED and org), bool(results))
