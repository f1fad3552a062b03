"""The support year as of the run: each returned plan and log matched to its selected
district, sessions held against the plan by activity and month, the latest value of each KPI
against its target, and what is overdue on the run's date.

A file counts for a district only when its tag names the district's application (what we
issued, docs/TRUST.md) and the district it names is that application's. Nothing is decided
silently: every file of inbox/支援/ is accounted for, every row not counted has its problem.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pandas as pd

from pipeline.core import support
from pipeline.core.normalize import clean_text, label_key, nfkc, parse_date
from pipeline.core.problems import WHOLE_FILE, Problem
from pipeline.core.settings import RoundSettings
from pipeline.core.support import Session, SupportFile, SupportResult
from pipeline.core.wording import japanese_date
from schemas.selection import SELECTED
from schemas.support import (
    DistrictSchema,
    KpiSchema,
    OverdueSchema,
    PlannedSchema,
    SessionSchema,
    SupportFileSchema,
    SupportProblemSchema,
)


def decide_support(ranked: pd.DataFrame, ledger: pd.DataFrame, read: Sequence[SupportFile],
                   settings: RoundSettings, run_at: dt.datetime) -> SupportResult:
    """Progress of every selected district (``ranked``: RankedSchema) from the files read."""
    run_on = run_at.date()
    selected = ranked[ranked["decision"] == SELECTED].sort_values("rank")
    by_tag = {str(row["sha256"]): row for _, row in selected.iterrows()}
    others = set(ledger["sha256"].tolist()) - set(by_tag)
    problems: list[Problem] = [p for f in read for p in f.problems]
    files: list[dict[str, object]] = []
    chosen: dict[tuple[str, str], SupportFile] = {}  # (application, kind) → the file read
    for found in _newest_first(read):
        entry = {"file": found.file, "kind": found.kind or "不明", "district": "",
                 "state": "読み込み", "note": "", "rows": len(found.sessions) + len(found.results)}
        files.append(entry)
        what = found.kind or "ファイル"
        if not found.kind:
            entry.update(state="読込不可", note=found.problems[0].message if found.problems else "")
            continue
        application = by_tag.get(found.tag)
        code = ("support_not_selected" if found.tag in others else "support_unmatched"
                ) if application is None else _identity_problem(found, application)
        if code:
            entry.update(state="対象外", note=support.describe(code, extra=what))
            if code != "support_identity":
                problems.append(support.problem(found.file, found.kind, "", WHOLE_FILE, "", code,
                                                what))
            continue
        assert application is not None
        key = (str(application["file"]), found.kind)
        entry["district"] = key[0]
        if key in chosen:
            entry.update(state="対象外", note=support.describe("support_two_files", extra=what))
            problems.append(support.problem(found.file, found.kind, "", WHOLE_FILE, "",
                                            "support_two_files", what))
            continue
        chosen[key] = found
    problems += [p for f in read for p in _identity_problems(f, by_tag)]
    return _progress(selected, chosen, files, problems, settings, run_on)


def _newest_first(read: Sequence[SupportFile]) -> list[SupportFile]:
    """Newest saved first (then the later name): the one a district's two copies count by."""
    return sorted(read, key=lambda f: (f.saved_at, f.file), reverse=True)


def _same(a: object, b: object) -> bool:
    return re.sub(r"\s+", "", nfkc(str(clean_text(a) or ""))) == re.sub(
        r"\s+", "", nfkc(str(clean_text(b) or "")))


def _identity_problem(found: SupportFile, application: pd.Series) -> str:
    """"support_identity" when the district the file names is not its tag's."""
    for cell, wanted in ((found.municipality, application["municipality"]),
                         (found.org_name, application["org_name"])):
        if cell is None or not _same(cell.value, wanted):
            return "support_identity"
    return ""


def _identity_problems(found: SupportFile, by_tag: dict[str, pd.Series]) -> list[Problem]:
    application = by_tag.get(found.tag)
    if application is None or not found.kind:
        return []
    district = f"{application['municipality']} {application['org_name']}"
    return [support.problem(found.file, found.kind, cell.address if cell else "", label,
                             str(cell.value or "") if cell else "", "support_identity", district)
            for cell, wanted, label in (
                (found.municipality, application["municipality"], support.MUNICIPALITY_LABEL),
                (found.org_name, application["org_name"], support.ORG_LABEL))
            if cell is None or not _same(cell.value, wanted)]


def _progress(selected: pd.DataFrame, chosen: dict[tuple[str, str], SupportFile],
              files: list[dict[str, object]], problems: list[Problem], settings: RoundSettings,
              run_on: dt.date) -> SupportResult:
    districts, planned, sessions, kpis, overdue = [], [], [], [], []
    for _, application in selected.iterrows():
        file = str(application["file"])
        plan = chosen.get((file, support.PLAN_SHEET))
        log = chosen.get((file, support.LOG_SHEET))
        months = _planned(application, plan, settings)
        planned += [{"file": file, "activity": a, "month": m, "sessions": n,
                     "source": source, "cell": cell} for a, m, n, source, cell in months]
        held, future = _held(log, run_on)
        problems += future
        sessions += [{"file": file, "log_file": log.file if log else "", "row": s.row,
                      "date": s.date.isoformat(), "month": f"{s.date:%Y-%m}", "menu": s.menu,
                      "format": s.format, "participants": s.participants, "who": s.who,
                      "done": s.done, "next_steps": s.next_steps, "adviser": s.adviser}
                     for s in held]
        counts = Counter((s.menu, f"{s.date:%Y-%m}") for s in held)
        late = _late_months(months, counts, run_on, settings.support.grace_days)
        district_kpis, kpi_problems = _kpis(file, plan, log, run_on)
        problems += kpi_problems
        kpis += district_kpis
        late += [(str(k["due"]), str(k["name"]), f"指標「{k['name']}」の期日（{k['due']}）を過ぎて"
                  f"います（目標 {k['target']}、最新 {k['latest'] or '未測定'}）", "指標の期日")
                 for k in district_kpis if k["overdue"]]
        overdue += [{"file": file, "kind": kind, "when": when, "subject": subject, "what": what}
                    for when, subject, what, kind in late]
        kickoff = plan.kickoff.get(support.KICKOFF_DATE) if plan else None
        kickoff_on = _date_text(kickoff.value) if kickoff else ""
        districts.append({
            "file": file, "rank": int(application["rank"]),
            "municipality": str(application["municipality"]),
            "org_name": str(application["org_name"]),
            "plan_file": plan.file if plan else "", "log_file": log.file if log else "",
            "phase": _phase(held, bool(kickoff_on), settings),
            "kickoff_date": kickoff_on,
            "planned_to_date": sum(n for _, m, n, _, _ in months if m <= f"{run_on:%Y-%m}"),
            "planned_total": sum(n for _, _, n, _, _ in months),
            "held": len(held),
            "participants": sum(s.participants or 0 for s in held),
            "kpis": len(district_kpis),
            "kpis_met": sum(k["status"] == "達成" for k in district_kpis),
            "overdue": len(late),
            "plan_source": months[0][3] if months else "当初の計画",
        })
    return SupportResult(
        districts=_frame(DistrictSchema, districts), planned=_frame(PlannedSchema, planned),
        sessions=_frame(SessionSchema, sessions), kpis=_frame(KpiSchema, kpis),
        overdue=_frame(OverdueSchema, overdue),
        files=_frame(SupportFileSchema, sorted(files, key=lambda f: str(f["file"]))),
        problems=_frame(SupportProblemSchema, [dataclasses.asdict(p) for p in problems]),
        run_on=run_on)


def _frame(schema: type, rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """The rows as a frame of ``schema``, validated (typed even when there are none)."""
    columns = schema.to_schema().columns  # type: ignore[attr-defined]
    frame = pd.DataFrame(rows, columns=list(columns)).astype(
        {name: column.dtype.type for name, column in columns.items()})
    return schema.validate(frame, lazy=True)  # type: ignore[attr-defined]


Planned = tuple[str, str, int, str, str]  # activity, month (YYYY-MM), sessions, source, cell


def _planned(application: pd.Series, plan: SupportFile | None,
             settings: RoundSettings) -> list[Planned]:
    """The returned plan's agreed schedule, else the one we wrote from the application."""
    expected = settings.support.expected
    if plan is not None and plan.schedule:
        return [(m.activity, f"{m.month:%Y-%m}", m.sessions or expected(m.activity), "計画書",
                 m.cell) for m in plan.schedule]
    return planned_schedule(application, settings)


def planned_schedule(application: pd.Series, settings: RoundSettings) -> list[Planned]:
    """The schedule we wrote into the application's plan, month by month."""
    start = pd.Timestamp(application["start_month"]).date()
    months = int(application["duration_months"])
    return [(row.activity, f"{support.first_of_month(start, offset):%Y-%m}",
             settings.support.expected(row.activity), "当初の計画", "")
            for row in support.schedule(tuple(application["menus"]), months, settings.plan)
            for offset in row.months]


def _held(log: SupportFile | None, run_on: dt.date) -> tuple[list[Session], list[Problem]]:
    """The log's sessions up to the run's date; a later date is a problem, not a session."""
    if log is None:
        return [], []
    held = [s for s in log.sessions if s.date <= run_on]
    future = [support.problem(log.file, support.LOG_SHEET, s.date_cell, support.SESSION_DATE,
                              s.date.isoformat(), "support_future", japanese_date(run_on))
              for s in log.sessions if s.date > run_on]
    return held, future


def _late_months(months: list[Planned], counts: Counter[tuple[str, str]], run_on: dt.date,
                 grace_days: int) -> list[tuple[str, str, str, str]]:
    """Each planned month passed (its last day plus the grace) with fewer sessions than planned."""
    late = []
    for activity, month, sessions, _, _ in months:
        year, number = int(month[:4]), int(month[5:])
        passed = dt.date(year, number, calendar.monthrange(year, number)[1]) + dt.timedelta(
            days=grace_days) < run_on
        if passed and counts[(activity, month)] < sessions:
            late.append((month, activity, f"{year}年{number}月の{activity}：予定{sessions}回、実施"
                                          f"{counts[(activity, month)]}回", "予定の月"))
    return late


def _phase(held: list[Session], kicked_off: bool, settings: RoundSettings) -> str:
    """The furthest phase reached: a session of the plan's closing, mid-term or kickoff (or the
    kickoff's date in the returned plan)."""
    menus = {s.menu for s in held}
    plan = settings.plan
    for activity, phase in ((plan.closing_report, support.PHASE_CLOSING),
                            (plan.midterm_review, support.PHASE_MIDTERM),
                            (plan.kickoff, support.PHASE_KICKOFF)):
        if activity in menus:
            return phase
    return support.PHASE_KICKOFF if kicked_off else support.PHASE_NONE


def _kpis(file: str, plan: SupportFile | None, log: SupportFile | None,
          run_on: dt.date) -> tuple[list[dict[str, object]], list[Problem]]:
    """Each KPI of the returned plan with its latest result by the run's date."""
    if plan is None:
        return [], []
    measured = log.results if log else []
    results = [r for r in measured if r.measured_on <= run_on]
    names = {label_key(k.name): k.name for k in plan.kpis}
    file_of_log = log.file if log else ""
    problems = [support.problem(file_of_log, support.KPI_SHEET, r.name_cell, support.KPI_NAME,
                                r.name, "support_unknown_kpi", "、".join(names.values()))
                for r in results if label_key(r.name) not in names]
    problems += [support.problem(file_of_log, support.KPI_SHEET, r.date_cell, support.MEASURED_ON,
                                 r.measured_on.isoformat(), "support_future",
                                 japanese_date(run_on))
                 for r in measured if r.measured_on > run_on]
    rows = []
    for kpi in plan.kpis:
        mine = [r for r in results if label_key(r.name) == label_key(kpi.name)]
        latest = max(mine, key=lambda r: (r.measured_on, r.row), default=None)
        status = _status(kpi.target, latest.value if latest else None)
        rows.append({"file": file, "name": kpi.name, "target": kpi.target,
                     "due": kpi.due.isoformat() if kpi.due else "", "owner": kpi.owner,
                     "latest": latest.value if latest else "",
                     "measured_on": latest.measured_on.isoformat() if latest else "",
                     "source": f"{file_of_log} {support.KPI_SHEET} {latest.row}行"
                     if latest else "",
                     "status": status,
                     "overdue": bool(kpi.due and kpi.due < run_on and status != "達成")})
    return rows, problems


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def number_in(text: str) -> Decimal | None:
    """The one number in ``20人`` or ``1,200件`` (None: none, or more than one)."""
    found = _NUMBER.findall(nfkc(text).replace(",", ""))
    return Decimal(found[0]) if len(found) == 1 else None


def _status(target: str, latest: str | None) -> str:
    """達成 when the latest result reaches the target (both one number each, exactly compared)."""
    if latest is None:
        return "未測定"
    goal, value = number_in(target), number_in(latest)
    if goal is None or value is None:
        return "判定不可"
    return "達成" if value >= goal else "未達"


def _date_text(raw: object) -> str:
    day = parse_date(raw)
    return day.isoformat() if isinstance(day, dt.date) else ""
