"""The application record: one row per readable form, after normalisation."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core import domain

_PHONE = r"^\d[\d-]*\d(?: .+)?$"  # the number, then what was written after it


class ApplicationSchema(pa.DataFrameModel):
    """A complete, well-formed application (the form contract in docs/DOMAIN.md)."""

    file: Series[str] = pa.Field(unique=True)
    application_date: Series[pa.DateTime]
    # A type outside the four is an eligibility rule (不適格), not an input error.
    org_type: Series[str]
    org_name: Series[str] = pa.Field(str_length={"min_value": 1})
    representative: Series[str]
    # Membership in the 62 is an eligibility rule, not an input error.
    municipality: Series[str]
    postal_code: Series[str] = pa.Field(str_matches=r"^\d{3}-\d{4}$")
    address: Series[str]
    department: Series[str]
    contact_name: Series[str]
    phone: Series[str] = pa.Field(str_matches=_PHONE)
    email: Series[str] = pa.Field(str_contains="@")
    intermediary_function: Series[str] = pa.Field(nullable=True)
    challenge_category: Series[str] = pa.Field(isin=list(domain.CHALLENGE_CATEGORIES))
    challenge_detail: Series[str]
    current_activities: Series[str]
    partners: Series[str] = pa.Field(nullable=True)
    goals: Series[str]
    menus: Series[object]
    menu_other: Series[str] = pa.Field(nullable=True)
    start_month: Series[pa.DateTime]
    duration_months: Series[pd.Int64Dtype] = pa.Field(in_range={"min_value": 4, "max_value": 8})
    commitments: Series[object]
    pre_consultation: Series[str] = pa.Field(isin=list(domain.YES_NO))
    mailed_materials: Series[str] = pa.Field(nullable=True, isin=list(domain.YES_NO))

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
        strict = True
        coerce = True
        name = "ApplicationSchema"
