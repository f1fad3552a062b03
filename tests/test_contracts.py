"""The contracts declared in two places agree: the form's fields (formspec) and the schema of
a validated application; every problem code has a message."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.core import problems, support
from pipeline.core import settings as round_settings
from pipeline.core.formspec import FIELDS
from pipeline.stage2_decide import score, select
from schemas.application import ApplicationSchema

ROOT = Path(__file__).resolve().parents[1]
# Required only when another answer asks for them (checked by the schema's dataframe checks).
CONDITIONAL = {"intermediary_function", "menu_other"}


def test_schema_has_one_column_per_form_field() -> None:
    columns = list(ApplicationSchema.to_schema().columns)
    assert sorted(columns) == sorted(["file", *(spec.key for spec in FIELDS)])


def test_schema_allows_empty_exactly_where_the_form_does_not_require_a_value() -> None:
    schema = ApplicationSchema.to_schema()
    for spec in FIELDS:
        # a checklist is a tuple of the items marked yes: never empty, possibly ()
        optional = not spec.is_checklist and (not spec.required or spec.key in CONDITIONAL)
        assert schema.columns[spec.key].nullable == optional, spec.key


def test_choices_in_the_schema_are_the_form_choices() -> None:
    schema = ApplicationSchema.to_schema()
    for spec in FIELDS:
        if spec.kind != "choice" or not spec.choices:
            continue
        allowed = next((check.statistics["allowed_values"] for check in schema.columns[spec.key].checks
                        if "allowed_values" in check.statistics), None)
        assert allowed is not None and set(allowed) == set(spec.choices), spec.key


def test_every_problem_code_the_pipeline_uses_has_a_kind_with_a_message() -> None:
    source = "\n".join(path.read_text(encoding="utf-8")
                       for path in (ROOT / "pipeline").rglob("*.py"))
    used = set(re.findall(r'(?:describe|Invalid)\(\s*"([a-z_]+)"', source))
    used |= set(re.findall(r'"(missing_score|bad_score|unknown_application|'
                           r'not_a_form|not_recognised|wrong_version)"', source))
    # what the checks before any parser return (a code each)
    sniff = (ROOT / "pipeline" / "stage1_read" / "sniff.py").read_text(encoding="utf-8")
    returned = set(re.findall(r'(?:return|[A-Z_]+ =) "([a-z_]+)"', sniff))
    assert {"pdf", "damaged", "hostile", "encrypted"} <= returned
    used |= returned | {"crashed", "no_review_sheet", "review_unreadable", "other_review_sheet"}
    for code in sorted(used):
        assert code in problems.KINDS or code in support.KINDS, code
        assert support.describe(code, label="項目", value="値", extra="詳細")


def test_every_rule_and_tie_break_round_toml_may_name_is_implemented() -> None:
    assert set(score.AUTO_RULES) == set(round_settings.AUTO_RULES)
    assert set(select.TIE_BREAK_ORDER) == set(round_settings.TIE_BREAKS)
