"""When each file was received, which submissions are superseded, and who may apply.

Ineligibility reasons are rows (file, rule, reason), never exceptions.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import domain
from pipeline.core.settings import JST, RoundSettings
from pipeline.stage1_read.inbox import InboxFile
from pipeline.stage1_read.register import Register
from schemas.selection import EligibleSchema, IneligibleSchema, ReceivedSchema

BASIS_REGISTER = "受付簿"
BASIS_FORM_DATE = "申請日（受付簿に記載なし）"
BASIS_UNKNOWN = "不明（受付簿に記載なし）"

_PREFECTURE = re.compile(r"^(北海道|東京都|(?:京都|大阪)府|.{2,3}県)")
_TOKYO_POSTAL = range(100, 209)


def receipts(hashes: Mapping[str, str], register: Register,
             records: pd.DataFrame) -> pd.DataFrame:
    """file, sha256, received_at (aware, Japan time), received_basis for every inbox file
    (``hashes``: file → SHA-256, in inbox order).

    The register's time where the file is listed; otherwise the form's 申請日.
    """
    form_dates = dict(zip(records["file"].tolist(), records["application_date"].tolist(),
                          strict=True))
    rows = []
    for file, sha256 in hashes.items():
        if file in register.received:
            when: dt.datetime | None = register.received[file]
            basis = BASIS_REGISTER
        elif isinstance(day := form_dates.get(file), dt.date):
            when, basis = dt.datetime.combine(day, dt.time(), JST), BASIS_FORM_DATE
        else:
            when, basis = None, BASIS_UNKNOWN
        rows.append((file, sha256, when, basis))
    frame = pd.DataFrame(rows, columns=["file", "sha256", "received_at", "received_basis"])
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True).dt.tz_convert(
        "Asia/Tokyo")
    return frame


def unlisted_register_rows(files: Iterable[InboxFile], register: Register) -> list[str]:
    """Register rows that name no file in the inbox (for 概要)."""
    names = {f.name for f in files}
    return [name for name in register.received if name not in names]


def org_key(org_name: object, municipality: object) -> str | None:
    """The same organisation, however its name was spaced or typed."""
    if not isinstance(org_name, str) or not isinstance(municipality, str):
        return None
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", org_name)).casefold()
    return f"{municipality}/{name}"


@dataclass(frozen=True)
class Superseded:
    file: str
    by: str  # the file judged instead
    code: str  # same_content or later_submission (LedgerSchema.reason_code)
    reason: str


def superseded(receipt: pd.DataFrame, records: pd.DataFrame) -> list[Superseded]:
    """Submissions replaced by another: byte-identical copies, and earlier submissions
    of the same organisation (normalised 団体名 + 区市町村); the latest received is judged."""
    order = receipt.sort_values(["received_at", "file"], na_position="first")
    ordered = order["file"].tolist()
    found: dict[str, Superseded] = {}
    first_with: dict[str, str] = {}  # SHA-256 → the first file received with it
    for name, digest in zip(ordered, order["sha256"].tolist(), strict=True):
        first = first_with.setdefault(digest, name)
        if first != name:
            found[name] = Superseded(name, first, "same_content",
                                     f"{first} と同じ内容のファイルです（{first} で判定します）。")
    keys = {file: org_key(name, municipality) for file, name, municipality in
            zip(records["file"].tolist(), records["org_name"].tolist(),
                records["municipality"].tolist(), strict=True)}
    latest: dict[str, str] = {}
    for name in ordered:
        key = keys.get(name)
        if key is not None and name not in found:
            latest[key] = name  # later rows overwrite: the latest received wins
    for name in ordered:
        key = keys.get(name)
        if key is not None and name not in found and latest[key] != name:
            found[name] = Superseded(name, latest[key], "later_submission", f"同じ団体から後で届いた申請（{latest[key]}）"
                                                        "があるため、そちらで判定します。")
    return list(found.values())


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
             f"締切（{settings.deadline:%Y年%m月%d日 %H:%M}）より後の受付です"
             f"（受付：{row['received_at']:%Y年%m月%d日 %H:%M}、根拠：{row['received_basis']}）。")),
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
