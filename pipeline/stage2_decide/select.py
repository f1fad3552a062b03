"""Rank eligible applications and select at most N districts, M per municipality."""

from __future__ import annotations

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core.settings import RoundSettings
from schemas.selection import NOT_SELECTED, SELECTED, RankedSchema, ScoredSchema, points_column

TIE_BREAK_ORDER = {  # settings.TIE_BREAKS → column, ascending
    "reviewer_mean": (ScoredSchema.reviewer_mean, False),
    "received_at": (ScoredSchema.received_at, True),
    "file": (ScoredSchema.file, True),
}


def rank(scored: DataFrame[ScoredSchema], settings: RoundSettings) -> DataFrame[RankedSchema]:
    """Sort by total, then the round's tie-breaks; then select greedily in rank order."""
    keys = [(ScoredSchema.total, False), *(TIE_BREAK_ORDER[t] for t in settings.tie_break)]
    if ("file", True) not in keys:
        keys.append((ScoredSchema.file, True))  # always a total order: deterministic
    ordered = scored.sort_values([k for k, _ in keys], ascending=[a for _, a in keys],
                                 na_position="last", kind="mergesort").reset_index(drop=True)
    decisions, reasons, codes = [], [], []
    chosen_in: dict[str, str] = {}  # municipality → first selected file
    per_municipality: dict[str, int] = {}
    selected = 0
    columns = zip(ordered[ScoredSchema.municipality].tolist(), ordered[ScoredSchema.file].tolist(),
                  ordered[ScoredSchema.total].tolist(), _strongest(ordered, settings), strict=True)
    for position, (municipality, file, total, strongest) in enumerate(columns, start=1):
        if per_municipality.get(municipality, 0) >= settings.max_per_municipality:
            decisions.append(NOT_SELECTED)
            codes.append("same_municipality")
            reasons.append(f"{position}位。同じ区市町村（{municipality}）の上位の申請"
                           f"（{chosen_in[municipality]}）が選定されたため。")
        elif selected >= settings.max_districts:
            decisions.append(NOT_SELECTED)
            codes.append("over_limit")
            reasons.append(f"{position}位。選定数の上限（{settings.max_districts}件）を超えるため。")
        else:
            selected += 1
            per_municipality[municipality] = per_municipality.get(municipality, 0) + 1
            chosen_in.setdefault(municipality, file)
            decisions.append(SELECTED)
            codes.append("selected")
            reasons.append(f"{position}位（合計{total:g}点。特に評価が高い項目：{strongest}）。")
    ranked = ordered.assign(rank=range(1, len(ordered) + 1), decision=decisions, reason=reasons,
                            reason_code=codes)
    return RankedSchema.validate(ranked)


def _strongest(scored: pd.DataFrame, settings: RoundSettings) -> list[str]:
    """Per application, the criterion where it earned the largest share of the full points."""
    full = settings.criterion_max
    labels = dict(settings.criteria)
    shares = pd.DataFrame({key: scored[points_column(key)] / full[key]
                           for key in full if full[key]}, index=scored.index)
    return [labels[str(key)] for key in shares.fillna(-1.0).idxmax(axis=1)]
