"""One form as a record: its fields normalised, with the problems met on the way.

This is the half of validation done per form, in the worker processes that read the
forms (:mod:`pipeline.stage1_read.workers`), or in the deciding stage for a form read in-process; it needs no pandas, so those processes start light.
:mod:`pipeline.stage2_decide.validate` checks the records together against the schema.
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.core import postal, problems
from pipeline.core.formspec import (
    CHECKLIST_FIELDS,
    LABEL_ROWS,
    SCALAR_FIELDS,
    FieldSpec,
    item_key,
)
from pipeline.core.normalize import Invalid, display, normalize_field, parse_mark
from pipeline.core.records import RawForm
from pipeline.core.wording import SEED_EXAMPLES


def normalize_form(form: RawForm) -> tuple[dict[str, object], list[problems.Problem]]:
    """One form's normalised values, and the problems met on the way."""
    row: dict[str, object] = {"file": form.file}
    found: list[problems.Problem] = list(form.form_problems)
    for spec in SCALAR_FIELDS:
        if spec.key not in form.label_addresses:
            found.append(field_problem(form, spec, "label_missing"))
            row[spec.key] = None
            continue
        cell = form.cells[spec.key]
        if cell.address in form.formulas:  # its value is computed, not what was meant
            found.append(field_problem(form, spec, "formula"))
            row[spec.key] = None
            continue
        value = normalize_field(spec, cell.value)
        if spec.kind == "postal_code" and isinstance(value, str) and postal.lookup(value) is None:
            value = Invalid("unknown_postal_code")
        if isinstance(value, Invalid):
            found.append(field_problem(form, spec, value.code, extra=value.extra))
            value = None
        row[spec.key] = value
    for spec in CHECKLIST_FIELDS:
        chosen: list[str] = []
        row[spec.key] = ()
        if spec.key not in form.label_addresses:
            found.append(field_problem(form, spec, "label_missing"))
            continue
        for item in spec.items:
            key = item_key(spec, item)
            if key not in form.cells:
                found.append(field_problem(form, spec, "label_missing", item=item))
                continue
            if form.cells[key].address in form.formulas:
                found.append(field_problem(form, spec, "formula", item=item))
                continue
            mark = parse_mark(form.cells[key].value)
            if isinstance(mark, Invalid):
                found.append(field_problem(form, spec, mark.code, item=item))
            elif mark:
                chosen.append(item)
        row[spec.key] = tuple(chosen)
    return row, found


def field_problem(form: RawForm, spec: FieldSpec, code: str, *, item: str | None = None,
                  extra: str = "", examples: Mapping[str, str] = SEED_EXAMPLES
                  ) -> problems.Problem:
    """A problem with one field (or one checklist item) of a form, its message giving
    ``examples`` (the seed round's, until validation knows the round)."""
    key = item_key(spec, item) if item else spec.key
    label = f"{spec.label}：{item}" if item else spec.label
    if code == "label_missing":
        expected = f"A{LABEL_ROWS[key] + 1}"
        return problems.Problem(form.file, form.sheet, "", label, "", code,
                                problems.describe(code, label=item or spec.label, extra=expected))
    cell = form.cells.get(key)
    typed = display(cell.value) if cell else ""
    if cell is None and spec.is_checklist:  # point at the first mark cell to fill in
        cell = next((form.cells[k] for i in spec.items if (k := item_key(spec, i)) in form.cells),
                    None)
    address = cell.address if cell else form.label_addresses.get(key, "")
    message = problems.describe(code, label=label, value=typed, guide=spec.guide_for(examples),
                                extra=extra, examples=examples)
    return problems.Problem(form.file, form.sheet, address, label, typed, code, message)
