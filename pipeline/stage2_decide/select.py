"""Rank eligible applications and select at most N districts, M per municipality."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core.points import shown_text
from pipeline.core.settings import TIE_BREAKS, RoundSettings
from schemas.selection import (
    NOT_SELECTED,
    SELECTED,
    RankedSchema,
    ScoredSchema,
    points_column,
    validate_stage,
)


def _higher_mean_first(scored: pd.DataFrame) -> list[object]:
    # an application nobody has reviewed yet comes after every reviewed one
    means = _scaled(scored[ScoredSchema.reviewer_mean].tolist())
    return [(True, 0) if m is None else (False, -m) for m in means]


def _scaled(values: list[Fraction | None]) -> list[int | None]:
    """Fractions as integers over their common denominator: the same order and equalities,
    compared quickly (10,000 applications)."""
    common = math.lcm(*(v.denominator for v in values if v is not None))
    return [None if v is None else v.numerator * (common // v.denominator) for v in values]


TIE_BREAK_ORDER: dict[str, Callable[[pd.DataFrame], list[object]]] = {
    # settings.TIE_BREAKS → a sort key per application, smaller first (exact values)
    "reviewer_mean": _higher_mean_first,
    "received_at": lambda scored: scored[ScoredSchema.received_at].tolist(),
    "file": lambda scored: scored[ScoredSchema.file].tolist(),
}


def rank(scored: DataFrame[ScoredSchema], settings: RoundSettings) -> DataFrame[RankedSchema]:
    """Sort by the exact total, then the round's tie-breaks (ファイル名順 last if the round
    does not list it: always a total order); then select greedily in rank order. Where totals
    are equal, both rows say which tie-break ordered them."""
    rules = [*settings.tie_break, *(("file",) if "file" not in settings.tie_break else ())]
    keys = [TIE_BREAK_ORDER[rule](scored) for rule in rules]
    totals: list[Fraction] = scored[ScoredSchema.total].tolist()
    scaled = _scaled(list(totals))
    order = sorted(range(len(scored)), key=lambda i: (-(scaled[i] or 0), *(key[i] for key in keys)))
    ordered = scored.iloc[order].reset_index(drop=True)
    ties = _Ties([totals[i] for i in order], [scaled[i] or 0 for i in order],
                 [[key[i] for i in order] for key in keys], rules, settings)
    files = ordered[ScoredSchema.file].tolist()
    decisions, reasons, codes, shorts = [], [], [], []
    chosen_in: dict[str, int] = {}  # municipality → the position of its first selected file
    per_municipality: dict[str, int] = {}
    last_selected = -1  # the position of the last selected file
    selected = 0
    columns = zip(ordered[ScoredSchema.municipality].tolist(), _strongest(ordered, settings),
                  strict=True)
    for position, (municipality, strongest) in enumerate(columns):
        beaten_by = None  # the selected application that took the place this one competed for
        if per_municipality.get(municipality, 0) >= settings.max_per_municipality:
            decisions.append(NOT_SELECTED)
            codes.append("same_municipality")
            beaten_by = chosen_in[municipality]
            reason = (f"{position + 1}位。同じ区市町村（{municipality}）の上位の申請"
                      f"（{files[beaten_by]}）が選定されたため。")
            short = f"同じ区市町村の{beaten_by + 1}位を選定"
        elif selected >= settings.max_districts:
            decisions.append(NOT_SELECTED)
            codes.append("over_limit")
            beaten_by = last_selected
            reason = f"{position + 1}位。選定数の上限（{settings.max_districts}件）を超えるため。"
            short = f"選定数の上限（{settings.max_districts}件）を超える"
        else:
            selected += 1
            last_selected = position
            per_municipality[municipality] = per_municipality.get(municipality, 0) + 1
            chosen_in.setdefault(municipality, position)
            decisions.append(SELECTED)
            codes.append("selected")
            reason = (f"{position + 1}位（合計{ties.total_text[position]}点。"
                      f"特に評価が高い項目：{strongest}）。")
            short = ""
        reasons.append(reason + ties.said(position, files, beaten_by))
        shorts.append(short + ties.lost(position, beaten_by))
    ranked = ordered.assign(rank=range(1, len(ordered) + 1), decision=decisions, reason=reasons,
                            reason_code=codes, short_reason=shorts,
                            tie_note=[ties.note(p) for p in range(len(ordered))])
    return validate_stage(RankedSchema, ScoredSchema, ranked)


class _Ties:
    """Applications in rank order whose exact totals are equal, and which tie-break ordered
    each pair of them."""

    def __init__(self, totals: list[Fraction], scaled: list[int], keys: list[list[object]],
                 rules: list[str], settings: RoundSettings) -> None:
        self.keys, self.rules, self.listed = keys, rules, settings.tie_break
        self.groups: list[range] = []  # per position: the positions of equal totals
        self.total_text: list[str] = []  # per position: its total as displayed
        first = 0
        for position in range(1, len(totals) + 1):
            if position == len(totals) or scaled[position] != scaled[first]:
                self.groups += [range(first, position)] * (position - first)
                self.total_text += [shown_text(totals[first])] * (position - first)
                first = position
        # per position: the rule that put it above the next one, where their totals are equal
        self.next_rule = [self._rule(p, p + 1) if p + 1 in self.groups[p] else ""
                          for p in range(len(totals))]

    def _rule(self, upper: int, lower: int) -> str:
        """How the rule that put ``upper`` above ``lower`` is called (the first that differs)."""
        rule = next(r for r, key in zip(self.rules, self.keys, strict=True)
                    if key[upper] != key[lower])
        label = TIE_BREAKS[rule]
        return label if rule in self.listed else f"{label}（round.toml の決め方では決まらないため）"

    def said(self, position: int, files: Sequence[str], beaten_by: int | None) -> str:
        """For the reason: with which tied applications, by which rule, this one ranks above or
        below; and, for one left out while a tied one above it was selected, that the tie-break
        decided it."""
        group = self.groups[position]
        if len(group) == 1:
            return ""
        beside: dict[str, list[str]] = {}  # rule → what it decided for this one
        if position - 1 in group:
            beside.setdefault(self.next_rule[position - 1], []).append(
                f"{files[position - 1]}（{position}位）より下位")
        if position + 1 in group:
            beside.setdefault(self.next_rule[position], []).append(
                f"{files[position + 1]}（{position + 2}位）より上位")
        said = f"同点（{self.total_text[position]}点）。" + "。".join(
            f"{rule}により、{'、'.join(decided)}" for rule, decided in beside.items()) + "です。"
        if beaten_by is not None and beaten_by in group:
            said += (f"同点の {files[beaten_by]}（{beaten_by + 1}位・選定）より、同点時の順位の決め方"
                     f"（{self._rule(beaten_by, position)}）で下位となったため選外です。")
        return said

    def lost(self, position: int, beaten_by: int | None) -> str:
        """For 選定会議資料, where the tie-break left this one out: 「。同点の2位に受付の早い順で及ばず」."""
        if beaten_by is None or beaten_by not in self.groups[position]:
            return ""
        return f"。同点の{beaten_by + 1}位に{self._rule(beaten_by, position)}で及ばず"

    def note(self, position: int) -> str:
        """For 選定会議資料: 「同点（40点）の2件中1番目：受付の早い順」."""
        group = self.groups[position]
        if len(group) == 1:
            return ""
        rules = "・".join(dict.fromkeys(self.next_rule[p] for p in (position - 1, position)
                                       if p in group and p + 1 in group))
        return f"同点（{self.total_text[position]}点）の{len(group)}件中{position - group.start + 1}番目：{rules}"


def _strongest(scored: pd.DataFrame, settings: RoundSettings) -> list[str]:
    """Per application, the criterion where it earned the largest share of the full points
    (the first of equal ones; an unscored criterion counts least). Shares are compared as
    integers over one common denominator: exact, and quick on a large round."""
    full = settings.criterion_max
    labels = dict(settings.criteria)
    keys = [key for key in full if full[key]]
    columns = [scored[points_column(key)].tolist() for key in keys]
    common = math.lcm(*(v.denominator for column in columns for v in column if v is not None))
    shares_common = math.lcm(*(full[key] for key in keys))
    shares = [[-1 if v is None else v.numerator * (common // v.denominator)
               * (shares_common // full[key]) for v in column]
              for key, column in zip(keys, columns, strict=True)]
    return [labels[keys[row.index(max(row))]] for row in zip(*shares, strict=True)]
