"""Receipt: when each file was received, on which evidence, and which file of an organisation
is the one judged.

Evidence, strongest first: our 差戻し tag (a correction names the file it corrects), the
receipt register's time, the form's 申請日 (a date only). Where the evidence cannot support a
decision the result says so: a reason on the file's row, a note for 概要, and a reason that
makes the ranking 暫定. Nothing here reads a file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from pipeline.core.filekey import file_key, stem_key
from pipeline.core.settings import JST, RoundSettings
from pipeline.stage1_read.register import Register, RegisterEntry

BASIS_REGISTER = "受付簿"
BASIS_FORM_DATE = "申請日（受付簿に記載なし）"
BASIS_UNKNOWN = "不明（受付簿に記載なし）"

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


@dataclass
class Receipts:
    """Every file's receipt and the files superseded, with what staff should know."""

    frame: pd.DataFrame  # file, sha256, received_at (aware, Japan time), received_basis
    superseded: list[Superseded] = field(default_factory=list)
    remarks: dict[str, str] = field(default_factory=dict)  # file → text added to its reason
    notes: list[str] = field(default_factory=list)  # for 概要
    provisional: list[str] = field(default_factory=list)  # reasons the ranking is 暫定


@dataclass(frozen=True)
class _Arrival:
    when: dt.datetime | None  # None: not known
    basis: str
    from_register: bool = False


def receive(files: Mapping[str, str], register: Register, records: pd.DataFrame,
            corrects: Mapping[str, str], needs_fix: Iterable[str], settings: RoundSettings,
            run_at: dt.datetime) -> Receipts:
    """``files``: every inbox file → its SHA-256, in inbox order; ``corrects``: file → the
    SHA-256 of the file its 差戻し tag says it corrects; ``needs_fix``: files judged 要修正."""
    result = Receipts(pd.DataFrame())
    by_key: dict[str, list[str]] = defaultdict(list)  # the files each typed name may mean
    for file in files:
        by_key[file_key(file)].append(file)
    _note_twins(by_key, result)
    arrivals = _match_register(list(files), by_key, register, records, result)
    _supersede(files, arrivals, records, corrects, set(needs_fix), settings, run_at, result)
    rows = [(file, sha256, arrivals[file].when, arrivals[file].basis)
            for file, sha256 in files.items()]
    frame = pd.DataFrame(rows, columns=["file", "sha256", "received_at", "received_basis"])
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True).dt.tz_convert(
        "Asia/Tokyo")
    result.frame = frame
    return result


# --- The register ---------------------------------------------------------------------------

def _match_register(files: Sequence[str], by_key: Mapping[str, list[str]], register: Register,
                    records: pd.DataFrame, result: Receipts) -> dict[str, _Arrival]:
    """Each file's arrival: the register's time where a row names it (names compared by
    :func:`file_key`; without an extension when exactly one file fits), else its 申請日."""
    form_dates = dict(zip(records["file"].tolist(), records["application_date"].tolist(),
                          strict=True))
    arrivals = {file: _form_date(form_dates.get(file)) for file in files}
    if register.source is None:
        return arrivals
    source = register.source
    if register.problem is not None:
        result.notes.append(register.problem)
        result.provisional.append(f"受付簿を使えません：{register.problem}"
                                  "（締切の判定は申請日によります）")
        for file in files:
            arrivals[file] = dataclasses.replace(
                arrivals[file], basis=arrivals[file].basis.replace(
                    "受付簿に記載なし", "受付簿を読み込めないため"))
        return arrivals
    result.notes.extend(register.notes)
    by_stem: dict[str, list[str]] = defaultdict(list)
    for file in files:
        by_stem[stem_key(file)].append(file)
    matched: dict[str, RegisterEntry] = {}
    for entry in register.entries:
        candidates = by_key.get(file_key(entry.name)) or by_stem.get(stem_key(entry.name), [])
        if not candidates:
            result.notes.append(f"{source} {entry.name_cell}: 「{entry.name}」に当たるファイルが inbox にありません。")
            result.provisional.append(f"受付簿 {entry.name_cell} の「{entry.name}」に当たるファイルが"
                                      " inbox にありません（ファイル名を確かめてください）")
            continue
        if len(candidates) > 1:
            listed = "、".join(candidates)
            result.notes.append(f"{source} {entry.name_cell}: 「{entry.name}」に当たるファイルが複数あります"
                                f"（{listed}）。どのファイルか特定できないため使いませんでした。")
            result.provisional.append(f"受付簿 {entry.name_cell} の「{entry.name}」がどのファイルか"
                                      f"特定できません（{listed}）")
            continue
        (file,) = candidates
        if file in matched:
            result.notes.append(f"{source} {entry.name_cell}: 「{file}」が2回記載されています"
                                f"（最初の行 {matched[file].name_cell} を使いました）。")
            continue
        matched[file] = entry
        if entry.received is None:
            form_date = arrivals[file]
            arrivals[file] = _Arrival(form_date.when, f"受付簿の日時を読み取れません（{entry.time_cell}"
                                      f"「{entry.raw_time}」）。申請日で仮に判定")
            result.provisional.append(f"受付簿 {entry.time_cell} の受付日時「{entry.raw_time}」を"
                                      "読み取れません（2016/6/30 17:05 の形で入力してください）")
            continue
        exact = unicodedata.normalize("NFC", entry.name) == file
        basis = BASIS_REGISTER if exact else f"受付簿（{entry.name_cell}「{entry.name}」）"
        arrivals[file] = _Arrival(entry.received, basis, from_register=True)
    return arrivals


def _note_twins(by_key: Mapping[str, list[str]], result: Receipts) -> None:
    """Names that differ only in width, case or Unicode form: each file is kept and judged, but
    a typed name (a register or review-sheet row) cannot tell them apart."""
    for twins in (names for names in by_key.values() if len(names) > 1):
        result.notes.append(f"同じ名前とみなされるファイルが{len(twins)}つあります（{'、'.join(twins)}）。"
                            "受付簿や審査票の行はどちらのものか判断できません。名前を変えて区別してください。")


def _form_date(day: object) -> _Arrival:
    if isinstance(day, dt.date):
        return _Arrival(dt.datetime.combine(day, dt.time(), JST), BASIS_FORM_DATE)
    return _Arrival(None, BASIS_UNKNOWN)


# --- Versions of one organisation --------------------------------------------------------------

def _supersede(files: Mapping[str, str], arrivals: dict[str, _Arrival], records: pd.DataFrame,
               corrects: Mapping[str, str], needs_fix: set[str], settings: RoundSettings,
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
    # A correction made from our 差戻し workbook: whatever its name or content.
    corrected: dict[str, str] = {}
    for file, original_sha in corrects.items():
        for original in by_sha.get(original_sha, []):
            if original != file:
                versions.join(file, original)
                corrected[file] = original
    # The same organisation (name key) with the same contact, or byte-identical content.
    same_name: dict[str, list[str]] = defaultdict(list)
    for file, (key, _) in identity.items():
        if key is not None:
            same_name[key].append(file)
    for members in same_name.values():
        for i, first in enumerate(members):
            for second in members[i + 1:]:
                if identity[first][1] & identity[second][1] or files[first] == files[second]:
                    versions.join(first, second)
    _note_possible_same_org(identity, municipalities, result)
    for group in versions.groups():
        if len(group) > 1:
            _keep_latest(group, files, arrivals, corrected, needs_fix, settings, run_at, result)
    # Same name, but nothing shows that one organisation sent both: both are judged.
    judged = {s.file for s in result.superseded}
    for members in same_name.values():
        heads = sorted({versions.find(f) for f in members})
        if len(heads) < 2:
            continue
        kept = [f for f in members if f not in judged]
        for file in kept:
            others = "、".join(f for f in kept if f != file)
            result.remarks[file] = (f" 同一団体名の別申請（{others}）があります。同じ団体か"
                                    "事務局で確かめてください（暫定）。")
        result.notes.append(f"同一団体名の別申請：{'、'.join(kept)}（連絡先が異なるため別々に判定しました）。")
        result.provisional.append(f"同じ団体名の申請が{len(kept)}件あり、同じ団体か確かめられません"
                                  f"（{'、'.join(kept)}）。どちらかを inbox から移してください")


def _keep_latest(group: list[str], files: Mapping[str, str], arrivals: dict[str, _Arrival],
                 corrected: Mapping[str, str], needs_fix: set[str], settings: RoundSettings,
                 run_at: dt.datetime, result: Receipts) -> None:
    # Copies of one file count once: the first received stands for them.
    first_of: dict[str, str] = {}
    for file in sorted(group, key=lambda f: (_sort_time(arrivals[f]), f)):
        first_of.setdefault(files[file], file)
    versions = list(first_of.values())
    how: str | None = "同じ内容"
    if len(versions) > 1:
        versions, how = _order(versions, arrivals, corrected)
        if how is None:
            listed = "、".join(versions)
            how = "受付日時では新旧を判断できないため、ファイル名の順"
            result.provisional.append(f"同じ団体の申請（{listed}）のどれが新しいか判断できません。"
                                      "受付簿に受付日時を記入するか、古い方を inbox から移してください")
            result.notes.append(f"同じ団体の申請 {listed}：{how}で {versions[-1]} を判定しました。")
    latest = versions[-1]
    ordered = [*sorted(set(group) - {latest}), latest]
    corrects = _originals(latest, corrected)
    for file in ordered[:-1]:
        if files[file] == files[latest]:
            result.superseded.append(Superseded(
                file, latest, "same_content", f"{latest} と同じ内容のファイルです（{latest} で判定します）。"))
        elif file in needs_fix or file in corrects:  # the sender hears about the correction
            result.superseded.append(Superseded(
                file, latest, "replaced_by_correction",
                f"修正版（{latest}）で判定するため、このファイルへの通知はありません。"))
        else:
            result.superseded.append(Superseded(
                file, latest, "later_submission",
                f"同じ団体から後で届いた申請（{latest}）があるため、そちらで判定します（根拠：{how}）。"))
    earlier_needed_fix = [f for f in ordered[:-1] if f in needs_fix]
    if latest in corrected or earlier_needed_fix:
        original = versions[0]
        _received_as_correction(latest, original, arrivals, settings, run_at, result)


def _originals(file: str, corrected: Mapping[str, str]) -> list[str]:
    """The files a correction corrects, newest first, by its 差戻し tag and theirs (a
    correction of a correction corrects both)."""
    chain, seen = [], {file}
    while file in corrected and corrected[file] not in seen:
        file = corrected[file]
        seen.add(file)
        chain.append(file)
    return chain


def _sort_time(arrival: _Arrival) -> dt.datetime:
    return arrival.when or dt.datetime.max.replace(tzinfo=JST)


def _order(group: list[str], arrivals: Mapping[str, _Arrival], corrected: Mapping[str, str]
           ) -> tuple[list[str], str | None]:
    """Oldest first, and the evidence that decided (None: nothing could)."""
    tagged = [f for f in group if f in corrected]
    if tagged:  # the longer the chain of tags behind a file, the newer it is
        ordered = sorted(group, key=lambda f: (len(_originals(f, corrected)), f))
        latest = ordered[-1]
        return ordered, f"差戻しの修正版（元: {corrected[latest]}）"
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


def _received_as_correction(latest: str, original: str, arrivals: dict[str, _Arrival],
                            settings: RoundSettings, run_at: dt.datetime,
                            result: Receipts) -> None:
    """A correction of a form sent back for fixing keeps the original's receipt when it came
    by the 再提出期限; after it, it is judged as received."""
    window_end = dt.datetime.combine(settings.resubmission_deadline, dt.time.max, JST)
    own, first = arrivals[latest], arrivals[original]
    label = f"差戻しの修正版（元: {original}）"
    if own.from_register and own.when is not None:
        if own.when <= window_end:
            arrivals[latest] = _Arrival(first.when, f"{label}：元の受付日時（修正版の受付 "
                                        f"{own.when:%m/%d %H:%M} は再提出期限内）", first.from_register)
        else:
            arrivals[latest] = dataclasses.replace(own, basis=f"{label}：受付簿の日時（再提出期限後）")
        return
    arrivals[latest] = _Arrival(first.when, f"{label}：元の受付日時", first.from_register)
    if run_at > window_end:
        result.provisional.append(f"修正版 {latest} がいつ届いたか分かりません（受付簿に記載なし）。"
                                  "再提出期限内か確かめ、受付簿に受付日時を記入してください")


def _note_possible_same_org(identity: Mapping[str, tuple[str | None, set[str]]],
                            municipalities: Mapping[str, object], result: Receipts) -> None:
    """Different names, same contact within a municipality: a note, never a merge."""
    seen: dict[tuple[object, str], str] = {}
    for file, (key, contacts) in identity.items():
        municipality = municipalities[file]
        for contact in sorted(contacts):
            other = seen.setdefault((municipality, contact), file)
            if other != file and identity[other][0] != key:
                result.notes.append(f"同一団体の可能性：{other} と {file}（団体名は異なりますが、"
                                    "連絡先が同じです）。")
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
