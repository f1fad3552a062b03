"""Small DataFrames in the shape each stage takes, for testing one stage at a time."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import domain
from schemas.selection import EligibleSchema, ReviewMeansSchema

RECEIVED = pd.Timestamp("2016-06-20 10:00", tz="Asia/Tokyo")


def application(file: str, **changes: Any) -> dict[str, Any]:
    """One eligible application as EligibleSchema has it (a 新宿区 council unless changed)."""
    row: dict[str, Any] = {
        "file": file,
        "application_date": dt.datetime(2016, 6, 20),
        "org_type": domain.ORG_TYPES["council"],
        "org_name": f"{file}の会",
        "representative": "会長 山田太郎",
        "municipality": "新宿区",
        "postal_code": "160-8484",
        "address": "東京都新宿区歌舞伎町1-4-1",
        "department": "地域福祉課",
        "contact_name": "山田花子",
        "phone": "03-1234-5678",
        "email": "info@example.jp",
        "intermediary_function": None,
        "challenge_category": "活動の継続・資金確保",
        "challenge_detail": "課題",
        "current_activities": "取組",
        "partners": None,
        "goals": "成果",
        "menus": ("プラン策定支援",),
        "menu_other": None,
        "start_month": dt.datetime(2016, 9, 1),
        "duration_months": 6,
        "commitments": (),
        "pre_consultation": "なし",
        "mailed_materials": None,
        "sha256": f"{abs(hash(file)):064x}"[-64:],
        "received_at": RECEIVED,
        "received_basis": "受付簿",
        "area": "区部",
    }
    row.update(changes)
    return row


def eligible(*rows: dict[str, Any]) -> DataFrame[EligibleSchema]:
    return EligibleSchema.validate(pd.DataFrame(list(rows)))


def reviews(frame: pd.DataFrame, criteria: list[str],
            means: dict[str, float] | None = None) -> DataFrame[ReviewMeansSchema]:
    """What reviews.aggregate gives: each file's exact mean for every criterion (two
    reviewers), or no review at all (None) for files not in ``means``."""
    means = means or {}
    files = frame["file"].tolist()
    exact = {f: Fraction(m) for f, m in means.items()}
    return ReviewMeansSchema.validate(pd.DataFrame({
        "file": files,
        **{f"mean:{c}": pd.Series([exact.get(f) for f in files], dtype=object) for c in criteria},
        "reviewer_count": [2 if f in means else 0 for f in files], "disagreement": ""}))
