"""The round's settings as one typed object (loaded from round.toml by
:mod:`~pipeline.core.settings_load`, checked by :mod:`~pipeline.core.settings_check`, shown in
概要 by :mod:`~pipeline.core.settings_rows`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jpholiday

from pipeline.core.domain import COMMITMENTS
from pipeline.core.support_settings import SupportSettings
from pipeline.core.wording import japanese_date

JST = dt.timezone(dt.timedelta(hours=9), "JST")
# The names round.toml may use; score.AUTO_RULES and select.TIE_BREAK_ORDER implement exactly
# these (tests/test_contracts.py).
AUTO_RULES = ("commitments", "pre_consultation", "partners", "menu_fit")
TIE_BREAKS = {"reviewer_mean": "審査平均の高い順", "received_at": "受付の早い順", "file": "ファイル名順"}
REVIEW_SCORES = (1, 2, 3, 4, 5)
# Column names of 選定順位 and the review sheet that a criterion's label must not take.
RESERVED_LABELS = frozenset({
    "順位", "判定", "暫定", "区市町村", "団体名", "団体種別", "地域", "合計点", "審査員数", "審査平均",
    "審査の相違", "受付日時", "理由", "ファイル名", "計画書", "自動採点", "利害関係あり", "コメント",
    "審査員氏名"})


@dataclass(frozen=True)
class AutoCriterion:
    """Points computed from the form by a named rule."""

    key: str
    label: str
    rule: str
    points: int


@dataclass(frozen=True)
class ReviewCriterion:
    """A 1–5 score given by reviewers, multiplied by its weight."""

    key: str
    label: str
    weight: int


@dataclass(frozen=True)
class PlanSettings:
    """How a support plan's schedule is laid out."""

    kickoff: str
    midterm_review: str
    closing_report: str
    kpi_rows: int
    phases: dict[str, tuple[float, float]]  # name → (start, end) as fractions of the period
    menu_phase: dict[str, str]  # menu → phase name

    def months_of(self, menu: str, months: int) -> list[int]:
        """The 0-based months of a period of ``months`` in which a menu's activities run."""
        start, end = self.phases[self.menu_phase[menu]]
        active = [m for m in range(months) if m / months < end and (m + 1) / months > start]
        return active or [min(int(start * months), months - 1)]


@dataclass(frozen=True)
class OfficeSettings:
    """The program office, as applicants should contact it."""

    name: str
    address: str
    phone: str
    email: str

    def contact_block(self) -> str:
        return f"{self.name}\n{self.address}\n電話：{self.phone}　メール：{self.email}"


@dataclass(frozen=True)
class RoundSettings:
    name: str
    deadline: dt.datetime  # aware, Japan time
    max_districts: int
    max_per_municipality: int
    disagreement_threshold: int
    tie_break: tuple[str, ...]
    auto: tuple[AutoCriterion, ...]
    review: tuple[ReviewCriterion, ...]
    menu_fit: dict[str, tuple[str, ...]]  # 取組課題の区分 → the menus that earn menu_fit points
    plan: PlanSettings
    office: OfficeSettings
    resubmission_deadline: dt.date
    templates: Path  # folder of the notices' templates
    support: SupportSettings = field(default_factory=SupportSettings)  # [support] (optional)
    # the folder of the round before this one (bansou new-round writes it): 選定会議資料 marks
    # the organisations it selected
    previous_round: Path | None = None

    @property
    def warnings(self) -> tuple[str, ...]:
        """What in the settings works but may not be meant: a deadline on a day the office and
        most applicants do not work (shown on the console and in 概要; the run goes on)."""
        dates = (("締切（round.deadline）", self.deadline.date()),
                 ("再提出期限（correspondence.resubmission_deadline）", self.resubmission_deadline))
        return tuple(
            f"{what}の{japanese_date(day)}は{off}です。休みの日を期限にしてよいか確かめてください"
            "（よければそのままで構いません）。"
            for what, day in dates if (off := day_off(day)))

    @property
    def criteria(self) -> tuple[tuple[str, str], ...]:
        """(key, label) of every criterion, automatic first."""
        return (*((c.key, c.label) for c in self.auto), *((c.key, c.label) for c in self.review))

    @property
    def criterion_max(self) -> dict[str, int]:
        """Each criterion's full points, by key."""
        return {**{c.key: self.auto_max(c) for c in self.auto},
                **{c.key: c.weight * max(REVIEW_SCORES) for c in self.review}}

    def auto_max(self, criterion: AutoCriterion) -> int:
        return criterion.points * (len(COMMITMENTS) if criterion.rule == "commitments" else 1)

    @property
    def max_total(self) -> int:
        auto = sum(self.auto_max(c) for c in self.auto)
        return auto + sum(c.weight * max(REVIEW_SCORES) for c in self.review)


_WEEKDAYS = "月火水木金土日"


def day_off(day: dt.date) -> str:
    """What makes a day a day off in Japan ("日曜日", "祝日（成人の日）"), or "" for a working day.
    Holidays from jpholiday, which follows the holiday law (substitute and in-between days too)."""
    if holiday := jpholiday.is_holiday_name(day):
        return f"祝日（{holiday}）"
    return f"{_WEEKDAYS[day.weekday()]}曜日" if day.weekday() >= 5 else ""


def _shipped(name: str) -> Path:
    """A file shipped inside the package (pipeline/data), wherever the package is installed.
    An installed wheel is unpacked on disk, so the resource is a real path."""
    return Path(str(resources.files("pipeline") / "data" / name))


# The sample round's settings (the seed round; used when there is no round.toml, saying so) and
# the letters' templates (used when round.toml names no folder).
SHIPPED_ROUND = _shipped("round.toml")
SHIPPED_TEMPLATES = _shipped("templates")
