"""Who may apply: each eligibility rule on the received applications.

Ineligibility reasons are rows (file, rule, reason), never exceptions.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import domain, postal
from pipeline.core.notes import Note
from pipeline.core.postal import Place
from pipeline.core.settings import RoundSettings
from pipeline.core.wording import japanese_datetime
from schemas.application import ApplicationSchema
from schemas.selection import (
    LOCATED_IN_TOKYO,
    MUNICIPALITY_IN_TOKYO,
    ORG_TYPE_ALLOWED,
    RECEIVED_BY_DEADLINE,
    EligibleSchema,
    IneligibleSchema,
    ReceivedSchema,
    validate_stage,
)


@dataclass(frozen=True)
class Rule:
    key: str
    passes: Callable[[pd.DataFrame, RoundSettings], pd.Series]
    reason: Callable[[pd.Series, RoundSettings], str]


@dataclass(frozen=True)
class Location:
    """Where the organisation is, on the evidence of its form (README 「都内かどうかの判定」):
    its 郵便番号 on Japan Post's data, its 所在地, and the 区市町村 it applies for."""

    code: str
    stated: str
    address_text: str
    postal: Place | None  # None: no such code (already 要修正, so not met here)
    address: Place | None  # None: the address does not tell

    @classmethod
    def of(cls, code: str, stated: str, address: str) -> Location:
        return cls(code, stated, address, postal.lookup(code), postal.address_place(address))

    def evidence(self) -> list[tuple[str, Place]]:
        """Each piece that tells, as (what it is, the place it names)."""
        pieces = [(f"郵便番号 {self.code} ", self.postal), ("所在地", self.address)]
        return [(what, place) for what, place in pieces if place is not None]

    @property
    def in_tokyo(self) -> bool:
        """Outside Tokyo only when every piece that tells says so. When the 郵便番号 and the
        所在地 disagree about Tokyo, the 区市町村 applied for (one of the 62, or another rule has
        already refused it) makes two against one: judged as in Tokyo, and the row says why."""
        pieces = self.evidence()
        return not pieces or any(place.in_tokyo for _, place in pieces)

    def outside_reason(self) -> str:
        evidence = "、".join(f"{what}は{place}" for what, place in self.evidence())
        return f"{evidence}です（本事業の対象は都内の団体です）。"

    def notes(self) -> list[Note]:
        """Where the evidence disagrees, on an application judged as in Tokyo (for staff;
        letters and plans print what was written)."""
        code, stated, found, address = self.code, self.stated, self.postal, self.address
        notes = []
        if found and not found.in_tokyo:
            notes.append(Note.of("postal_elsewhere", postal_code=code, found=str(found),
                                 address=str(address or self.address_text)))
        elif found and stated not in found.municipalities:
            notes.append(Note.of("postal_other_municipality", postal_code=code,
                                 found="・".join(found.municipalities), stated=stated))
        if address and not address.in_tokyo:
            notes.append(Note.of("address_elsewhere", postal_code=code, address=str(address),
                                 found=str(found or "不明")))
        elif address and address.municipalities and stated not in address.municipalities:
            notes.append(Note.of("address_other_municipality", found=address.municipalities[0],
                                 stated=stated))
        return notes


_LOCATION = "_location"  # a column of Location, for the rules; not in the result


RULES = (
    Rule(MUNICIPALITY_IN_TOKYO,
         lambda df, _: df[ReceivedSchema.municipality].isin(domain.MUNICIPALITIES),
         lambda row, _: f"区市町村「{row['municipality']}」は東京都の区市町村ではありません"
                        "（本事業の対象は都内の団体です）。"),
    Rule(LOCATED_IN_TOKYO,
         lambda df, _: df[_LOCATION].map(lambda location: location.in_tokyo),
         lambda row, _: row[_LOCATION].outside_reason()),
    Rule(ORG_TYPE_ALLOWED,
         lambda df, _: df[ReceivedSchema.org_type].isin(domain.ORG_TYPES.values()),
         lambda row, _: f"団体種別「{row['org_type']}」は本事業の対象ではありません。"),
    Rule(RECEIVED_BY_DEADLINE,
         lambda df, settings: df[ReceivedSchema.received_at] <= pd.Timestamp(settings.deadline),
         lambda row, settings: (
             f"締切（{japanese_datetime(settings.deadline)}）より後の受付です"
             f"（受付：{japanese_datetime(row['received_at'])}）。")),
)

# The rules that refuse an application as not in Tokyo (概要 counts these as 都外).
OUTSIDE_TOKYO_RULES = (MUNICIPALITY_IN_TOKYO, LOCATED_IN_TOKYO)


def company_form(org_name: object) -> str | None:
    """The company legal form an 団体名 has (株式会社 for (株), ㈱, 〈株〉 …), if any."""
    if not isinstance(org_name, str):
        return None
    found = domain.COMPANY_FORMS.search(unicodedata.normalize("NFKC", org_name))
    if found is None:
        return None
    return domain.COMPANY_ABBREVIATIONS.get(found.group().strip("(〈<【[)〉>】]"), found.group())


def type_dispute(org_type: str, org_name: object) -> Note | None:
    """Where the 団体名 says a company and the 団体種別 one of the four: the evidence disagrees,
    and only staff can decide (the application stays ranked, the round 暫定)."""
    form = company_form(org_name)
    if form is None:
        return None
    chosen = org_type.split("（")[0]
    return Note.of("type_disagrees", form=form, chosen=chosen)


def dispute_reasons(disputes: dict[str, Note]) -> list[Note]:
    """One 暫定 reason per application whose 団体種別 the 団体名 disputes."""
    return [Note.of("type_disputed", file=file) for file in disputes]


class Eligibility(NamedTuple):
    eligible: DataFrame[EligibleSchema]  # with their area
    ineligible: DataFrame[IneligibleSchema]  # one row per failed rule
    notes: dict[str, tuple[Note, ...]]  # file → where its evidence about the place disagrees
    disputes: dict[str, Note]  # file → what disagrees about its organisation type (staff decide)


def check_eligibility(received: pd.DataFrame, settings: RoundSettings) -> Eligibility:
    received = validate_stage(ReceivedSchema, ApplicationSchema, received)
    locations = [Location.of(*place) for place in zip(
        received[ReceivedSchema.postal_code].tolist(), received[ReceivedSchema.municipality].tolist(),
        received[ReceivedSchema.address].tolist(), strict=True)]
    checked = received.assign(**{_LOCATION: pd.Series(locations, index=received.index,
                                                      dtype=object)})
    failures = []
    passed = pd.Series(True, index=checked.index)
    for rule in RULES:
        ok = rule.passes(checked, settings).fillna(False).astype(bool)
        passed &= ok
        for _, row in checked[~ok].iterrows():
            failures.append((row["file"], row["org_name"], rule.key, rule.reason(row, settings)))
    ineligible = IneligibleSchema.validate(
        pd.DataFrame(failures, columns=["file", "org_name", "rule", "reason"]))
    notes = {file: tuple(found) for file, location, ok in
             zip(received["file"].tolist(), locations, passed.tolist(), strict=True)
             if ok and (found := location.notes())}
    eligible = received[passed].assign(
        area=lambda df: df[ReceivedSchema.municipality].map(domain.MUNICIPALITY_AREA))
    disputes = {file: dispute for file, org_type, org_name in zip(
        eligible["file"].tolist(), eligible[ReceivedSchema.org_type].tolist(),
        eligible[ReceivedSchema.org_name].tolist(), strict=True)
        if (dispute := type_dispute(org_type, org_name))}
    return Eligibility(validate_stage(EligibleSchema, ReceivedSchema,
                                      eligible.reset_index(drop=True)),
                       ineligible, notes, disputes)
