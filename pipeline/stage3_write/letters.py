"""Letters to applicants: a 差戻し package for every form that must be resent, and a
result notice for every other application.

Templates are plain text files staff can edit; ``{{名前}}`` marks a value. Values
are inserted in one pass and never read as template text, so an applicant's
``{`` or ``$`` cannot alter a notice.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import openpyxl
import pandas as pd
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core import processes
from pipeline.core.errors import SettingsError
from pipeline.core.formspec import CORRECTS_PROPERTY, FIELDS, FORM_SHEET
from pipeline.core.points import shown_text
from pipeline.core.result import RoundResult
from pipeline.core.settings import RoundSettings
from pipeline.core.wording import japanese_date
from pipeline.stage3_write.form import GUIDE_SHEET, write_form
from pipeline.stage3_write.inert import make_inert
from pipeline.stage3_write.outputs import MAX_PART, safe_file_part
from pipeline.stage3_write.xlsx import (
    FONT,
    cell_text,
    fit_row_heights,
    fitted_height,
    new_openpyxl_workbook,
    save_openpyxl,
)
from schemas.selection import DUPLICATE, INELIGIBLE, NEEDS_FIX, NOT_SELECTED, SELECTED

RANKING_DECISIONS = (SELECTED, NOT_SELECTED)
_DRAFT_HEAD = ("【暫定の下書き・送付しないでください】順位が確定していません（理由は 選定結果.xlsx の"
               "「概要」にあります）。確定すると「通知」フォルダに正式な通知ができます。\n\n")
_NO_DRAFTS = ("順位は確定しています。選定・選外の通知は「通知」フォルダにあります。\n"
              "このフォルダには、順位が暫定の間だけ通知の下書きが入ります。\n")
RETURN_TEMPLATE = "差戻し"
NOTICE_DECISIONS = (SELECTED, NOT_SELECTED, INELIGIBLE, DUPLICATE)
# Files that get no letter (LedgerSchema.reason_code): superseded by their own correction, whose
# sender hears about the correction (its row in 受付一覧 says so).
SILENT_CODES = frozenset({"replaced_by_correction"})
SUMMARY_SHEET = "修正箇所"
SUMMARY_HEADER_ROW = 7  # the list of problems: headings in this row, one problem a row below
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
# A strong red with white bold text: unlike the form's pale yellow input cells, it stands out
# on screen and stays dark on a black-and-white printout.
MARK_COLOR = "C00000"
_MARK = PatternFill("solid", fgColor=MARK_COLOR)
_INPUT = PatternFill("solid", fgColor="FFF2CC")  # the form's input cells (form.py)
# Unreadable files that are a workbook of another format (by their content, or by their name
# when too damaged to tell) get a fresh form to fill.
_OTHER_WORKBOOK_CODES = frozenset({"legacy_xls"})
_OTHER_WORKBOOK_SUFFIXES = frozenset({".xls", ".xlsb", ".ods", ".fods", ".et", ".numbers"})
# What the 差戻し e-mail says about its attachment, by what could be made.
_ATTACHED_MARKED = "修正箇所に印を付けた申請用紙を添付しますので、赤い色のセルを修正し、そのファイルをお送りください。"
_ATTACHED_FRESH_COPY = ("お送りいただいたファイル（.xls・.ods 形式や、申請用紙にない構造を含むもの）には"
                        "そのまま印を付けられないため、ご記入の内容を新しい申請用紙（.xlsx）に写し、修正箇所に"
                        "印を付けて添付します。赤い色のセルを修正し、その .xlsx ファイルをお送りください。")
_ATTACHED_FRESH_FORM = ("お送りいただいたファイルは申請用紙として開けなかったため、新しい申請用紙（.xlsx）に"
                        "修正が必要な点の一覧を付けて添付します。この申請用紙に記入して、その .xlsx ファイルを"
                        "お送りください。")
_ATTACHED_LIST = ("お送りいただいたファイルは申請用紙として開けなかったため、修正が必要な点の一覧を添付します。"
                  "配布した申請用紙（Excel）に記入してお送りください。")
SaveFile = Callable[[Path, bytes], object]
_UNKNOWN_ADDRESS = "（申請用紙から読み取れませんでした。受信したメールの差出人に返信してください）"


def load_templates(folder: Path) -> dict[str, str]:
    """Every template the run needs, by its name; a missing one stops the run before writing."""
    templates = {}
    for name in (RETURN_TEMPLATE, *NOTICE_DECISIONS):
        path = folder / f"{name}.txt"
        try:
            templates[name] = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise SettingsError(f"連絡文のひな形 {path} を読み込めません。") from error
    return templates


def render(template: str, values: Mapping[str, str], template_name: str) -> str:
    """Fill ``{{名前}}`` placeholders; an unknown name is the template's mistake, named."""
    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise SettingsError(f"ひな形「{template_name}.txt」の {{{{{key}}}}} は使えません。"
                                f"使える名前：{'、'.join(values)}")
        return values[key]

    return _PLACEHOLDER.sub(value, template)


def write_letters(returns: Path, notices: Path, drafts: Path, result: RoundResult,
                  templates: Mapping[str, str], save: SaveFile = Path.write_bytes,
                  longest: int = MAX_PART) -> None:
    """A 差戻し package for every 要修正 or 読込不可 file (the marked workbook and a draft
    e-mail), and a notice for every application judged 選定, 選外, 不適格 or 重複. While the
    ranking is 暫定, 選定 and 選外 notices go to ``drafts``, marked 暫定 in name and first line.
    Each letter file is written by ``save`` (path, bytes). ``longest``: the most characters of
    a file's name a letter's name keeps (outputs.part_room)."""
    if not result.provisional:
        (drafts / "このフォルダについて.txt").write_text(_NO_DRAFTS, encoding="utf-8")
    facts = _Facts(result)
    problems_by_file = dict(tuple(result.problems.groupby("file", sort=False)))
    stems = letter_stems(facts.decisions, longest)  # of every file: two never share a name
    decisions = facts.decisions
    marked = _annotate_all(returns, result, facts, decisions, stems, problems_by_file)
    for file, decision in decisions.items():
        stem = stems[file]
        if facts.codes[file] in SILENT_CODES:
            continue
        if decision in NOTICE_DECISIONS:
            values = facts.values(file)
            body = render(templates[decision], values, decision)
            if result.provisional and decision in RANKING_DECISIONS:
                save(drafts / f"{stem}_{decision}（暫定）.txt", _letter(values, body, _DRAFT_HEAD))
            else:
                save(notices / f"{stem}_{decision}.txt", _letter(values, body))
            continue
        found = problems_by_file.get(file, result.problems.iloc[0:0])
        workbook = _marked_path(returns, stem)
        tag = facts.tag(file)
        heading = facts.heading(file)
        if file in marked:
            attachment = _ATTACHED_MARKED
        elif ((decision == NEEDS_FIX and file in result.records.index)
              or _other_workbook(file, facts.codes[file])):
            record = ({str(key): value for key, value in result.records.loc[file].items()}
                      if file in result.records.index else {})
            fresh_copy(workbook, record, found, result.settings, tag=tag, heading=heading)
            attachment = (_ATTACHED_FRESH_COPY if decision == NEEDS_FIX else _ATTACHED_FRESH_FORM)
        else:
            problem_list_only(workbook, file, found, heading)
            attachment = _ATTACHED_LIST
        values = facts.values(file) | {
            "不備一覧": _problem_lines(found, result.settings.resubmission_deadline,
                                       result.run_at.date()),
            "再提出期限": japanese_date(result.settings.resubmission_deadline),
            "再提出のお願い": resubmission_request(result.settings.resubmission_deadline,
                                                  result.run_at.date()),
            "添付の説明": attachment,
        }
        save(returns / f"{stem}_連絡文.txt",
             _letter(values, render(templates[RETURN_TEMPLATE], values, RETURN_TEMPLATE)))


def _other_workbook(file: str, code: str) -> bool:
    """Whether an unreadable file is a workbook of a format other than the form's .xlsx."""
    return code in _OTHER_WORKBOOK_CODES or Path(file).suffix.lower() in _OTHER_WORKBOOK_SUFFIXES


def resubmission_request(deadline: dt.date, today: dt.date) -> str:
    """What a 差戻し letter asks: the correction by the 再提出期限 while it is to come; once it
    has passed, never that date as still to come, but to contact the office."""
    if today <= deadline:
        return (f"お手数をおかけしますが、修正のうえ {japanese_date(deadline)} までに再度お送り"
                "くださいますようお願いいたします。")
    return (f"再提出期限（{japanese_date(deadline)}）を過ぎております。修正版をお送りいただく前に、"
            "このお申し込みの扱いについて下記の事務局までご連絡ください。")


def _annotate_all(returns: Path, result: RoundResult, facts: _Facts,
                  decisions: Mapping[str, str], stems: Mapping[str, str],
                  problems_by_file: Mapping[Any, pd.DataFrame]) -> set[str]:
    """The 要修正 files whose own workbook was marked. openpyxl builds every cell of what it
    opens, so each applicant's workbook is opened in a worker process with the memory limit:
    one that exhausts or crashes it gets a fresh copy of the form instead, and costs no more."""
    files = [file for file, decision in decisions.items()
             if decision == NEEDS_FIX and file in result.openable]
    done = processes.isolated(
        [(annotate, (result.sources[file], _marked_path(returns, stems[file]),
                     problems_by_file.get(file, result.problems.iloc[0:0]), facts.tag(file),
                     facts.heading(file)))
         for file in files],
        on_failure=lambda _: False)
    return {file for file, ok in zip(files, done, strict=True) if ok}


def _marked_path(returns: Path, stem: str) -> Path:
    """The 差戻し workbook of a file: its own marked, a fresh copy, or the problem list."""
    return returns / f"{stem}_要修正.xlsx"


def letter_stems(files: Iterable[str], longest: int = MAX_PART) -> dict[str, str]:
    """The start of each file's letter names: its own name where that is safe and free,
    numbered where two files would share one (申請.xlsx and 申請.xlsm, a name that
    differs only in case, or only in characters Windows does not allow)."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for file in files:
        stem = safe_file_part(Path(file).stem, longest)
        candidate, number = stem, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{stem} ({number})"
        taken.add(candidate.casefold())
        stems[file] = candidate
    return stems


class ReturnHeading(NamedTuple):
    """What the 修正箇所 sheet says first: whose application and by when it is to come back."""
    organisation: str
    file: str
    request: str  # the 再提出期限 as the letter asks for it (resubmission_request)


class _Facts:
    """What letters may say about each file, looked up once per run."""

    def __init__(self, result: RoundResult) -> None:
        self.result = result
        ledger = result.ledger
        # a file staff excluded (a test mail, an attachment) gets no letter at all
        self.decisions = {file: decision for file, decision, code in zip(
            ledger["file"].tolist(), ledger["decision"].tolist(), ledger["reason_code"].tolist(),
            strict=True) if code != "staff_excluded"}
        self.hashes = dict(zip(ledger["file"].tolist(), ledger["sha256"].tolist(), strict=True))
        self.reasons = dict(zip(ledger["file"].tolist(), ledger["reason"].tolist(), strict=True))
        self.codes = dict(zip(ledger["file"].tolist(), ledger["reason_code"].tolist(), strict=True))
        columns = ["email", "contact_name", "org_name", "municipality"]
        self.records: dict[Any, dict[Any, Any]] = result.records[columns].to_dict("index")
        self.ranked: dict[Any, dict[Any, Any]] = result.ranked.set_index("file")[
            ["rank", "total", "decision", "reason_code", "municipality"]].to_dict("index")

    def tag(self, file: str) -> str:
        """What a 差戻し workbook's document property says it corrects: "<SHA-256> <file>"."""
        return f"{self.hashes[file]} {file}"

    def heading(self, file: str) -> ReturnHeading:
        settings = self.result.settings
        org_name = self.records.get(file, {}).get("org_name")
        return ReturnHeading(org_name if isinstance(org_name, str) else "", file,
                             resubmission_request(settings.resubmission_deadline,
                                                  self.result.run_at.date()))

    def values(self, file: str) -> dict[str, str]:
        """Every placeholder's value for one file, all plain text."""
        settings = self.result.settings
        record = self.records.get(file, {})
        application = self.ranked.get(file)

        def text(key: str, default: str = "") -> str:
            value = record.get(key)
            return value if isinstance(value, str) else default

        email = text("email")
        contact = text("contact_name", "ご担当者")
        org_name = text("org_name")
        return {
            "宛先": f"{contact} <{email}>" if email else _UNKNOWN_ADDRESS,
            "宛名": "\n".join(filter(None, (org_name, f"{contact} 様"))),
            "募集回": settings.name,
            "団体名": org_name or file,  # the file's name names an unreadable file's sender
            "担当者氏名": contact,
            "区市町村": text("municipality"),
            "ファイル名": file,
            "判定": str(self.decisions[file]),
            "理由": str(self.reasons[file]),
            "順位": f"{application['rank']}位" if application else "",
            "合計点": f"{shown_text(application['total'])}点" if application else "",
            "計画書": Path(self.result.plan_files.get(file, "")).name,
            "判定したファイル": self.result.superseded_by.get(file, ""),
            "選外の理由": _not_selected_reason(application, settings) if application else "",
            "事務局": settings.office.name,
            "事務局連絡先": settings.office.contact_block(),
        }


def _not_selected_reason(application: Mapping[str, Any], settings: RoundSettings) -> str:
    """Why an eligible application was not selected, in plain words."""
    if application["decision"] != NOT_SELECTED:
        return ""
    if application["reason_code"] == "same_municipality":
        return (f"同じ区市町村（{application['municipality']}）から、より順位の高い申請を"
                "選定いたしました。")
    return (f"審査の順位（{application['rank']}位）が、選定数（{settings.max_districts}件）に"
            "届きませんでした。")


# Once the 再提出期限 has passed, each problem's "再送してください" is how to fix it, not a request
_AFTER_DEADLINE = "（下記は直し方です。再提出期限を過ぎていますので、お送りいただく前に事務局までご連絡ください）"


def _problem_lines(found: pd.DataFrame, deadline: dt.date, today: dt.date) -> str:
    lines = [_AFTER_DEADLINE] if today > deadline else []
    for number, problem in enumerate(found.to_dict("records"), start=1):
        where = f"{problem['sheet']}シート {problem['cell']}" if problem["cell"] else "ファイル全体"
        lines.append(f"{number}. {where}（{problem['label']}）\n   {problem['message']}")
    return "\n".join(lines)


def _letter(values: Mapping[str, str], body: str, head: str = "") -> bytes:
    """A letter file's bytes: UTF-8 with Windows line ends, for Notepad and mail programs."""
    letter = f"{head}宛先: {values['宛先']}\n{body.rstrip()}\n"
    return letter.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def annotate(source: Path, target: Path, found: pd.DataFrame, tag: str = "",
             heading: ReturnHeading | None = None) -> bool:
    """The applicant's own workbook with every problem cell marked, and a first sheet
    listing the problems; ``tag`` (the original's SHA-256 and name) goes into a document
    property, so that the fixed form names what it corrects. False when openpyxl cannot open
    the original (the reader found it safe to: RoundResult.openable)."""
    try:
        workbook = openpyxl.load_workbook(source, keep_vba=False, keep_links=False)
        cached = openpyxl.load_workbook(source, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds for files calamine tolerated
        return False
    replaced = make_inert(workbook, cached)
    note = "" if not replaced else (
        "赤い色のセルを修正して、このファイルを再送してください。なお、次のセルの数式は安全のため値に"
        f"置き換えました。数式ではなく値を入力してください：{'、'.join(replaced[:20])}"
        + (f" ほか{len(replaced) - 20}か所" if len(replaced) > 20 else ""))
    _mark(workbook, found, tag, note=note, heading=heading)
    for name in (FORM_SHEET, GUIDE_SHEET):  # what was typed, and our guidance, print whole
        if name in workbook.sheetnames:
            fit_row_heights(workbook[name])
    save_openpyxl(workbook, target)
    return True


def fresh_copy(target: Path, record: Mapping[str, object], found: pd.DataFrame,
               settings: RoundSettings, tag: str = "",
               heading: ReturnHeading | None = None) -> None:
    """For a form we cannot edit in place (.xls, .ods) or could not open (a workbook of another
    format): a new blank form with the applicant's values, as far as they were read, copied in
    by label, the problem cells marked, and the same tag."""
    with tempfile.TemporaryDirectory() as folder:
        blank = Path(folder) / "blank.xlsx"
        write_form(blank, settings)
        workbook = openpyxl.load_workbook(blank)
    sheet = workbook[FORM_SHEET]
    inputs = _input_cells(sheet)
    typed = dict(zip(found["label"].tolist(), found["value"].tolist(), strict=True))
    for label, value in _values_by_label(record, typed).items():
        if label in inputs and value not in (None, ""):
            cell = sheet[inputs[label]]
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # applicant's text stays text
    cells = found["label"].map(inputs).fillna("")
    # a problem of the whole file (an unreadable one) stays the file's, not the fresh form's
    ours = found.assign(cell=cells, sheet=found["sheet"].where(cells == "", FORM_SHEET))
    _mark(workbook, ours, tag, note=_FRESH_COPY_NOTE if record else _FRESH_FORM_NOTE,
          heading=heading)
    fit_row_heights(sheet)
    save_openpyxl(workbook, target)


_FRESH_COPY_NOTE = ("お送りいただいたファイルにはそのまま印を付けられないため、ご記入の内容を"
                    "新しい申請用紙（.xlsx）に写して、赤い色のセルに印を付けました。このファイルを修正して"
                    "お送りください。")


_FRESH_FORM_NOTE = ("お送りいただいたファイルは申請用紙として開けなかったため、新しい申請用紙（.xlsx）を"
                    "お送りします。「申請書」シートの黄色のセルに記入して、このファイルをお送りください。")


def _values_by_label(record: Mapping[str, object], typed: Mapping[str, str]) -> dict[str, object]:
    """What to write in each input cell of a fresh form: as typed where it was a problem,
    otherwise the value read."""
    values: dict[str, object] = {}
    for spec in FIELDS:
        if spec.is_checklist:
            chosen = record.get(spec.key) or ()
            for item in spec.items:
                label = f"{spec.label}：{item}"
                values[label] = typed.get(label, "○" if item in chosen else None)  # type: ignore[operator]
        else:
            values[spec.label] = typed.get(spec.label, record.get(spec.key))
    return values


def _input_cells(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, str]:
    """Our blank form's input cell for each label (``見出し：項目`` for checklist items)."""
    found: dict[str, str] = {}
    heading = ""
    for row in sheet.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or isinstance(cell, MergedCell):
                continue
            text = cell.value
            beside = sheet.cell(cell.row, cell.column + 1).coordinate
            if text in _CHECKLIST_LABELS:
                heading = text
            elif heading and text in _CHECKLIST_LABELS.get(heading, ()):
                found.setdefault(f"{heading}：{text}", beside)
            if text in _FIELD_LABELS:
                found.setdefault(text, beside)
    return found


_FIELD_LABELS = frozenset(spec.label for spec in FIELDS)
_CHECKLIST_LABELS = {spec.label: spec.items for spec in FIELDS if spec.is_checklist}


def _mark(workbook: openpyxl.Workbook, found: pd.DataFrame, tag: str, note: str,
          heading: ReturnHeading | None = None) -> None:
    """A first sheet listing the problems, each problem cell in the strong mark colour with a
    comment saying how to fix it, and ``tag`` (the original's SHA-256 and name) in a document
    property."""
    summary = _summary_sheet(workbook, found, note=note, heading=heading)
    for problem in found.itertuples(index=False):
        if not problem.cell or problem.sheet not in workbook.sheetnames:
            continue
        cell = workbook[str(problem.sheet)][str(problem.cell)]
        if isinstance(cell, MergedCell):
            continue
        cell.fill = _MARK
        cell.font = Font(name=cell.font.name or FONT, size=cell.font.sz or 10, bold=True,
                         color="FFFFFF")
        comment = Comment(f"【修正してください】\n{problem.message}", "事務局")
        comment.width, comment.height = 320, 140
        cell.comment = comment
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = sheet is summary
    workbook.active = summary
    if tag:
        properties = workbook.custom_doc_props
        for old in [p for p in properties.props if p.name == CORRECTS_PROPERTY]:
            properties.props.remove(old)  # a correction of a correction names the newest
        properties.append(StringProperty(name=CORRECTS_PROPERTY, value=tag))


def problem_list_only(target: Path, file: str, found: pd.DataFrame,
                      heading: ReturnHeading | None = None) -> None:
    workbook = new_openpyxl_workbook()
    default = workbook.active
    _summary_sheet(workbook, found, heading=heading,
                   note=f"元のファイル（{file}）は申請用紙として開けなかったため、印を付けた申請用紙は"
                        "お送りできません。配布した申請用紙（Excel）に記入して再送してください。")
    if default is not None:
        workbook.remove(default)
    save_openpyxl(workbook, target)


# 修正箇所: five columns that print on A4 landscape at 100 % (10 pt)
_SUMMARY_COLUMNS = (("シート", 9), ("セル", 7), ("項目", 18), ("入力値", 20), ("修正内容", 50))


def _summary_sheet(workbook: openpyxl.Workbook, found: pd.DataFrame, note: str,
                   heading: ReturnHeading | None = None) -> Worksheet:
    """The 修正箇所 sheet: whose application, by when, a legend of the colours, then one row
    per problem with how to fix it (comments do not print) and a link to its cell."""
    sheet = workbook.create_sheet(SUMMARY_SHEET, 0)
    font = Font(name=FONT, size=10)
    bold = Font(name=FONT, size=10, bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    last = len(_SUMMARY_COLUMNS)
    for col, (_, width) in enumerate(_SUMMARY_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet["A1"] = "修正が必要な箇所"
    sheet["A1"].font = Font(name=FONT, size=14, bold=True)
    sheet.row_dimensions[1].height = 24
    note = note or "赤い色のセルを修正して、このファイルを再送してください。セルのコメントにも直し方があります。"
    organisation = heading.organisation if heading else ""
    facts = [(2, "", note)]
    if heading:
        facts += [(3, "団体名", f"{organisation or '（申請用紙から読み取れませんでした）'}"
                                f"（ファイル：{heading.file}）"),
                  (4, "再提出期限", heading.request)]
    for row, title, text in facts:
        first = 1 if not title else 2
        if title:
            label = sheet.cell(row, 1, title)
            label.font = bold
            label.alignment = wrap
        cell = sheet.cell(row, first, cell_text(text))
        cell.data_type = "s"  # applicant's text stays text
        cell.font = bold if title else font
        cell.alignment = wrap
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        width = sum(w for _, w in _SUMMARY_COLUMNS[first - 1:])
        sheet.row_dimensions[row].height = fitted_height([(text, width)])
    _legend(sheet, 5, font)
    for col, (title, _) in enumerate(_SUMMARY_COLUMNS, start=1):
        sheet.cell(SUMMARY_HEADER_ROW, col, title).font = bold
    columns = ["sheet", "cell", "label", "value", "message"]
    for row, values in enumerate(found[columns].itertuples(index=False),
                                 start=SUMMARY_HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row, col)
            cell.value = cell_text(str(value))
            cell.data_type = "s"  # applicant's text stays text
            cell.font = font
            cell.alignment = wrap
        target_sheet, address = str(values[0]), str(values[1])
        if address and target_sheet in workbook.sheetnames:
            # a link inside this workbook only (no relationship, nothing outside is opened)
            link = sheet.cell(row, 2)
            quoted = target_sheet.replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!{address}",
                                       display=address)
            link.font = Font(name=FONT, size=10, color="0563C1", underline="single")
        sheet.row_dimensions[row].height = fitted_height(
            (str(v), w) for v, (_, w) in zip(values, _SUMMARY_COLUMNS, strict=True))
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.print_title_rows = f"{SUMMARY_HEADER_ROW}:{SUMMARY_HEADER_ROW}"
    # the title on every page; "&" starts a code in a header, which holds 255 characters
    sheet.oddHeader.left.text = ("修正が必要な箇所" + (f"　{organisation[:100]}" if organisation
                                                    else "")).replace("&", "&&")
    sheet.oddHeader.left.size = 9
    sheet.oddFooter.center.text = "&P ページ"  # numbered within the sheet (xlsx.PAGE_FOOTER)
    sheet.page_setup.firstPageNumber = 1
    sheet.page_setup.useFirstPageNumber = True
    return sheet


def _legend(sheet: Worksheet, row: int, font: Font) -> None:
    """What the colours on the form mean, drawn with the colours themselves."""
    sheet.cell(row, 1, "凡例").font = Font(name=FONT, size=10, bold=True)
    marked = sheet.cell(row, 2, "赤")
    marked.fill = _MARK
    marked.font = Font(name=FONT, size=10, bold=True, color="FFFFFF")
    sheet.cell(row, 3, "修正が必要なセル").font = font
    entry = sheet.cell(row, 4, "黄")
    entry.fill = _INPUT
    entry.font = font
    sheet.cell(row, 5, "入力欄（赤いセル以外は直す必要はありません）").font = font
    sheet.row_dimensions[row].height = fitted_height([("凡例", 9)])
