"""Normalise raw forms and validate them against :class:`ApplicationSchema`.

Every problem becomes one row (file, sheet, cell, label, value as typed,
Japanese message); nothing is dropped and nothing is reported twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, dataclass

import pandas as pd
import pandera.pandas as pa

from pipeline import problems
from pipeline.formspec import (
    CHECKLIST_FIELDS,
    FIELDS_BY_KEY,
    FORM_SHEET,
    SCALAR_FIELDS,
    FieldSpec,
    item_key,
)
from pipeline.intake import RawForm
from pipeline.normalize import Invalid, display, normalize_field, parse_mark
from schemas.application import ApplicationSchema

PROBLEM_COLUMNS = ["file", "sheet", "cell", "label", "value", "code", "message"]

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
    problems: pd.DataFrame  # PROBLEM_COLUMNS, one row per problem
    records: pd.DataFrame  # every readable form as normalised (clean or not), by file


def validate_forms(forms: Iterable[RawForm]) -> Validated:
    rows: list[dict[str, object]] = []
    found: list[problems.Problem] = []
    by_file: dict[str, RawForm] = {}
    for form in forms:
        if not form.is_form:
            found.extend(form.problems)
            continue
        by_file[form.file] = form
        row, row_problems = form.normalized or normalize_form(form)
        rows.append(row)
        found.extend(row_problems)
    columns = ["file", *(spec.key for spec in SCALAR_FIELDS),
               *(spec.key for spec in CHECKLIST_FIELDS)]
    records = pd.DataFrame(rows, columns=columns).set_index("file", drop=False)
    records.index.name = None
    try:
        ApplicationSchema.validate(records, lazy=True)
    except pa.errors.SchemaErrors as errors:
        found.extend(_schema_problems(errors.failure_cases, by_file))
    problem_frame = _problem_frame(found)
    clean = records[~records["file"].isin(problem_frame["file"])]
    applications = ApplicationSchema.validate(clean.reset_index(drop=True))
    return Validated(applications, problem_frame, records)


def normalize_form(form: RawForm) -> tuple[dict[str, object], list[problems.Problem]]:
    """One form's normalised values, and the problems met on the way."""
    row: dict[str, object] = {"file": form.file}
    found: list[problems.Problem] = []
    for spec in SCALAR_FIELDS:
        if spec.key not in form.label_addresses:
            found.append(_problem(form, spec, "label_missing"))
            row[spec.key] = None
            continue
        cell = form.cells[spec.key]
        value = normalize_field(spec, cell.value)
        if isinstance(value, Invalid):
            found.append(_problem(form, spec, value.code, extra=value.extra))
            value = None
        row[spec.key] = value
    for spec in CHECKLIST_FIELDS:
        chosen: list[str] = []
        row[spec.key] = ()
        if spec.key not in form.label_addresses:
            found.append(_problem(form, spec, "label_missing"))
            continue
        for item in spec.items:
            key = item_key(spec, item)
            if key not in form.cells:
                found.append(_problem(form, spec, "label_missing", item=item))
                continue
            mark = parse_mark(form.cells[key].value)
            if isinstance(mark, Invalid):
                found.append(_problem(form, spec, mark.code, item=item))
            elif mark:
                chosen.append(item)
        row[spec.key] = tuple(chosen)
    return row, found


def _problem(form: RawForm, spec: FieldSpec, code: str, *, item: str | None = None,
             extra: str = "") -> problems.Problem:
    """A problem with one field (or one checklist item) of a form."""
    key = item_key(spec, item) if item else spec.key
    label = f"{spec.label}：{item}" if item else spec.label
    if code == "label_missing":
        return problems.Problem(form.file, FORM_SHEET, "", label, "", code,
                                problems.describe(code, label=item or spec.label))
    cell = form.cells.get(key)
    typed = display(cell.value) if cell else ""
    if cell is None and spec.is_checklist:  # point at the first mark cell to fill in
        cell = next((form.cells[k] for i in spec.items if (k := item_key(spec, i)) in form.cells),
                    None)
    address = cell.address if cell else form.label_addresses.get(key, "")
    message = problems.describe(code, label=label, value=typed, guide=spec.guide, extra=extra)
    return problems.Problem(form.file, FORM_SHEET, address, label, typed, code, message)


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
        found.append(_problem(forms[str(case.index)], spec, code or _KIND_PROBLEM[spec.kind]))
    return found


def _problem_frame(found: list[problems.Problem]) -> pd.DataFrame:
    """One row per problem: the first report of a field wins, so a value the
    normaliser could not read is not reported again as missing."""
    seen: set[tuple[str, str]] = set()
    rows = []
    file_order = {file: n for n, file in enumerate(dict.fromkeys(p.file for p in found))}
    for problem in sorted(found, key=lambda p: (file_order[p.file], _row_number(p.cell))):
        key = (problem.file, problem.label)
        if key in seen:
            continue
        seen.add(key)
        rows.append(astuple(problem))
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS, dtype=object)


def _row_number(address: str) -> int:
    digits = "".join(ch for ch in address if ch.isdigit())
    return int(digits) if digits else 0
