"""The contracts: the schema of a validated application is derived from the form's fields
(formspec); every problem code has a message."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from pipeline.core import problems, support
from pipeline.core import settings as round_settings
from pipeline.core.formspec import FIELDS, FieldSpec
from pipeline.core.problems import Problem
from pipeline.stage2_decide import eligibility, score, select
from schemas.application import ApplicationSchema, form_columns
from schemas.selection import ELIGIBILITY_RULES, IneligibleSchema, LedgerSchema, ProblemSchema

ROOT = Path(__file__).resolve().parents[1]


def _model(fields: tuple[FieldSpec, ...]) -> pa.DataFrameSchema:
    model: type[pa.DataFrameModel] = type("Derived", (pa.DataFrameModel,), form_columns(fields))
    return model.to_schema()


def test_the_application_schema_is_derived_from_the_form_fields() -> None:
    extra = (FieldSpec("budget_band", "予算規模", "choice", True, "", ("小", "中", "大")),
             FieldSpec("website", "ウェブサイト", "text", False, ""),
             FieldSpec("visits", "訪問先", "checklist", False, "", items=("区役所", "社協")))
    schema = _model((*FIELDS, *extra))
    assert list(schema.columns) == ["file", *(spec.key for spec in (*FIELDS, *extra))]
    assert not schema.columns["budget_band"].nullable
    assert schema.columns["website"].nullable and not schema.columns["visits"].nullable
    frame = pd.DataFrame({"file": ["a.xlsx", "b.xlsx"], "budget_band": ["中", "特大"],
                          "website": [None, "https://example.jp"], "visits": [(), ("社協",)]})
    with pytest.raises(pa.errors.SchemaErrors) as failed:
        _model(extra).validate(frame, lazy=True)
    cases = failed.value.failure_cases
    assert cases[["column", "failure_case"]].values.tolist() == [["budget_band", "特大"]]


def test_the_application_schema_is_the_form_fields_with_the_cross_field_checks() -> None:
    schema = ApplicationSchema.to_schema()
    assert list(schema.columns) == list(_model(FIELDS).columns)
    assert {check.name for check in schema.checks} == {
        "intermediary_function_given_when_other", "menu_other_given_when_other"}


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


def _ledger_row(**change: object) -> pd.DataFrame:
    row = {"file": "a.xlsx", "sha256": "0" * 64, "received_at": None, "received_basis": "受付簿",
           "org_name": "団体", "decision": "選定", "reason": "1位", "reason_code": "selected",
           "staff_note": ""}
    return pd.DataFrame([{**row, **change}])


@pytest.mark.parametrize("code", ["selected", "received_by_deadline", "pdf", "staff_excluded"])
def test_the_ledger_takes_the_declared_reason_codes(code: str) -> None:
    LedgerSchema.validate(_ledger_row(reason_code=code))


@pytest.mark.parametrize(("schema", "frame"), [
    (LedgerSchema, _ledger_row(reason_code="selectd")),
    (IneligibleSchema, pd.DataFrame([{"file": "a.xlsx", "org_name": None,
                                      "rule": "in_tokyo", "reason": "都外です。"}])),
])
def test_a_code_nobody_declared_is_refused(schema: type[pa.DataFrameModel],
                                           frame: pd.DataFrame) -> None:
    with pytest.raises(pa.errors.SchemaError, match="isin"):
        schema.validate(frame)


def _contracts() -> list[type[pa.DataFrameModel]]:
    import schemas.application
    import schemas.selection
    import schemas.support

    return [model for module in (schemas.application, schemas.selection, schemas.support)
            for name, model in vars(module).items()
            if name.endswith("Schema") and isinstance(model, type) and issubclass(model, pa.DataFrameModel)]


@pytest.mark.parametrize("model", _contracts(), ids=lambda model: model.__name__)
def test_every_contract_refuses_undeclared_columns_and_coerces(model: type[pa.DataFrameModel]) -> None:
    schema = model.to_schema()
    assert (schema.name, schema.strict, schema.coerce) == (model.__name__, True, True)
    with pytest.raises((pa.errors.SchemaError, pa.errors.SchemaErrors),
                       match="column 'undeclared' not in DataFrameSchema"):
        model.validate(pd.DataFrame({"undeclared": []}))


def test_every_eligibility_rule_is_declared_and_problem_columns_are_the_problem_fields() -> None:
    assert [rule.key for rule in eligibility.RULES] == list(ELIGIBILITY_RULES)
    assert list(ProblemSchema.to_schema().columns) == [f.name for f in dataclasses.fields(Problem)]


def test_output_file_names_are_spelt_in_one_module() -> None:
    spelt = re.compile(r"""["'](?:選定結果|審査票|申請一覧|申請用紙)\.xlsx["']|["']\.bansou-manifest\.json["']""")
    places = [path.relative_to(ROOT).as_posix() for path in (ROOT / "pipeline").rglob("*.py")
              if spelt.search(path.read_text(encoding="utf-8"))]
    assert places == ["pipeline/core/names.py"]
