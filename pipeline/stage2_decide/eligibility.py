"""Who may apply: each eligibility rule on the received applications.

Ineligibility reasons are rows (file, rule, reason), never exceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import domain, postal
from pipeline.core.postal import Place
from pipeline.core.settings import RoundSettings
from pipeline.core.wording import japanese_datetime
from schemas.selection import EligibleSchema, IneligibleSchema, ReceivedSchema


@dataclass(frozen=True)
class Rule:
    key: str
    passes: Callable[[pd.DataFrame, RoundSettings], pd.Series]
    reason: Callable[[pd.Series, RoundSettings], str]


# Where the organisation is: its 郵便番号 on Japan Post's data, and its 所在地 (see README,
# 「都内かどうかの判定」). Columns added for the rules, dropped before the result.
_POSTAL, _ADDRESS = "_postal_place", "_address_place"


def _evidence(row: pd.Series) -> list[tuple[str, Place]]:
    """Each piece of evidence about where the organisation is, as (what it is, place)."""
    pieces = []
    if row[_POSTAL] is not None:
        pieces.append((f"郵便番号 {row['postal_code']}", row[_POSTAL]))
    if row[_ADDRESS] is not None:
        pieces.append(("所在地", row[_ADDRESS]))
    return pieces


def located_in_tokyo(row: pd.Series) -> bool:
    """Outside Tokyo only when every piece that tells says so. When the 郵便番号 and the 所在地
    disagree about Tokyo, the 区市町村 applied for (one of the 62, or another rule has already
    refused it) makes two against one: judged as in Tokyo, and the row says why."""
    pieces = _evidence(row)
    return not pieces or any(place.in_tokyo for _, place in pieces)


def _outside_tokyo_reason(row: pd.Series) -> str:
    evidence = "、".join(f"{what}{' ' if what[-1].isdigit() else ''}は{place}"
                         for what, place in _evidence(row))
    return f"{evidence}です（本事業の対象は都内の団体です）。"


def location_notes(row: pd.Series) -> list[str]:
    """Where the evidence disagrees, on a row judged as in Tokyo (for staff; letters and plans
    print what was written)."""
    postal_place, address = row[_POSTAL], row[_ADDRESS]
    code, stated = row["postal_code"], row["municipality"]
    notes = []
    if postal_place and not postal_place.in_tokyo:
        notes.append(f"郵便番号 {code} は{postal_place}です（所在地: {address or row['address']}）")
    elif postal_place and stated not in postal_place.municipalities:
        notes.append(f"郵便番号 {code} は{'・'.join(postal_place.municipalities)}です"
                     f"（区市町村: {stated}）")
    if address and not address.in_tokyo:
        notes.append(f"所在地は{address}です（郵便番号 {code}: {postal_place or '不明'}）")
    elif address and address.municipalities and stated not in address.municipalities:
        notes.append(f"所在地は{address.municipalities[0]}です（区市町村: {stated}）")
    return notes


RULES = (
    Rule("municipality_in_tokyo",
         lambda df, _: df[ReceivedSchema.municipality].isin(domain.MUNICIPALITIES),
         lambda row, _: f"区市町村「{row['municipality']}」は東京都の区市町村ではありません"
                        "（本事業の対象は都内の団体です）。"),
    Rule("located_in_tokyo",
         lambda df, _: df.apply(located_in_tokyo, axis=1).astype(bool) if len(df) else
         pd.Series(True, index=df.index),
         lambda row, _: _outside_tokyo_reason(row)),
    Rule("org_type_allowed",
         lambda df, _: df[ReceivedSchema.org_type].isin(domain.ORG_TYPES.values()),
         lambda row, _: f"団体種別「{row['org_type']}」は本事業の対象ではありません。"),
    Rule("received_by_deadline",
         lambda df, settings: df[ReceivedSchema.received_at] <= pd.Timestamp(settings.deadline),
         lambda row, settings: (
             f"締切（{japanese_datetime(settings.deadline)}）より後の受付です"
             f"（受付：{japanese_datetime(row['received_at'])}）。")),
)


class Eligibility(NamedTuple):
    eligible: DataFrame[EligibleSchema]  # with their area
    ineligible: DataFrame[IneligibleSchema]  # one row per failed rule
    notes: dict[str, str]  # file → where its evidence about the place disagrees


def check_eligibility(received: pd.DataFrame, settings: RoundSettings) -> Eligibility:
    received = ReceivedSchema.validate(received)
    checked = received.assign(**{
        _POSTAL: pd.Series([postal.lookup(c) for c in received[ReceivedSchema.postal_code]],
                           index=received.index, dtype=object),
        _ADDRESS: pd.Series([postal.address_place(a) for a in received[ReceivedSchema.address]],
                            index=received.index, dtype=object),
    })
    failures = []
    passed = pd.Series(True, index=checked.index)
    for rule in RULES:
        ok = rule.passes(checked, settings).fillna(False).astype(bool)
        passed &= ok
        for _, row in checked[~ok].iterrows():
            failures.append((row["file"], row["org_name"], rule.key, rule.reason(row, settings)))
    ineligible = IneligibleSchema.validate(
        pd.DataFrame(failures, columns=["file", "org_name", "rule", "reason"]))
    notes = {str(row["file"]): " ".join(f"{note}。" for note in found)
             for _, row in checked[passed].iterrows() if (found := location_notes(row))}
    eligible = received[passed].assign(
        area=lambda df: df[ReceivedSchema.municipality].map(domain.MUNICIPALITY_AREA))
    return Eligibility(EligibleSchema.validate(eligible.reset_index(drop=True)), ineligible, notes)
