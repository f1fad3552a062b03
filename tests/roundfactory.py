"""Make inboxes for whole rounds: forms, a receipt register, returned review sheets."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.core.result import RoundResult
from pipeline.core.settings import JST, RoundSettings
from pipeline.run import run_round
from tests.formfactory import make_form, with_values

RUN_AT = dt.datetime(2016, 7, 1, 9, 0, tzinfo=JST)

# Municipality → (postal code, address) that pass the Tokyo checks.
PLACES = {
    "新宿区": ("160-8484", "東京都新宿区歌舞伎町1-4-1"),
    "八王子市": ("192-8501", "八王子市元本郷町3-24-1"),
    "大島町": ("100-0101", "東京都大島町元町1-1-14"),
    "世田谷区": ("154-8504", "世田谷区世田谷4-21-27"),
    "町田市": ("194-8520", "町田市森野2-2-22"),
    "練馬区": ("176-8501", "練馬区豊玉北6-12-1"),
    "三鷹市": ("181-8555", "三鷹市野崎1-1-1"),
}


def org(name: str, municipality: str,
        changes: Mapping[str, object] | None = None) -> dict[str, object]:
    """A valid application of one organisation in one of PLACES, with some labels changed."""
    postal, address = PLACES[municipality]
    return with_values({"団体名": name, "区市町村": municipality, "郵便番号": postal,
                        "所在地": address, **(changes or {})})


def add_form(inbox: Path, name: str, values: Mapping[str, object] | None = None,
             marks: Mapping[str, object] | None = None, *, blank_dir: Path) -> Path:
    return make_form(inbox / name, values, marks, blank_dir=blank_dir)


def new_inbox(factory: pytest.TempPathFactory, name: str) -> Path:
    """An empty inbox/ in a folder of its own, for a round shared by a module's tests (its
    outbox/ goes beside it)."""
    inbox = factory.mktemp(name) / "inbox"
    inbox.mkdir()
    return inbox


def one_form_round(inbox: Path, name: str, values: Mapping[str, object],
                   settings: RoundSettings, *, blank_dir: Path) -> Path:
    """A round of one form, run at RUN_AT: its outbox (beside ``inbox``)."""
    add_form(inbox, name, values, blank_dir=blank_dir)
    run_round(inbox, inbox.parent / "outbox", settings, RUN_AT)
    return inbox.parent / "outbox"


def add_forms(inbox: Path, forms: Mapping[str, Mapping[str, object]], *, blank_dir: Path) -> None:
    """Forms saved into ``inbox``: each file name with the form's values (:func:`org`)."""
    for name, values in forms.items():
        make_form(inbox / name, values, blank_dir=blank_dir)


def write_register(path: Path, rows: Sequence[Sequence[object]],
                   headings: Sequence[str] = ("ファイル名", "受付日時"),
                   decisions: Sequence[Sequence[object]] = ()) -> Path:
    """The staff's register, its rows under ``headings`` as typed; with ``decisions``, a sheet
    事務局判断 (ファイル名, 判断, 元のファイル, 理由, 記入者, 日付) under a line of guidance."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "受付"
    sheet.append(list(headings))
    for row in rows:
        sheet.append(list(row))
    if decisions:
        ruled = workbook.create_sheet("事務局判断")
        ruled.append(["記入例：1行に1件"])
        ruled.append(["ファイル名", "判断", "元のファイル", "理由", "記入者", "日付"])
        for row in decisions:
            ruled.append(list(row))
    workbook.save(path)
    return path


def make_register(path: Path, rows: Sequence[tuple[object, ...]]) -> Path:
    """A numbered register; rows of (file name, received) or (file name, received, 送信元)."""
    return write_register(
        path, [(number, name, when, sender[0] if sender else None, "")
               for number, (name, when, *sender) in enumerate(rows, start=1)],
        headings=("受付番号", "ファイル名", "受付日時", "送信元", "備考"))


def provisional(result: RoundResult) -> list[tuple[str, dict[str, object]]]:
    """Why the round's ranking is 暫定: each reason's code and fields."""
    return [(note.code, dict(note.fields)) for note in result.provisional_notes]


def decisions_of(result: RoundResult) -> dict[str, str]:
    """File → 判定, from the round's 受付一覧."""
    return dict(zip(result.ledger["file"], result.ledger["decision"], strict=True))


def ledger_row(result: RoundResult, file: str) -> dict[str, Any]:
    """One file's row of 受付一覧, by column."""
    return {str(k): v for k, v in result.ledger.set_index("file").loc[file].items()}


def fill_review(blank: Path, target: Path, reviewer: str | None,
                scores: Mapping[str, tuple[object, object, object] | str]) -> Path:
    """A reviewer's returned sheet: scores by file name, or "conflict"."""
    workbook = openpyxl.load_workbook(blank)
    sheet = workbook["審査票"]
    header = next(r for r in sheet.iter_rows() if r[0].value == "ファイル名")
    columns = {c.value: c.column for c in header}
    name_cell = next(c for r in sheet.iter_rows() for c in r if c.value == "審査員氏名")
    sheet.cell(name_cell.row, name_cell.column + 1).value = reviewer
    for row in sheet.iter_rows(min_row=header[0].row + 1):
        given = scores.get(str(row[0].value))
        if given is None:
            continue
        if given == "conflict":
            sheet.cell(row[0].row, columns["利害関係あり"]).value = "○"
            continue
        for label, value in zip(("課題の明確さ", "実現可能性", "波及効果"), given, strict=True):
            sheet.cell(row[0].row, columns[label]).value = value
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target


def saved_at(path: Path, when: str) -> Path:
    """Set the time Excel records when it saves a workbook (docProps/core.xml)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data)
            archive.writestr(info, data)
    return path


# After the 再提出期限 (2016-07-08 in the fixture settings): no 要修正 form can still change
# the ranking, so a round with every review in is final (確定).
FINAL_AT = dt.datetime(2016, 7, 11, 9, 0, tzinfo=JST)


def review_everything(outbox: Path, inbox: Path, reviewer: str = "審査員A",
                      scores: tuple[object, object, object] = (3, 3, 3)) -> Path:
    """One reviewer's sheet scoring every application on the review sheet we wrote."""
    blank = outbox / "審査票.xlsx"
    sheet = openpyxl.load_workbook(blank)["審査票"]
    files = [str(row[0].value) for row in sheet.iter_rows(min_row=6) if row[0].value]
    return fill_review(blank, inbox / "審査" / f"審査票_{reviewer}.xlsx", reviewer,
                       dict.fromkeys(files, scores))


def run_in(inbox: Path, settings: RoundSettings, at: dt.datetime = FINAL_AT) -> RoundResult:
    """Run the round of ``inbox`` into the outbox beside it."""
    return run_round(inbox, inbox.parent / "outbox", settings, at)
