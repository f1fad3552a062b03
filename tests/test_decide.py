"""decide() on its own: a few records built in memory → every file's 判定, with no file
opened and no process started (the reading stage's part is in tests/test_workers.py)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from pipeline.core import problems
from pipeline.core.formspec import CHECKLIST_FIELDS, LABEL_ROWS, SCALAR_FIELDS, item_key
from pipeline.core.notes import Note
from pipeline.core.records import (
    NO_REGISTER,
    InboxFile,
    InboxScan,
    RawCell,
    RawForm,
    Register,
)
from pipeline.core.result import RoundResult
from pipeline.core.settings import JST, RoundSettings
from pipeline.stage2_decide.decide import decide
from schemas.selection import DUPLICATE, NEEDS_FIX, NOT_SELECTED, SELECTED, UNREADABLE
from tests.formfactory import VALID, VALID_MARKS

AFTER_ALL_DEADLINES = dt.datetime(2016, 7, 20, 10, 0, tzinfo=JST)


def raw_form(file: str, **by_label: Any) -> RawForm:
    """A 申請書 as stage 1 hands it over: the careful applicant's answers (tests.formfactory),
    with ``by_label`` typed over them, each in column B beside its label."""
    answers = {**VALID, **VALID_MARKS, **by_label}
    cells: dict[str, RawCell] = {}
    labels: dict[str, str] = {}
    for spec in SCALAR_FIELDS:
        row = LABEL_ROWS[spec.key] + 1
        labels[spec.key] = f"A{row}"
        cells[spec.key] = RawCell(answers.get(spec.label), f"B{row}")
    for spec in CHECKLIST_FIELDS:
        labels[spec.key] = f"A{LABEL_ROWS[spec.key] + 1}"
        for item in spec.items:
            key = item_key(spec, item)
            labels[key] = f"A{LABEL_ROWS[key] + 1}"
            cells[key] = RawCell(answers.get(item), f"B{LABEL_ROWS[key] + 1}")
    return RawForm(file, cells, sha256=f"{abs(hash(file)):064x}"[-64:], label_addresses=labels)


def not_a_form(file: str) -> RawForm:
    problem = problems.Problem(file, "", "", "", "", "not_a_form", problems.describe("not_a_form"))
    return RawForm(file, sha256=f"{abs(hash(file)):064x}"[-64:], problems=[problem])


def decided(forms: list[RawForm], settings: RoundSettings,
            run_at: dt.datetime = AFTER_ALL_DEADLINES) -> RoundResult:
    scan = InboxScan(tuple(InboxFile(f.file, Path(f.file)) for f in forms), (), (), ())
    return decide(scan, NO_REGISTER, [], forms, settings, run_at)


def verdicts(result: RoundResult) -> dict[str, tuple[str, str]]:
    ledger = result.ledger.set_index("file")
    return {str(f): (str(row["decision"]), str(row["reason_code"])) for f, row in ledger.iterrows()}


def test_applications_from_two_municipalities_are_ranked(settings: RoundSettings) -> None:
    forms = [raw_form("練馬.xlsx", 団体名="練馬区社会福祉協議会", 区市町村="練馬区",
                      郵便番号="176-0012", 所在地="東京都練馬区豊玉北6-12-1"),
             raw_form("府中.xlsx", 団体名="府中市社会福祉協議会", 区市町村="府中市",
                      郵便番号="183-0055", 所在地="東京都府中市府中町2-25")]
    result = decided(forms, settings)
    assert {decision for decision, _ in verdicts(result).values()} <= {SELECTED, NOT_SELECTED}
    assert sorted(result.ranked["file"]) == ["府中.xlsx", "練馬.xlsx"]
    assert set(result.problems["file"]) == set()


def test_a_form_with_a_bad_cell_is_sent_back_and_a_stranger_file_is_unreadable(
        settings: RoundSettings) -> None:
    while_corrections_may_come = settings.deadline + dt.timedelta(days=2)
    forms = [raw_form("誤記.xlsx", メールアドレス="返信先なし"), not_a_form("写真.xlsx")]
    result = decided(forms, settings, while_corrections_may_come)
    assert verdicts(result) == {"誤記.xlsx": (NEEDS_FIX, "input_problems"),
                                "写真.xlsx": (UNREADABLE, "not_a_form")}
    bad = result.problems[result.problems["file"] == "誤記.xlsx"]
    assert bad["code"].tolist() == ["bad_email"]
    assert bad["cell"].tolist() == [f"B{LABEL_ROWS['email'] + 1}"]
    # after the 再提出期限 a form never corrected has its final outcome
    assert {code for _, code in verdicts(decided(forms, settings)).values()} == {
        "missed_resubmission"}


def test_two_files_with_the_same_bytes_are_one_submission(settings: RoundSettings) -> None:
    first = raw_form("調布.xlsx", 団体名="調布市社会福祉協議会", 区市町村="調布市",
                     郵便番号="182-0026", 所在地="東京都調布市小島町2-47-1")
    copy_of_it = copy.deepcopy(first)
    copy_of_it.file = "調布 (1).xlsx"
    result = decided([first, copy_of_it], settings)
    assert verdicts(result)["調布 (1).xlsx"] == (DUPLICATE, "same_content")
    assert result.superseded_by == {"調布 (1).xlsx": "調布.xlsx"}


def test_before_the_deadline_the_ranking_is_provisional(settings: RoundSettings) -> None:
    early = settings.deadline - dt.timedelta(days=3)
    result = decided([raw_form("港.xlsx", 団体名="港区社会福祉協議会", 区市町村="港区",
                               郵便番号="105-0014", 所在地="東京都港区芝1-8-23",
                               申請日="2016/6/25")], settings, early)
    assert result.provisional


def test_decide_changes_none_of_its_arguments(settings: RoundSettings) -> None:
    forms = [raw_form("北.xlsx", 団体名="北区社会福祉協議会", 区市町村="北区",
                      郵便番号="114-0022", 所在地="東京都北区王子本町1-2-11"), not_a_form("表.xlsx")]
    before = copy.deepcopy(forms)
    decided(forms, settings)
    assert forms == before


def test_an_unusable_register_keeps_the_ranking_provisional_saying_why(
        settings: RoundSettings) -> None:
    forms = [raw_form("清瀬.xlsx", 団体名="清瀬市社会福祉協議会", 区市町村="清瀬市",
                      郵便番号="204-0021", 所在地="東京都清瀬市元町1-6-6")]
    names = ("受付簿.xlsx", "受付簿（古）.xlsx")
    register = Register("、".join(names), problem=Note.of("registers_many", count=2, files=names))
    scan = InboxScan(tuple(InboxFile(f.file, Path(f.file)) for f in forms), (), (), ())
    result = decide(scan, register, [], forms, settings, AFTER_ALL_DEADLINES)
    unusable = [n for n in result.provisional_notes if n.code == "register_unusable"]
    assert [n.fields["problem"] for n in unusable] == [register.problem]
    assert result.register_notes[0] == register.problem

