"""What changed since the previous run: files new and gone, 判定, 順位 and 合計点."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from pipeline.core.points import shown_text
from pipeline.core.records import Previous

COLUMNS = ["change", "file", "org_name", "before", "after"]


def compare(previous: Previous | None, ledger: pd.DataFrame, ranked: pd.DataFrame) -> pd.DataFrame:
    """One row per change, in the order of the inbox (files gone last)."""
    if previous is None:
        return pd.DataFrame(columns=COLUMNS)
    rows: list[tuple[str, str, str, str, str]] = []
    ranks: dict[str, tuple[int, Fraction]] = {str(f): (int(r), t) for f, r, t in
             zip(ranked["file"], ranked["rank"], ranked["total"], strict=True)}
    for file, decision, org in zip(ledger["file"], ledger["decision"],
                                   ledger["org_name"].fillna(""), strict=True):
        before = previous.decisions.get(file)
        if before is None:
            rows.append(("新規", file, org, "", decision))
            continue
        if before[0] != decision:
            rows.append(("判定", file, org, before[0], decision))
        old, new = previous.ranks.get(file), ranks.get(file)
        if old and new and old[0] != new[0]:
            rows.append(("順位", file, org, f"{old[0]}位", f"{new[0]}位"))
        # as staff see them: a change smaller than the displayed precision is none
        if old and new and shown_text(old[1]) != shown_text(new[1]):
            rows.append(("合計点", file, org, f"{shown_text(old[1])}点", f"{shown_text(new[1])}点"))
    current = set(ledger["file"])
    rows += [("削除", file, org, decision, "") for file, (decision, org) in
             previous.decisions.items() if file not in current]
    return pd.DataFrame(rows, columns=COLUMNS)


def summary(previous: Previous | None, changes: pd.DataFrame) -> str:
    """One line for the console and 概要."""
    if previous is None:
        return "前回の結果はありません（初回の実行です）"
    if changes.empty:
        return "変更なし"
    counts = changes["change"].value_counts()
    labels = {"新規": "新しいファイル", "削除": "なくなったファイル", "判定": "判定の変更",
              "順位": "順位の変更", "合計点": "合計点の変更"}
    return "、".join(f"{labels[c]} {counts[c]}件" for c in labels if c in counts.index)
