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

import dataclasses
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from pipeline.core.filekey import FileIndex
from pipeline.core.manifest import Issued
from pipeline.core.records import Register, RegisterEntry
from pipeline.core.settings import JST, RoundSettings
from pipeline.core.wording import japanese_datetime
from pipeline.stage2_decide.staff import EXCLUDE, RESUBMISSION, Rulings
from schemas.selection import UNREADABLE

BASIS_REGISTER = "受付簿"
BASIS_FORM_DATE = "申請日（受付簿に記載なし）"
BASIS_UNKNOWN = "不明（受付簿に記載なし）"
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


@dataclass(frozen=True)
class Superseded:
    file: str
    by: str  # the file judged instead
    code: str  # same_content, later_submission or replaced_by_correction (LedgerSchema.reason_code)
    reason: str


# What staff should know (概要) and why the ranking is 暫定, by code: each note is a code and
# the fields its template fills (a tuple is listed with 、), rendered to Japanese in one place.
TEMPLATES: dict[str, str] = {
    # for 概要
    "register_note": "{text}",
    "lookalike_registers": "受付簿の形をしたファイルがあります（{files}）。受付簿は事務局が inbox に"
                           "「受付簿.xlsx」の名前で保存したものだけを使うため、申請者のファイルとして判定しました。",
    "register_row_no_file": "{source} {cell}: 「{name}」に当たるファイルが inbox にありません。",
    "register_row_many_files": "{source} {cell}: 「{name}」に当たるファイルが複数あります（{files}）。"
                               "どのファイルか特定できないため使いませんでした。",
    "register_row_twice": "{source} {cell}: 「{file}」が2回記載されています（最初の行 {first_cell} を"
                          "使いました）。",
    "register_time_unusable": "{source} {cell}: {why}",
    "register_year_read": "{source} {cell}: 「{written}」は年の記入がないため、締切に最も近い {when} と"
                          "読みました。",
    "name_twins": "同じ名前とみなされるファイルが{count}つあります（{files}）。受付簿や審査票の行は"
                  "どちらのものか判断できません。名前を変えて区別してください。",
    "same_content": "同じ内容のファイル {files}：受付簿にある {first} の受付日時で判定しました。",
    "same_name_kept_apart": "同一団体名の別申請：{files}（同じ団体から届いた根拠（差戻しの印、"
                            "受付簿の同じ送信元）がないため別々に判定しました）。",
    "latest_version_judged": "同じ団体の申請 {files}：{how}で {latest} を判定しました。",
    "same_contact": "同一団体の可能性：{other} と {file}（団体名は異なりますが、連絡先が同じです）。",
    # reasons the ranking is 暫定
    "register_unusable": "受付簿を使えません：{problem}（締切の判定は申請日によります）",
    "register_row_finds_no_file": "受付簿 {cell} の「{name}」に当たるファイルが inbox にありません"
                                  "（ファイル名を確かめてください）",
    "register_row_finds_many_files": "受付簿 {cell} の「{name}」がどのファイルか特定できません（{files}）",
    "register_time_not_read": "受付簿 {cell} の受付日時「{written}」を使えません（{why}）",
    "resubmission_of_which_unreadable": "{file} は、受付簿の{how}が同じ読めないファイル（{files}）の"
                                        "どれの再提出か判断できません。事務局判断に「再提出として扱う」と"
                                        "元のファイルを記入してください",
    "same_name_unconfirmed": "同じ団体名の申請が{count}件あり、同じ団体か確かめられません（{files}）。"
                             "受付簿に送信元を記入するか、事務局判断に記入してください（後の申請を"
                             "「再提出として扱う」、別の団体なら「適格」など）",
    "versions_unordered": "同じ団体の申請（{files}）のどれが新しいか判断できません。受付簿に受付日時を"
                          "記入するか、古い方を inbox から移してください",
    "correction_arrival_unknown": "修正版 {file} がいつ届いたか分かりません（受付簿に記載なし）。"
                                  "再提出期限内か確かめ、受付簿に受付日時を記入してください",
    "resubmission_unconfirmed": "締切後・再提出期限内に届いた {file} が、締切前に届いた読めないファイル"
                                "（{files}）の再提出か分かりません。受付簿に送信元を記入するか、"
                                "事務局判断に「再提出として扱う」と元のファイルを記入してください",
}


@dataclass(frozen=True)
class Note:
    code: str  # a key of TEMPLATES
    fields: Mapping[str, object]

    @classmethod
    def of(cls, code: str, **fields: object) -> Note:
        return cls(code, fields)

    @property
    def text(self) -> str:
        """The note in Japanese."""
        return TEMPLATES[self.code].format_map(
            {key: "、".join(map(str, value)) if isinstance(value, tuple | list) else value
             for key, value in self.fields.items()})


@dataclass
class Receipts:
    """Every file's receipt and the files superseded, with what staff should know."""

    frame: pd.DataFrame  # file, sha256, received_at (aware, Japan time), received_basis
    superseded: list[Superseded] = field(default_factory=list)
    remarks: dict[str, str] = field(default_factory=dict)  # file → text added to its reason
    notes: list[Note] = field(default_factory=list)  # for 概要
    provisional: list[Note] = field(default_factory=list)  # reasons the ranking is 暫定
    registered: dict[str, RegisterEntry] = field(default_factory=dict)  # file → its register row


@dataclass(frozen=True)
class _Arrival:
    when: dt.datetime | None  # None: not known
    basis: str
    from_register: bool = False


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
    _note_twins(index.by_key, result)
    if register.lookalikes:
        result.notes.append(Note.of("lookalike_registers", files=tuple(register.lookalikes)))
    arrivals = _match_register(list(files), index, register, records, settings, run_at, result)
    excluded = rulings.files(EXCLUDE)
    kept = _share_receipts({f: sha for f, sha in files.items() if f not in excluded}, arrivals,
                           set(anonymous), result)
    links = _links(kept, records, arrivals, unjudgeable, rulings, result)
    _supersede(kept, arrivals, records, corrects, links, set(unjudgeable), rulings.by_file.keys(),
               settings, run_at, result)
    _note_possible_resubmissions(kept, arrivals, unjudgeable, links, settings, result)
    rows = [(file, sha256, arrivals[file].when, arrivals[file].basis)
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
            result.remarks[file] = (f"{result.remarks.get(file, '')} 差戻しの修正版の印がありますが、"
                                    "差戻しの記録にない修正版です。新しい申請として判定しました。")
            continue
        own = identity.get(file, {})
        differs = [label for key, label in (("org_name", "団体名"), ("municipality", "区市町村"),
                                            ("org_type", "団体種別"))
                   if sent.get(key) and isinstance(typed := own.get(key), str)
                   and _identity_key(key, typed) != _identity_key(key, sent[key])]
        if differs:
            result.remarks[file] = (f"{result.remarks.get(file, '')} 差戻しの修正版の印がありますが、"
                                    f"差戻しを送った団体と{'・'.join(differs)}が違います。"
                                    "新しい申請として判定しました。")
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


# --- The register ---------------------------------------------------------------------------

def _match_register(files: Sequence[str], index: FileIndex, register: Register,
                    records: pd.DataFrame, settings: RoundSettings, run_at: dt.datetime,
                    result: Receipts) -> dict[str, _Arrival]:
    """Each file's arrival: the register's time where a row names it (names compared by
    :func:`file_key`; without an extension when exactly one file fits), else its 申請日."""
    form_dates = dict(zip(records["file"].tolist(), records["application_date"].tolist(),
                          strict=True))
    arrivals = {file: _form_date(form_dates.get(file)) for file in files}
    if register.source is None:
        return arrivals
    source = register.source
    if register.problem is not None:
        result.notes.append(Note.of("register_note", text=register.problem))
        result.provisional.append(Note.of("register_unusable", problem=register.problem))
        for file in files:
            arrivals[file] = dataclasses.replace(
                arrivals[file], basis=arrivals[file].basis.replace(
                    "受付簿に記載なし", "受付簿を読み込めないため"))
        return arrivals
    result.notes.extend(Note.of("register_note", text=text) for text in register.notes)
    matched: dict[str, RegisterEntry] = {}
    for entry in register.entries:
        candidates = index.find(entry.name)
        if not candidates:
            result.notes.append(Note.of("register_row_no_file", source=source,
                                        cell=entry.name_cell, name=entry.name))
            result.provisional.append(Note.of("register_row_finds_no_file", cell=entry.name_cell,
                                              name=entry.name))
            continue
        if len(candidates) > 1:
            result.notes.append(Note.of("register_row_many_files", source=source,
                                        cell=entry.name_cell, name=entry.name,
                                        files=tuple(candidates)))
            result.provisional.append(Note.of("register_row_finds_many_files",
                                              cell=entry.name_cell, name=entry.name,
                                              files=tuple(candidates)))
            continue
        (file,) = candidates
        if file in matched:
            result.notes.append(Note.of("register_row_twice", source=source, cell=entry.name_cell,
                                        file=file, first_cell=matched[file].name_cell))
            continue
        matched[file] = entry
        received, why = _register_time(entry, settings, run_at)
        if received is None:
            form_date = arrivals[file]
            arrivals[file] = _Arrival(form_date.when, f"受付簿の日時を使えません（{entry.time_cell}"
                                      f"「{entry.raw_time}」）。申請日で仮に判定")
            result.notes.append(Note.of("register_time_unusable", source=source,
                                        cell=entry.time_cell, why=why))
            result.provisional.append(Note.of("register_time_not_read", cell=entry.time_cell,
                                              written=entry.raw_time, why=why))
            continue
        exact = unicodedata.normalize("NFC", entry.name) == file
        basis = BASIS_REGISTER if exact else f"受付簿（{entry.name_cell}「{entry.name}」）"
        if not entry.year_typed:
            basis += f"。年の記入がないため{received.year}年と読みました"
            result.notes.append(Note.of("register_year_read", source=source, cell=entry.time_cell,
                                        written=entry.raw_time, when=japanese_datetime(received)))
        arrivals[file] = _Arrival(received, basis, from_register=True)
    result.registered = matched
    return arrivals


def _register_time(entry: RegisterEntry, settings: RoundSettings, run_at: dt.datetime
                   ) -> tuple[dt.datetime | None, str]:
    """The time a register row says, or None and why it cannot be used. A date typed without
    its year takes the year that puts it nearest the deadline (12/25 before a January deadline
    is last year's); a time after the run cannot be a receipt (a typing slip: 1/30 for 1/13, or
    a year too many), whatever year it was given."""
    when = entry.received
    if when is None:
        return None, "日時として読み取れません。2016/6/30 17:05 の形で入力してください"
    if not entry.year_typed:
        year = settings.deadline.year
        when = min((c for c in (_in_year(when, y) for y in (year - 1, year, year + 1)) if c),
                   key=lambda c: abs(c - settings.deadline))
    if when > run_at:
        return None, (f"実行日時（{japanese_datetime(run_at)}）より後の日時です。"
                      "年・月・日を確かめてください")
    return when, ""


def _in_year(when: dt.datetime, year: int) -> dt.datetime | None:
    try:
        return when.replace(year=year)
    except ValueError:  # 2/29 in a year without it
        return None


def _note_twins(by_key: Mapping[str, list[str]], result: Receipts) -> None:
    """Names that differ only in width, case or Unicode form: each file is kept and judged, but
    a typed name (a register or review-sheet row) cannot tell them apart."""
    for twins in (names for names in by_key.values() if len(names) > 1):
        result.notes.append(Note.of("name_twins", count=len(twins), files=tuple(twins)))


def _form_date(day: object) -> _Arrival:
    if isinstance(day, dt.date):
        return _Arrival(dt.datetime.combine(day, dt.time(), JST), BASIS_FORM_DATE)
    return _Arrival(None, BASIS_UNKNOWN)


# --- Copies and versions ------------------------------------------------------------------------

def _share_receipts(files: Mapping[str, str], arrivals: dict[str, _Arrival],
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
        first = min(registered, key=lambda f: (_sort_time(arrivals[f]), f)) if registered \
            else min(copies, key=lambda f: (len(f), f))
        for copy in (f for f in copies if f != first):
            del kept[copy]
            arrivals[copy] = dataclasses.replace(arrivals[first],
                                                 basis=f"{first} と同じ内容（受付は {first} と共通）")
            result.superseded.append(Superseded(
                copy, first, "same_content", f"{first} と同じ内容のファイルです（{first} で判定します）。"))
        if registered and len(registered) < len(copies):
            result.notes.append(Note.of("same_content", files=tuple(copies), first=first))
    return kept


def _links(files: Mapping[str, str], records: pd.DataFrame, arrivals: Mapping[str, _Arrival],
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
        earlier = [u for u in unreadable if _sort_time(arrivals[u]) <= _sort_time(arrivals[file])]
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


def _supersede(files: Mapping[str, str], arrivals: dict[str, _Arrival], records: pd.DataFrame,
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
            others = "、".join(f for f in kept if f != file)
            result.remarks[file] = (f"{result.remarks.get(file, '')} 同一団体名の別申請（{others}）が"
                                    "あります。同じ団体か事務局で確かめてください（暫定）。")
        result.notes.append(Note.of("same_name_kept_apart", files=tuple(kept)))
        result.provisional.append(Note.of("same_name_unconfirmed", count=len(kept),
                                          files=tuple(kept)))


def _keep_latest(group: list[str], arrivals: dict[str, _Arrival],
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


def _sort_time(arrival: _Arrival) -> dt.datetime:
    return arrival.when or dt.datetime.max.replace(tzinfo=JST)


def _order(group: list[str], arrivals: Mapping[str, _Arrival],
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
                            arrivals: dict[str, _Arrival], settings: RoundSettings,
                            run_at: dt.datetime, result: Receipts) -> None:
    """A correction of a form sent back for fixing keeps the original's receipt when it came
    by the 再提出期限; after it, it is judged as received."""
    window_end = resubmission_end(settings)
    own, first = arrivals[latest], arrivals[original]
    if own.from_register and own.when is not None:
        if own.when <= window_end:
            arrivals[latest] = _Arrival(first.when, f"{label}：元の受付日時（修正版の受付 "
                                        f"{own.when:%m/%d %H:%M} は再提出期限内）", first.from_register)
        else:
            arrivals[latest] = dataclasses.replace(own, basis=f"{label}：受付簿の日時（再提出期限後）")
        return
    arrivals[latest] = _Arrival(first.when, f"{label}：元の受付日時", first.from_register)
    if run_at > window_end:
        result.provisional.append(Note.of("correction_arrival_unknown", file=latest))


def resubmission_end(settings: RoundSettings) -> dt.datetime:
    """The last moment of the 再提出期限 (a date, Japan time)."""
    return dt.datetime.combine(settings.resubmission_deadline, dt.time.max, JST)


def _note_possible_resubmissions(files: Mapping[str, str], arrivals: Mapping[str, _Arrival],
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
    listed = "、".join(pending)
    for file in late:
        result.remarks[file] = (f"{result.remarks.get(file, '')} 締切前に届いた読めないファイル（{listed}）の"
                                "再提出かもしれません（暫定）。")
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
