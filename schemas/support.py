"""Schemas of the support year: what stage 2 decides from the returned plans and logs, and
what 進捗.xlsx and 成果報告.xlsx are written from. Every number traces to a file and a row."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core import problems, support
from schemas.application import Contract

KPI_STATUSES = ("達成", "未達", "未測定", "判定不可")
PLAN_SOURCES = ("計画書", "当初の計画")  # the returned plan's agreed schedule, or ours
OVERDUE_KINDS = ("予定の月", "指標の期日")
FILE_STATES = ("読み込み", "対象外", "読込不可")


class DistrictSchema(Contract):
    """One selected district (進捗.xlsx 一覧)."""

    file: Series[str] = pa.Field(unique=True)  # the selected application's file
    rank: Series[int] = pa.Field(ge=1)
    municipality: Series[str]
    org_name: Series[str]
    plan_file: Series[str]  # the returned plan read ("" none)
    log_file: Series[str]  # the returned log read ("" none)
    phase: Series[str] = pa.Field(isin=list(support.PHASES))
    kickoff_date: Series[str]
    planned_to_date: Series[int] = pa.Field(ge=0)
    planned_total: Series[int] = pa.Field(ge=0)
    held: Series[int] = pa.Field(ge=0)
    participants: Series[int] = pa.Field(ge=0)
    kpis: Series[int] = pa.Field(ge=0)
    kpis_met: Series[int] = pa.Field(ge=0)
    overdue: Series[int] = pa.Field(ge=0)
    plan_source: Series[str] = pa.Field(isin=list(PLAN_SOURCES))

    @pa.dataframe_check
    @classmethod
    def met_within_kpis(cls, frame: pd.DataFrame) -> pd.Series:
        return frame["kpis_met"] <= frame["kpis"]

    class Config:
        name = "DistrictSchema"


class PlannedSchema(Contract):
    """Sessions expected in a month for an activity of a district's plan."""

    file: Series[str]
    activity: Series[str]
    month: Series[str] = pa.Field(str_matches=r"^\d{4}-\d\d$")
    sessions: Series[int] = pa.Field(ge=1)
    source: Series[str] = pa.Field(isin=list(PLAN_SOURCES))
    cell: Series[str]  # in the returned plan ("" for ours)

    class Config:
        name = "PlannedSchema"


class SessionSchema(Contract):
    """A session held: one counted row of a district's log."""

    file: Series[str]  # the district's application
    log_file: Series[str]
    row: Series[int] = pa.Field(ge=1)
    date: Series[str] = pa.Field(str_matches=r"^\d{4}-\d\d-\d\d$")
    month: Series[str] = pa.Field(str_matches=r"^\d{4}-\d\d$")
    menu: Series[str]
    format: Series[str]
    participants: Series[float] = pa.Field(nullable=True, ge=0)
    who: Series[str]
    done: Series[str]
    next_steps: Series[str]
    adviser: Series[str]

    class Config:
        name = "SessionSchema"


class KpiSchema(Contract):
    """A KPI of a district's plan with its latest result by the run date."""

    file: Series[str]
    name: Series[str]
    target: Series[str]
    due: Series[str]
    owner: Series[str]
    latest: Series[str]
    measured_on: Series[str]
    source: Series[str]  # log file and row of the latest result ("" none)
    status: Series[str] = pa.Field(isin=list(KPI_STATUSES))
    overdue: Series[bool]

    class Config:
        name = "KpiSchema"


class OverdueSchema(Contract):
    """Something that should have happened by the run date and did not."""

    file: Series[str]
    kind: Series[str] = pa.Field(isin=list(OVERDUE_KINDS))
    when: Series[str]  # the month (YYYY-MM) or the KPI's date (YYYY-MM-DD)
    subject: Series[str]  # the activity, or the KPI's name
    what: Series[str]

    class Config:
        name = "OverdueSchema"


class SupportFileSchema(Contract):
    """Every file of inbox/支援/, once: what it was read as and for which district."""

    file: Series[str] = pa.Field(unique=True)
    kind: Series[str]
    district: Series[str]  # the selected application's file ("" none)
    state: Series[str] = pa.Field(isin=list(FILE_STATES))
    note: Series[str]
    rows: Series[int] = pa.Field(ge=0)

    class Config:
        name = "SupportFileSchema"


class SupportProblemSchema(Contract):
    """A problem in a returned plan or log, at its cell."""

    file: Series[str]
    sheet: Series[str]
    cell: Series[str]
    label: Series[str]
    value: Series[str]
    code: Series[str] = pa.Field(isin=[*problems.KINDS, *support.KINDS])
    message: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        name = "SupportProblemSchema"
