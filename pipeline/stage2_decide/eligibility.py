"""Who may apply: each eligibility rule on the received applications.

Ineligibility reasons are rows (file, rule, reason), never exceptions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import domain
from pipeline.core.settings import RoundSettings
from pipeline.core.wording import japanese_datetime
from schemas.selection import EligibleSchema, IneligibleSchema, ReceivedSchema

_PREFECTURE = re.compile(r"^(北海道|東京都|(?:京都|大阪)府|.{2,3}県)")
_TOKYO_POSTAL = range(100, 209)


@dataclass(frozen=True)
class Rule:
    key: str
    passes: Callable[[pd.DataFrame, RoundSettings], pd.Series]
    reason: Callable[[pd.Series, RoundSettings], str]


def _prefecture(address: object) -> str | None:
    if not isinstance(address, str):
        return None
    match = _PREFECTURE.match(address.replace(" ", ""))
    return match.group(1) if match else None


RULES = (
    Rule("municipality_in_tokyo",
         lambda df, _: df[ReceivedSchema.municipality].isin(domain.MUNICIPALITIES),
         lambda row, _: f"区市町村「{row['municipality']}」は東京都の区市町村ではありません"
                        "（本事業の対象は都内の団体です）。"),
    Rule("address_in_tokyo",
         lambda df, _: df[ReceivedSchema.address].map(_prefecture).isin([None, "東京都"]),
         lambda row, _: f"所在地が{_prefecture(row['address'])}になっています"
                        "（本事業の対象は都内の団体です）。"),
    Rule("postal_code_in_tokyo",
         lambda df, _: df[ReceivedSchema.postal_code].str[:3].astype(int).isin(_TOKYO_POSTAL),
         lambda row, _: f"郵便番号 {row['postal_code']} は東京都の郵便番号（100〜208で始まる番号）"
                        "ではありません。"),
    Rule("org_type_allowed",
         lambda df, _: df[ReceivedSchema.org_type].isin(domain.ORG_TYPES.values()),
         lambda row, _: f"団体種別「{row['org_type']}」は本事業の対象ではありません。"),
    Rule("received_by_deadline",
         lambda df, settings: df[ReceivedSchema.received_at] <= pd.Timestamp(settings.deadline),
         lambda row, settings: (
             f"締切（{japanese_datetime(settings.deadline)}）より後の受付です"
             f"（受付：{japanese_datetime(row['received_at'])}）。")),
)


def check_eligibility(received: pd.DataFrame, settings: RoundSettings
                      ) -> tuple[DataFrame[EligibleSchema], DataFrame[IneligibleSchema]]:
    """(eligible applications with their area, one 不適格 row per failed rule)."""
    received = ReceivedSchema.validate(received)
    failures = []
    passed = pd.Series(True, index=received.index)
    for rule in RULES:
        ok = rule.passes(received, settings).fillna(False).astype(bool)
        passed &= ok
        for _, row in received[~ok].iterrows():
            failures.append((row["file"], row["org_name"], rule.key, rule.reason(row, settings)))
    ineligible = IneligibleSchema.validate(
        pd.DataFrame(failures, columns=["file", "org_name", "rule", "reason"]))
    eligible = received[passed].assign(
        area=lambda df: df[ReceivedSchema.municipality].map(domain.MUNICIPALITY_AREA))
    return EligibleSchema.validate(eligible.reset_index(drop=True)), ineligible
