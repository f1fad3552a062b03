"""An organisation's versions: copies with identical bytes are one submission, a correction
or resubmission replaces the file it names, and of one organisation's files the latest is
judged. Only evidence an outsider cannot copy joins two files; what only staff can settle is
said (a remark on the row, a note, a reason the ranking is 暫定)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

import pandas as pd

from pipeline.core.notes import Note
from pipeline.core.settings import RoundSettings
from pipeline.stage2_decide.arrivals import (
    Arrival,
    Receipts,
    Superseded,
    resubmission_end,
    sort_time,
)
from pipeline.stage2_decide.staff import RESUBMISSION, Rulings
from schemas.selection import UNREADABLE

# The SHA-256 of no bytes: what a file that could not be opened is hashed as. Such files are
# not copies of each other.
_NOTHING = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# Legal-form words, wherever they stand in a name (after NFKC: ㈱ is (株), ㈳ is (社)).
_LEGAL_FORMS = re.compile(
    r"社会福祉法人|特定非営利活動法人|NPO法人|一般社団法人|一般財団法人|公益社団法人|公益財団法人|"
    r"社団法人|財団法人|株式会社|有限会社|合同会社|合資会社|合名会社|医療法人社団|医療法人財団|"
    r"医療法人|学校法人|宗教法人|生活協同組合|"
    r"\((?:福|社福|特非|NPO|株|有|合|同|社|財|一社|一財|公社|公財|医|学|宗|生協)\)",
    re.IGNORECASE)


_NOT_A_WORD = re.compile(r"[\W_]+")
_NOT_A_DIGIT = re.compile(r"\D")


def org_name_key(org_name: object) -> str | None:
    """An organisation's name without what people vary: legal-form words, 社協 for
    社会福祉協議会, widths, case, spaces, punctuation and invisible characters."""
    if not isinstance(org_name, str):
        return None
    name = _LEGAL_FORMS.sub("", unicodedata.normalize("NFKC", org_name))
    name = name.replace("社協", "社会福祉協議会")
    # letters and digits only: spaces, punctuation, symbols and invisible characters go
    return _NOT_A_WORD.sub("", name).casefold() or None


def org_key(org_name: object, municipality: object) -> str | None:
    """The same organisation: its name key within its 区市町村."""
    name = org_name_key(org_name)
    if name is None or not isinstance(municipality, str):
        return None
    return f"{municipality}/{name}"


def _contact_keys(email: object, phone: object) -> set[str]:
    """The contact details as validated (normalised already): e-mail in any case, phone digits."""
    keys = set()
    if isinstance(email, str):
        keys.add("mail:" + email.casefold())
    if isinstance(phone, str):
        keys.add("tel:" + _NOT_A_DIGIT.sub("", phone.split(" ")[0]))
    return keys


def share_receipts(files: Mapping[str, str], arrivals: dict[str, Arrival],
                    anonymous: set[str], result: Receipts) -> dict[str, str]:
    """Files with identical bytes are one submission, whatever their names (an attachment saved
    twice: 「… (1).xlsx」, 「… - コピー.xlsx」). They share one receipt, the earliest register time
    of any of them; the file registered first is judged (else the shortest name), the others
    are 重複 of it. Returns the files left to judge, with their SHA-256."""
    by_sha: dict[str, list[str]] = defaultdict(list)
    for file, sha256 in files.items():
        if sha256 != _NOTHING and file not in anonymous:
            by_sha[sha256].append(file)
    kept = dict(files)
    for copies in (group for group in by_sha.values() if len(group) > 1):
        registered = [f for f in copies if arrivals[f].from_register]
        first = min(registered, key=lambda f: (sort_time(arrivals[f]), f)) if registered \
            else min(copies, key=lambda f: (len(f), f))
        for copy in (f for f in copies if f != first):
            del kept[copy]
            arrivals[copy] = dataclasses.replace(arrivals[first],
                                                 basis=Note.of("basis_same_content", first=first))
            result.superseded.append(Superseded(
                copy, first, "same_content", f"{first} と同じ内容のファイルです（{first} で判定します）。"))
        if registered and len(registered) < len(copies):
            result.notes.append(Note.of("same_content", files=tuple(copies), first=first))
    return kept


def resubmission_links(files: Mapping[str, str], records: pd.DataFrame, arrivals: Mapping[str, Arrival],
           unjudgeable: Mapping[str, str], rulings: Rulings, result: Receipts
           ) -> dict[str, tuple[str, str]]:
    """A workbook sent as the resubmission of an unreadable file (a PDF, a photo): file →
    (the file it resubmits, the evidence). From the staff's decision, or from the register:
    the same 送信元 address on both rows, or the unreadable file's row naming the workbook's
    団体名."""
    links = {ruling.file: (ruling.original, f"事務局判断により再提出として扱う（元: {ruling.original}）")
             for ruling in rulings.by_file.values()
             if ruling.action == RESUBMISSION and ruling.original
             and ruling.file in files and ruling.original in files}
    unreadable = [f for f in files if unjudgeable.get(f) == UNREADABLE and f in result.registered]
    if not unreadable:
        return links
    names = dict(zip(records["file"].tolist(), records["org_name"].tolist(), strict=True))
    for file in (f for f in files if f in names and f not in links):
        own = result.registered.get(file)
        sender = own.sender.casefold() if own and own.sender else None
        name = org_name_key(names[file])
        earlier = [u for u in unreadable if sort_time(arrivals[u]) <= sort_time(arrivals[file])]
        by_sender = [u for u in earlier if sender and
                     (result.registered[u].sender or "").casefold() == sender]
        by_name = [u for u in earlier if name and org_name_key(result.registered[u].org_name) == name]
        found, how = (by_sender, "送信元") if by_sender else (by_name, "団体名")
        if len(found) == 1:
            links[file] = (found[0], f"受付簿の{how}が同じ読めないファイルの再提出（元: {found[0]}）")
        elif found:
            result.provisional.append(Note.of("resubmission_of_which_unreadable", file=file,
                                              how=how, files=tuple(found)))
    return links


def supersede(files: Mapping[str, str], arrivals: dict[str, Arrival], records: pd.DataFrame,
               corrects: Mapping[str, str], links: Mapping[str, tuple[str, str]],
               unjudgeable: set[str], ruled: Collection[str], settings: RoundSettings,
               run_at: dt.datetime, result: Receipts) -> None:
    """Group the files that are versions of one organisation and keep the latest of each."""
    by_sha: dict[str, list[str]] = defaultdict(list)
    for file, sha256 in files.items():
        by_sha[sha256].append(file)
    columns = [records[c].tolist() for c in ("file", "org_name", "municipality", "email", "phone")]
    identity = {file: (org_key(name, municipality), _contact_keys(email, phone))
                for file, name, municipality, email, phone in zip(*columns, strict=True)
                if file in files}
    municipalities = dict(zip(columns[0], columns[2], strict=True))
    versions = _Groups(files)
    # A correction made from our 差戻し workbook (whatever its name or content), or a
    # resubmission the register or staff link to the file it replaces.
    corrected: dict[str, tuple[str, str]] = dict(links)
    for file, (original, _) in links.items():
        versions.join(file, original)
    for file, original_sha in corrects.items():
        for original in by_sha.get(original_sha, []):
            if original != file and file not in corrected:
                versions.join(file, original)
                corrected[file] = (original, f"差戻しの修正版（元: {original}）")
    # The same organisation: the same name sent from the same address, as the staff's register
    # records it. The phone number and e-mail written in a form are public or typed by the
    # sender, so they alone never let one file replace another.
    same_name: dict[str, list[str]] = defaultdict(list)
    for file, (key, _) in identity.items():
        if key is not None:
            same_name[key].append(file)
    senders = {file: entry.sender.casefold() for file, entry in result.registered.items()
               if entry.sender}
    for members in same_name.values():
        for i, first in enumerate(members):
            for second in members[i + 1:]:
                if first in senders and senders.get(second) == senders[first]:
                    versions.join(first, second)
    _note_possible_same_org(identity, municipalities, result)
    for group in versions.groups():
        if len(group) > 1:
            _keep_latest(group, arrivals, corrected, unjudgeable, settings, run_at, result)
    # Same name, but nothing an outsider cannot copy shows that one organisation sent both:
    # both are judged until staff decide (a 事務局判断 on either file settles it).
    judged = {s.file for s in result.superseded}
    for members in same_name.values():
        heads = sorted({versions.find(f) for f in members})
        kept = [f for f in members if f not in judged]
        if len(heads) < 2 or any(f in ruled for f in kept):
            continue
        for file in kept:
            result.remark(file, Note.of("same_name_other", others=tuple(f for f in kept if f != file)))
        result.notes.append(Note.of("same_name_kept_apart", files=tuple(kept)))
        result.provisional.append(Note.of("same_name_unconfirmed", count=len(kept),
                                          files=tuple(kept)))


def _keep_latest(group: list[str], arrivals: dict[str, Arrival],
                 corrected: Mapping[str, tuple[str, str]], unjudgeable: set[str],
                 settings: RoundSettings, run_at: dt.datetime, result: Receipts) -> None:
    versions, how = _order(group, arrivals, corrected)
    if how is None:
        how = "受付日時では新旧を判断できないため、ファイル名の順"
        result.provisional.append(Note.of("versions_unordered", files=tuple(versions)))
        result.notes.append(Note.of("latest_version_judged", files=tuple(versions), how=how,
                                    latest=versions[-1]))
    latest = versions[-1]
    corrects = _originals(latest, corrected)
    for file in sorted(versions[:-1]):
        if file in unjudgeable or file in corrects:  # the sender hears about the correction
            result.superseded.append(Superseded(
                file, latest, "replaced_by_correction",
                f"修正版（{latest}）で判定するため、このファイルへの通知はありません。"))
        else:
            result.superseded.append(Superseded(
                file, latest, "later_submission",
                f"同じ団体から後で届いた申請（{latest}）があるため、そちらで判定します（根拠：{how}）。"))
    if latest in corrected or any(f in unjudgeable for f in versions[:-1]):
        original, label = corrected.get(latest, (versions[0], f"修正版（元: {versions[0]}）"))
        _received_as_correction(latest, original, label, arrivals, settings, run_at, result)


def _originals(file: str, corrected: Mapping[str, tuple[str, str]]) -> list[str]:
    """The files a correction corrects, newest first, by its link and theirs (a correction of
    a correction corrects both)."""
    chain, seen = [], {file}
    while file in corrected and corrected[file][0] not in seen:
        file = corrected[file][0]
        seen.add(file)
        chain.append(file)
    return chain


def _order(group: list[str], arrivals: Mapping[str, Arrival],
           corrected: Mapping[str, tuple[str, str]]) -> tuple[list[str], str | None]:
    """Oldest first, and the evidence that decided (None: nothing could)."""
    if any(f in corrected for f in group):  # the longer the chain of links behind a file, the newer
        ordered = sorted(group, key=lambda f: (len(_originals(f, corrected)), f))
        return ordered, corrected[ordered[-1]][1]
    times = {f: arrivals[f].when for f in group}
    if any(t is None for t in times.values()):
        return sorted(group), None
    in_register = all(arrivals[f].from_register for f in group)
    key = (lambda f: times[f]) if in_register else (lambda f: times[f].date())  # type: ignore[union-attr]
    ordered = sorted(group, key=lambda f: (key(f), f))
    if key(ordered[-1]) == key(ordered[-2]):
        return ordered, None
    if in_register:
        return ordered, "受付簿の日時"
    if not any(arrivals[f].from_register for f in group):
        return ordered, "申請日"
    return ordered, "受付簿の日時と申請日（日付で比較）"


def _received_as_correction(latest: str, original: str, label: str,
                            arrivals: dict[str, Arrival], settings: RoundSettings,
                            run_at: dt.datetime, result: Receipts) -> None:
    """A correction of a form sent back for fixing keeps the original's receipt when it came
    by the 再提出期限; after it, it is judged as received."""
    window_end = resubmission_end(settings)
    own, first = arrivals[latest], arrivals[original]
    if own.from_register and own.when is not None:
        if own.when <= window_end:
            arrivals[latest] = Arrival(first.when, Note.of(
                "basis_correction_in_time", label=label, when=f"{own.when:%m/%d %H:%M}"),
                first.from_register)
        else:
            arrivals[latest] = dataclasses.replace(
                own, basis=Note.of("basis_correction_late", label=label))
        return
    arrivals[latest] = Arrival(first.when, Note.of("basis_correction", label=label),
                               first.from_register)
    if run_at > window_end:
        result.provisional.append(Note.of("correction_arrival_unknown", file=latest))


def note_possible_resubmissions(files: Mapping[str, str], arrivals: Mapping[str, Arrival],
                                 unjudgeable: Mapping[str, str],
                                 links: Mapping[str, tuple[str, str]], settings: RoundSettings,
                                 result: Receipts) -> None:
    """A workbook received after the deadline but by the 再提出期限, while a file received in
    time could not be read and nothing links the two: it may be that file's resubmission (a
    PDF sender doing what our letter asked), or a late application. Only staff can tell."""
    superseded = {s.file for s in result.superseded}
    linked = {original for original, _ in links.values()}
    pending = [f for f in files if unjudgeable.get(f) == UNREADABLE and f not in superseded
               and f not in linked and arrivals[f].when is not None
               and arrivals[f].when <= settings.deadline]  # type: ignore[operator]
    if not pending:
        return
    late = [f for f in files if f not in unjudgeable and f not in superseded and f not in links
            and (when := arrivals[f].when) is not None
            and settings.deadline < when <= resubmission_end(settings)]
    for file in late:
        result.remark(file, Note.of("maybe_resubmission", files=tuple(pending)))
        result.provisional.append(Note.of("resubmission_unconfirmed", file=file,
                                          files=tuple(pending)))


def _note_possible_same_org(identity: Mapping[str, tuple[str | None, set[str]]],
                            municipalities: Mapping[str, object], result: Receipts) -> None:
    """Different names, same contact within a municipality: a note, never a merge."""
    seen: dict[tuple[object, str], str] = {}
    for file, (key, contacts) in identity.items():
        municipality = municipalities[file]
        for contact in sorted(contacts):
            other = seen.setdefault((municipality, contact), file)
            if other != file and identity[other][0] != key:
                result.notes.append(Note.of("same_contact", other=other, file=file))
                break


class _Groups:
    """Union-find over file names."""

    def __init__(self, files: Iterable[str]) -> None:
        self.parent = {f: f for f in files}

    def find(self, file: str) -> str:
        while self.parent[file] != file:
            self.parent[file] = self.parent[self.parent[file]]
            file = self.parent[file]
        return file

    def join(self, first: str, second: str) -> None:
        a, b = sorted((self.find(first), self.find(second)))
        self.parent[b] = a

    def groups(self) -> list[list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for file in self.parent:
            found[self.find(file)].append(file)
        return list(found.values())
