"""Validate the normalised forms against :class:`ApplicationSchema`, all at once.

Every problem becomes one row (file, sheet, cell, label, value as typed,
Japanese message); nothing is dropped and nothing is reported twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field
from typing import cast

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DataFrame

from pipeline.core import domain, postal, problems, wording
from pipeline.core.formspec import CHECKLIST_FIELDS, FIELDS_BY_KEY, FIELDS_BY_LABEL, SCALAR_FIELDS
from pipeline.core.normalize import MonthOnly, ReadAs
from pipeline.core.notes import Note
from pipeline.core.record import field_problem, normalize_form
from pipeline.core.records import RawForm
from schemas.application import ApplicationSchema

# A failed schema check → (field it concerns, problem code). Checks not listed
# here are reported with the field's own "bad value" code.
_CHECK_PROBLEMS: dict[str, tuple[str | None, str]] = {
    "not_nullable": (None, "required"),
    "at_least_one_menu": ("menus", "no_menu"),
    "intermediary_function_given_when_other": ("intermediary_function",
                                               "function_required_for_other"),
    "menu_other_given_when_other": ("menu_other", "menu_other_required"),
}
_KIND_PROBLEM = {
    "date": "bad_date", "year_month": "bad_year_month", "months": "months_out_of_range",
    "postal_code": "bad_postal_code", "phone": "bad_phone", "email": "bad_email",
    "org_type": "bad_choice", "choice": "bad_choice", "municipality": "bad_municipality",
    "text": "bad_text", "long_text": "bad_text", "checklist": "bad_mark",
}


@dataclass(frozen=True)
class Validated:
    applications: pd.DataFrame  # ApplicationSchema, one row per clean form
    problems: pd.DataFrame  # problems.PROBLEM_COLUMNS, one row per problem
    records: pd.DataFrame  # every readable form as normalised (clean or not), by file
    inferred: dict[str, list[Note]] = field(default_factory=dict)  # file → what was read into a value

# An 申請日 further than this from the round's deadline is a typing mistake (2061/6/28).
_DATE_SLACK = dt.timedelta(days=365)


def validate_forms(forms: Iterable[RawForm], deadline: dt.date | None = None) -> Validated:
    """Every form against the schema. With the round's ``deadline``, a month typed without
    its year gets the round's (the first such month on or after the deadline's month), and an
    申請日 more than a year from the deadline is a problem."""
    rows: list[dict[str, object]] = []
    found: list[problems.Problem] = []
    by_file: dict[str, RawForm] = {}
    inferred: dict[str, list[Note]] = {}
    for form in forms:
        if not form.is_form:
            found.extend(form.problems)
            continue
        by_file[form.file] = form
        row, row_problems = form.normalized or normalize_form(form)
        row = _with_round(row, deadline or dt.date.today(), inferred)
        row, unclear = _read_as_meant(form, row, inferred)
        found.extend(unclear)
        if deadline is not None:
            found.extend(_outside_round(form, row, deadline))
        rows.append(row)
        found.extend(row_problems)
    columns = ["file", *(spec.key for spec in SCALAR_FIELDS),
               *(spec.key for spec in CHECKLIST_FIELDS)]
    records = pd.DataFrame(rows, columns=columns).set_index("file", drop=False)
    records.index.name = None
    checked: pd.DataFrame | None = None
    try:
        checked = ApplicationSchema.validate(records, lazy=True)
    except pa.errors.SchemaErrors as errors:
        found.extend(_schema_problems(errors.failure_cases, by_file))
    problem_frame = _problem_frame(found)
    if deadline is not None:
        problem_frame = _with_round_examples(problem_frame, wording.form_examples(deadline))
    if checked is None:  # the rows left once those with problems are out, checked again
        clean = records[~records["file"].isin(problem_frame["file"])]
        applications = ApplicationSchema.validate(clean.reset_index(drop=True))
    else:  # every row passed: so do those left (a second validation cost 0.2 s)
        applications = cast(DataFrame[ApplicationSchema], checked[
            ~checked["file"].isin(problem_frame["file"])].reset_index(drop=True))
    return Validated(applications, problem_frame, records, inferred)


def _with_round(row: dict[str, object], deadline: dt.date,
                inferred: dict[str, list[Note]]) -> dict[str, object]:
    month = row.get("start_month")
    if not isinstance(month, MonthOnly):
        return row
    year = deadline.year if month.month >= deadline.month else deadline.year + 1
    _infer(inferred, row, Note.of("start_month_year_read", year=year, month=month.month))
    return row | {"start_month": dt.date(year, month.month, 1)}


def _infer(inferred: dict[str, list[Note]], row: dict[str, object], note: Note) -> None:
    file = str(row["file"])
    inferred.setdefault(file, []).append(note)


# The fields whose normaliser may read a value as plainly meant (normalize.ReadAs).
_READ_AS_MEANT = ("org_type", "municipality")


def _read_as_meant(form: RawForm, row: dict[str, object], inferred: dict[str, list[Note]]
                   ) -> tuple[dict[str, object], list[problems.Problem]]:
    """Values read as the applicant plainly meant (:class:`ReadAs`) take that value, and the row
    says what was written. A 区市町村 that is neither one of the 62, nor plainly one, nor plainly
    outside Tokyo (which eligibility refuses) is a problem at its cell: never 不適格 for a slip."""
    found = []
    municipality = row.get("municipality")
    if isinstance(municipality, ReadAs) and _named_elsewhere(municipality, row):
        row = row | {"municipality": municipality.written}
    elif (isinstance(municipality, str) and municipality not in domain.MUNICIPALITY_AREA
          and not postal.outside_tokyo(municipality)):
        row = row | {"municipality": None}
        found.append(field_problem(form, FIELDS_BY_KEY["municipality"], "unclear_municipality"))
    readings = {key: value for key in _READ_AS_MEANT
                if isinstance(value := row.get(key), ReadAs)}
    for key, reading in readings.items():
        _infer(inferred, row, Note.of("read_as_meant", label=FIELDS_BY_KEY[key].label,
                                      written=reading.written, value=reading.value))
    return row | {key: reading.value for key, reading in readings.items()}, found


def _named_elsewhere(reading: ReadAs, row: dict[str, object]) -> bool:
    """A 区市町村 read as one of the 62 whose name another prefecture has too (府中市: 広島県) is
    Tokyo's unless nothing written says 東京 and the 郵便番号 or 所在地 is in that prefecture."""
    others = postal.prefectures_named(reading.value) - {postal.TOKYO}
    code, address = row.get("postal_code"), row.get("address")
    if not others or "東京" in reading.written:
        return False
    by_code = postal.lookup(code) if isinstance(code, str) else None
    if by_code is not None and by_code.in_tokyo:
        return False
    by_address = postal.address_place(address) if isinstance(address, str) else None
    return any(place is not None and place.prefecture in others for place in (by_code, by_address))


def _outside_round(form: RawForm, row: dict[str, object],
                   deadline: dt.date) -> list[problems.Problem]:
    day = row.get("application_date")
    if isinstance(day, dt.date) and abs(day - deadline) > _DATE_SLACK:
        extra = f"締切は{deadline.year}年{deadline.month}月{deadline.day}日"
        return [field_problem(form, FIELDS_BY_KEY["application_date"], "date_out_of_round",
                              extra=extra, examples=wording.form_examples(deadline))]
    return []


def _with_round_examples(frame: pd.DataFrame, examples: dict[str, str]) -> pd.DataFrame:
    """The forms were read before the round was known, so their messages gave the seed round's
    examples (2016/6/28): the messages that give examples are written again with this round's,
    from the row itself (what letters, 差戻し and 入力エラー show)."""
    again = frame["code"].isin(problems.ROUND_EXAMPLE_KINDS)
    if not again.any():
        return frame
    rows = frame[again]
    messages = [problems.describe(code, label=label, value=value, examples=examples,
                                  guide=_guide(label, examples))
                for code, label, value in zip(rows["code"], rows["label"], rows["value"],
                                              strict=True)]
    return frame.assign(message=frame["message"].mask(again, pd.Series(messages, rows.index)))


def _guide(label: str, examples: dict[str, str]) -> str:
    spec = FIELDS_BY_LABEL.get(label)
    return spec.guide_for(examples) if spec else ""


def prepare() -> None:
    """Do now what the first validation would do anyway, for a caller with time to spare:
    pandera loads its checks (and hypothesis, where installed) on first use."""
    ApplicationSchema.validate(pd.DataFrame(columns=list(ApplicationSchema.to_schema().columns)))


def _schema_problems(failure_cases: pd.DataFrame,
                     forms: dict[str, RawForm]) -> list[problems.Problem]:
    found = []
    for case in failure_cases.itertuples(index=False):
        check = str(case.check)
        column, code = _CHECK_PROBLEMS.get(check, (None, None))
        key = column or str(case.column)
        spec = FIELDS_BY_KEY.get(key)
        if spec is None or case.index is None or case.index not in forms:
            continue  # "file" itself cannot fail: it is the file's name
        found.append(field_problem(forms[str(case.index)], spec,
                                   code or _KIND_PROBLEM[spec.kind]))
    return found


def _problem_frame(found: list[problems.Problem]) -> pd.DataFrame:
    """One row per problem (:func:`problems.in_order`)."""
    return pd.DataFrame([astuple(problem) for problem in problems.in_order(found)],
                        columns=list(problems.PROBLEM_COLUMNS), dtype=object)
