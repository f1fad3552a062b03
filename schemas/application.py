"""The application record: one row per readable form, after normalisation.

Its columns are derived from the form's contract (:data:`pipeline.core.formspec.FIELDS`): one
column per field, typed and checked by the field's kind, empty allowed where the field is not
required. A field added to the form is a column here without another edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd
import pandera.pandas as pa
from pandera.api.base.model import MetaModel
from pandera.typing import Series

from pipeline.core import domain
from pipeline.core.formspec import FIELDS, FieldSpec

_PHONE = r"^\d[\d-]*\d(?: .+)?$"  # the number, then what was written after it
_LOW, _HIGH = domain.DURATION_MONTHS


def _column(spec: FieldSpec) -> tuple[Any, dict[str, Any]]:
    """The column type and checks of a field's kind. A type outside the four and a
    municipality outside the 62 are eligibility rules (不適格), not input errors."""
    match spec.kind:
        case "date" | "year_month":
            return pa.DateTime, {}
        case "months":
            return pd.Int64Dtype, {"in_range": {"min_value": _LOW, "max_value": _HIGH}}
        case "postal_code":
            return str, {"str_matches": r"^\d{3}-\d{4}$"}
        case "phone":
            return str, {"str_matches": _PHONE}
        case "email":
            return str, {"str_contains": "@"}
        case "choice":
            return str, {"isin": list(spec.choices)}
        case "checklist":  # a tuple of the items marked yes, possibly ()
            return object, {}
    return str, {}  # text, long_text, org_type, municipality


def form_columns(fields: Iterable[FieldSpec]) -> dict[str, Any]:
    """A DataFrameModel's namespace (annotations and fields): ``file``, then one column per
    field."""
    annotations: dict[str, Any] = {"file": Series[str]}
    namespace: dict[str, Any] = {"__annotations__": annotations, "file": pa.Field(unique=True)}
    for spec in fields:
        dtype, checks = _column(spec)
        annotations[spec.key] = Series[dtype]  # type: ignore[valid-type]
        namespace[spec.key] = pa.Field(nullable=not (spec.required or spec.is_checklist),
                                       **checks)
    return namespace


class Contract(pa.DataFrameModel):
    """The base of every contract: no column but those declared, each coerced to its type
    (pandera merges each model's Config with its bases' when they are models: a Config class
    inheriting from a plain class would lose these)."""

    class Config:
        strict = True
        coerce = True


if TYPE_CHECKING:
    class _Columns(MetaModel):
        def __getattr__(cls, name: str) -> str:
            """What pandera gives for a column: its name (mypy cannot see derived columns)."""

    class _FormColumns(Contract, metaclass=_Columns):
        pass
else:
    _FormColumns = type("_FormColumns", (Contract,), form_columns(FIELDS))


class ApplicationSchema(_FormColumns):
    """A complete, well-formed application (the form contract in docs/DOMAIN.md)."""

    @pa.check("menus", name="at_least_one_menu")
    def at_least_one_menu(cls, menus: Series[object]) -> Series[bool]:
        return menus.map(lambda chosen: len(chosen) > 0)  # type: ignore[return-value]

    # The cross-field checks below handle empty cells themselves (ignore_na=False also spares
    # pandera a scan of every column for all-empty rows).
    @pa.dataframe_check(name="intermediary_function_given_when_other", ignore_na=False)
    def intermediary_function_given_when_other(cls, df: pd.DataFrame) -> Series[bool]:
        other = df["org_type"] == domain.ORG_TYPES["other"]
        return ~other | df["intermediary_function"].notna()  # type: ignore[return-value]

    @pa.dataframe_check(name="menu_other_given_when_other", ignore_na=False)
    def menu_other_given_when_other(cls, df: pd.DataFrame) -> Series[bool]:
        chose_other = df["menus"].map(lambda chosen: domain.MENU_OTHER in chosen)
        return ~chose_other | df["menu_other"].notna()  # type: ignore[return-value]

    class Config:
        name = "ApplicationSchema"
