"""Receipt: when each file was received, on which evidence, and which file of an organisation
is the one judged.

Evidence, strongest first: a staff decision (再提出として扱う), our 差戻し tag (a correction
names the file it corrects), the receipt register's time and its 送信元 / 団体名 columns, the
form's 申請日 (a date only). Files with identical bytes are one submission: they share the
earliest register time of any of them, and one of them is judged. Where the evidence cannot
support a decision the result says so: a reason on the file's row, a note for 概要, and a
reason that makes the ranking 暫定. Nothing here reads a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping

import pandas as pd

from pipeline.core.filekey import FileIndex
from pipeline.core.manifest import Issued
from pipeline.core.notes import Note
from pipeline.core.records import Register
from pipeline.core.settings import RoundSettings
from pipeline.stage2_decide.arrivals import Receipts
from pipeline.stage2_decide.register_match import match_register, note_twins
from pipeline.stage2_decide.staff import EXCLUDE, Rulings
from pipeline.stage2_decide.versions import (
    note_possible_resubmissions,
    org_name_key,
    resubmission_links,
    share_receipts,
    supersede,
)


def receive(files: Mapping[str, str], register: Register, records: pd.DataFrame,
            corrects: Mapping[str, str], unjudgeable: Mapping[str, str], settings: RoundSettings,
            run_at: dt.datetime, rulings: Rulings | None = None,
            anonymous: Collection[str] = (), issued: Issued | None = None) -> Receipts:
    """``files``: every inbox file → its SHA-256, in inbox order; ``corrects``: file → the
    SHA-256 of the file its 差戻し tag says it corrects; ``unjudgeable``: files judged 要修正 or
    読込不可 → that 判定; ``rulings``: the staff's decisions; ``anonymous``: files whose bytes
    say nothing of their sender (the blank form sent back as it was), never copies;
    ``issued``: every 差戻し this round has issued (a tag counts only if it names one)."""
    rulings = rulings or Rulings()
    result = Receipts(pd.DataFrame())
    corrects = _issued_corrections(corrects, issued or {}, records, result)
    index = FileIndex(files)
    note_twins(index.by_key, result)
    if register.lookalikes:
        result.notes.append(Note.of("lookalike_registers", files=tuple(register.lookalikes)))
    arrivals = match_register(list(files), index, register, records, settings, run_at, result)
    excluded = rulings.files(EXCLUDE)
    kept = share_receipts({f: sha for f, sha in files.items() if f not in excluded}, arrivals,
                           set(anonymous), result)
    links = resubmission_links(kept, records, arrivals, unjudgeable, rulings, result)
    supersede(kept, arrivals, records, corrects, links, set(unjudgeable), rulings.by_file.keys(),
               settings, run_at, result)
    note_possible_resubmissions(kept, arrivals, unjudgeable, links, settings, result)
    rows = [(file, sha256, arrivals[file].when, arrivals[file].basis.text)
            for file, sha256 in files.items()]
    frame = pd.DataFrame(rows, columns=["file", "sha256", "received_at", "received_basis"])
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True).dt.tz_convert(
        "Asia/Tokyo")
    result.frame = frame
    return result


def _issued_corrections(corrects: Mapping[str, str], issued: Issued, records: pd.DataFrame,
                        result: Receipts) -> dict[str, str]:
    """The tags that name a 差戻し this round issued, to the organisation it was issued to.
    Anyone holding a submitted file can write its SHA-256 into a document property: a tag
    that names nothing we sent back, or another organisation's file, is said on the row and
    the file is judged as a new submission; the file it names is never touched."""
    trusted = {}
    identity = _identities(records, corrects)
    for file, original_sha in corrects.items():
        sent = issued.get(original_sha)
        if sent is None:
            result.remark(file, Note.of("tag_not_issued"))
            continue
        own = identity.get(file, {})
        differs = [label for key, label in (("org_name", "団体名"), ("municipality", "区市町村"),
                                            ("org_type", "団体種別"))
                   if sent.get(key) and isinstance(typed := own.get(key), str)
                   and _identity_key(key, typed) != _identity_key(key, sent[key])]
        if differs:
            result.remark(file, Note.of("tag_other_organisation", differs="・".join(differs)))
            continue
        trusted[file] = original_sha
    return trusted


def _identities(records: pd.DataFrame, files: Iterable[str]) -> dict[str, dict[str, object]]:
    """団体名, 区市町村, 団体種別 of the given files (only those: a round has thousands)."""
    wanted = records[records["file"].isin(list(files))] if len(records) else records
    return {str(file): {"org_name": name, "municipality": municipality, "org_type": org_type}
            for file, name, municipality, org_type in zip(
                wanted["file"].tolist(), wanted["org_name"].tolist(),
                wanted["municipality"].tolist(), wanted["org_type"].tolist(), strict=True)}


def _identity_key(key: str, value: str) -> str | None:
    return org_name_key(value) if key == "org_name" else value


def issued_now(issued: Issued, files: Mapping[str, str], sent_back: Iterable[str],
               records: pd.DataFrame, run_at: dt.datetime) -> Issued:
    """The round's record of 差戻し, with the ones this run sends back (``sent_back``)."""
    sent_back = list(sent_back)
    identity = _identities(records, sent_back)
    added = {}
    for file in sent_back:
        facts = identity.get(file, {})
        added[files[file]] = {"file": file, "issued": f"{run_at:%Y-%m-%d}",
                              **{str(key): value if isinstance(value, str) else ""
                                 for key, value in facts.items()}}
    return {**issued, **{sha: facts for sha, facts in added.items() if sha not in issued}}
