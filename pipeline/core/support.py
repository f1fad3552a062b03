"""The support year (伴走支援): the labels of the plan and log workbooks we write and read
back, the problems found in them, and what reading one gives.

The plan (伴走支援計画書) and the log (支援記録) are ours: written per selected district,
filled in by the office, saved into ``inbox/支援/``. They are read back by label, as forms
are, and matched to the selected application by the tag we wrote into them (a document
property holding the application's SHA-256) and by the district they name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.core import domain, problems
from pipeline.core.problems import Problem, ProblemKind
from pipeline.core.records import RawCell
from pipeline.core.settings import PlanSettings

if TYPE_CHECKING:
    import pandas as pd

PLAN_SHEET = "計画書"
LOG_SHEET = "支援記録"
KPI_SHEET = "指標の実績"
# The tag: which selected application a workbook was written for (its file's SHA-256).
PLAN_PROPERTY = "bansou-plan"
LOG_PROPERTY = "bansou-log"

# Who the plan and the log are for (section 1 of the plan, the head of the log).
MUNICIPALITY_LABEL = "区市町村"
ORG_LABEL = "団体名"

# The kickoff meeting's fields (plan, section 6).
KICKOFF_DATE = "キックオフ実施日"
ATTENDEES = "出席者"
ADVISERS = "アドバイザー"
DISTRICT_CONTACTS = "地区の担当者"
KICKOFF_LABELS = (KICKOFF_DATE, ATTENDEES, ADVISERS, DISTRICT_CONTACTS)
# The KPI table (plan, section 6) and the agreed schedule (plan, section 4).
KPI_NAME, KPI_TARGET, KPI_DUE, KPI_OWNER = "指標", "目標値", "期日", "担当"
KPI_HEADINGS = (KPI_NAME, KPI_TARGET, KPI_DUE, KPI_OWNER)
ACTIVITY, DETAIL = "活動", "内容"

# The log's columns (sheet 支援記録) and the KPI results' (sheet 指標の実績).
SESSION_DATE, MENU, FORMAT, PARTICIPANTS, WHO, DONE, NEXT, ADVISER = (
    "日付", "支援メニュー", "形式", "参加人数", "参加者", "実施内容", "次のステップ", "アドバイザー")
LOG_HEADINGS = (SESSION_DATE, MENU, FORMAT, PARTICIPANTS, WHO, DONE, NEXT, ADVISER)
MEASURED_ON, KPI_VALUE, KPI_NOTE = "測定日", "実績値", "備考"
RESULT_HEADINGS = (MEASURED_ON, KPI_NAME, KPI_VALUE, KPI_NOTE)
FORMATS = ("訪問", "オンライン", "来庁", "電話", "その他")

# The phase a district has reached, in order.
PHASE_NONE, PHASE_KICKOFF, PHASE_MIDTERM, PHASE_CLOSING = "未着手", "キックオフ", "中間振り返り", "成果報告"
PHASES = (PHASE_NONE, PHASE_KICKOFF, PHASE_MIDTERM, PHASE_CLOSING)

_KINDS = (
    ProblemKind("support_unmatched", "どの地区のものか分からない",
                "どの選定地区の{extra}か分かりません（このツールが書いた印がないか、印が今の選定地区を"
                "指していません）。outbox/計画/ のその地区のブックに記入し直して保存してください。"),
    ProblemKind("support_not_selected", "選定されていない地区",
                "{extra}は選定されていない申請のものです（選定の結果が変わったか、別の募集回のブックです）。"
                "数えていません。"),
    ProblemKind("support_identity", "地区が印と違う",
                "「{label}」の「{value}」が、このブックを書いた地区（{extra}）と違います。"
                "その地区のブックに記入し直してください（数えていません）。"),
    ProblemKind("support_not_ours", "計画書・支援記録ではない",
                "計画書（シート「計画書」）でも支援記録（シート「支援記録」）でもありません。"
                "outbox/計画/ のブックに記入して保存してください。"),
    ProblemKind("support_bad_number", "数として読めない",
                "「{label}」の「{value}」を数として読み取れません。12 や 12人 のように数字で入力して"
                "ください。"),
    ProblemKind("support_future", "実行日より後の日付",
                "「{label}」の「{value}」は今日（{extra}）より後の日付です。実施した日を入力してください"
                "（数えていません）。"),
    ProblemKind("support_unknown_kpi", "計画書にない指標",
                "「{label}」の「{value}」は計画書の成果指標にありません。計画書の「指標」と同じ名前で"
                "入力してください（{extra}）。"),
    ProblemKind("support_kpi_incomplete", "指標の記入が足りない",
                "成果指標「{value}」の「{label}」が未入力です。指標・目標値・期日をそろえて入力してください。"),
    ProblemKind("support_two_files", "同じ地区のブックが複数",
                "同じ地区の{extra}が複数あります。新しい方（保存日時、同じならファイル名の順で後のもの）を"
                "読みました。古い方を inbox/支援/ から移してください。"),
)
KINDS: dict[str, ProblemKind] = {kind.code: kind for kind in _KINDS}


def describe(code: str, *, label: str = "", value: object = "", extra: str = "") -> str:
    """The Japanese message of a support-year problem, or of a file or value problem the forms
    share (not_xlsx, hidden_input, bad_date…)."""
    if code not in KINDS:
        return problems.describe(code, label=label, value=value, extra=extra)
    return KINDS[code].template.format_map({"label": label, "value": str(value)[:80],
                                            "extra": extra})


def problem(file: str, sheet: str, cell: str, label: str, value: str, code: str,
            extra: str = "") -> Problem:
    return Problem(file, sheet, cell, label, value, code,
                   describe(code, label=label, value=value, extra=extra))


@dataclass(frozen=True)
class ScheduleRow:
    activity: str
    detail: str
    months: tuple[int, ...]  # 0-based months of the period


def schedule(menus: tuple[str, ...], months: int, plan: PlanSettings) -> list[ScheduleRow]:
    """The plan we write: kick-off first, each chosen menu in its phase, a mid-term review and
    a closing report (the kickoff meeting may change it: the returned plan's is the agreed one)."""
    rows = [ScheduleRow(plan.kickoff, "地域課題・ニーズ・資源の整理、役割分担と成果指標の確認", (0,))]
    rows += [ScheduleRow(menu, domain.MENUS[menu], tuple(plan.months_of(menu, months)))
             for menu in menus]
    rows.append(ScheduleRow(plan.midterm_review, "進捗と成果指標の確認、後半の計画の見直し",
                            ((months - 1) // 2,)))
    rows.append(ScheduleRow(plan.closing_report, "成果のとりまとめと今後の展開の検討",
                            (months - 1,)))
    return rows


def log_activities(plan: PlanSettings) -> tuple[str, ...]:
    """What a log's 支援メニュー may name: the plan's kickoff, mid-term and closing, the menus."""
    return (plan.kickoff, plan.midterm_review, plan.closing_report, *domain.MENUS)


def first_of_month(start: dt.date, offset: int) -> dt.date:
    year, month = divmod(start.month - 1 + offset, 12)
    return dt.date(start.year + year, month + 1, 1)


@dataclass(frozen=True)
class KpiRow:
    name: str
    target: str
    due: dt.date | None
    owner: str
    cell: str  # the 指標 cell


@dataclass(frozen=True)
class ScheduledMonth:
    activity: str  # a menu, or one of the plan's phases (kickoff, mid-term, closing)
    month: dt.date  # its first day
    sessions: int | None  # expected that month (None: a mark, the usual number)
    cell: str


@dataclass(frozen=True)
class Session:
    """One readable row of a log."""

    date: dt.date
    menu: str
    format: str
    participants: int | None
    who: str
    done: str
    next_steps: str
    adviser: str
    row: int  # the sheet's row number, as Excel shows it
    date_cell: str


@dataclass(frozen=True)
class KpiResult:
    measured_on: dt.date
    name: str
    value: str
    note: str
    row: int
    date_cell: str
    name_cell: str


@dataclass
class SupportFile:
    """One file of inbox/支援/ as read: a plan, a log, or neither (``kind`` ""), with the
    tag it carries and the district it names."""

    file: str  # 支援/<name>
    kind: str = ""  # PLAN_SHEET, LOG_SHEET or ""
    tag: str = ""  # the SHA-256 our property names ("" when there is none)
    municipality: RawCell | None = None
    org_name: RawCell | None = None
    saved_at: str = ""
    problems: list[Problem] = field(default_factory=list)
    # a plan's
    kickoff: dict[str, RawCell] = field(default_factory=dict)
    kpis: list[KpiRow] = field(default_factory=list)
    schedule: list[ScheduledMonth] = field(default_factory=list)
    # a log's
    sessions: list[Session] = field(default_factory=list)
    results: list[KpiResult] = field(default_factory=list)


@dataclass(frozen=True)
class SupportResult:
    """The support year as of the run: frames of :mod:`schemas.support`."""

    districts: pd.DataFrame  # DistrictSchema
    planned: pd.DataFrame  # PlannedSchema
    sessions: pd.DataFrame  # SessionSchema
    kpis: pd.DataFrame  # KpiSchema
    overdue: pd.DataFrame  # OverdueSchema
    files: pd.DataFrame  # SupportFileSchema
    problems: pd.DataFrame  # SupportProblemSchema
    run_on: dt.date

    @property
    def unmatched(self) -> pd.DataFrame:
        """Files read that no selected district could take."""
        return self.files[self.files["state"] != "読み込み"]

    @property
    def attention(self) -> int:
        """What staff should look at: overdue items, problems in the files, files unmatched."""
        return len(self.overdue) + len(self.problems) + len(
            self.unmatched[~self.unmatched["file"].isin(self.problems["file"])])

    @property
    def started(self) -> bool:
        """The support year has begun: a plan's first month has come, or files came back."""
        return not self.files.empty or bool(
            (self.planned["month"] <= f"{self.run_on:%Y-%m}").any())

    def console_line(self) -> str:
        """「支援中 5地区：要確認 2件（遅れ 1件・記入の不備 1件）」; nothing while the selection
        is all there is (no district's support has begun)."""
        if self.districts.empty or not self.started:
            return ""
        parts = [f"{what} {count}件" for what, count in (
            ("遅れ", len(self.overdue)), ("記入の不備", len(self.problems)),
            ("地区が分からないファイル", len(self.unmatched[
                ~self.unmatched["file"].isin(self.problems["file"])]))) if count]
        detail = f"（{'・'.join(parts)}）" if parts else ""
        return (f"支援中 {len(self.districts)}地区：要確認 {self.attention}件{detail}"
                "。進捗.xlsx にあります")
