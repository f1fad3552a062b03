"""The round's settings, loaded once from round.toml into one typed object."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.domain import COMMITMENTS, MENUS
from pipeline.core.errors import SettingsError

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
    plan: PlanSettings
    office: OfficeSettings
    resubmission_deadline: dt.date
    templates: Path  # folder of the notices' templates

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

    def as_rows(self) -> list[tuple[str, str]]:
        """The settings as (項目, 値) rows for 概要."""
        rows = [
            ("募集回", self.name),
            ("締切", self.deadline.strftime("%Y年%m月%d日 %H:%M（日本時間）")),
            ("選定数の上限", f"{self.max_districts}件"),
            ("1区市町村あたりの上限", f"{self.max_per_municipality}件"),
            ("審査の相違とみなす差", f"{self.disagreement_threshold}点以上"),
            ("同点時の順位", " → ".join(TIE_BREAKS[t] for t in self.tie_break)),
        ]
        rows += [(f"配点：{c.label}", f"{self.auto_max(c)}点（自動）") for c in self.auto]
        rows += [(f"配点：{c.label}", f"{c.weight * max(REVIEW_SCORES)}点（審査 1〜5点×{c.weight}）")
                 for c in self.review]
        rows.append(("満点", f"{self.max_total}点"))
        return rows


def load_settings(path: Path) -> RoundSettings:
    """Read and check round.toml; every problem names the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Notepad may add a BOM
    except FileNotFoundError as error:
        raise SettingsError(f"設定ファイル {path} が見つかりません。") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"設定ファイル {path} の書き方に誤りがあります：{error}") from error
    return parse_settings(data, str(path), path.parent)


def parse_settings(data: dict[str, Any], source: str = "round.toml",
                   base: Path = Path()) -> RoundSettings:
    reader = _Reader(data, source)
    round_ = reader.table("round")
    name = reader.text(round_, "round.name")
    deadline = reader.deadline(round_, "round.deadline")
    rubric = reader.table("rubric")
    auto = tuple(
        AutoCriterion(
            key=reader.text(item, f"rubric.auto[{n}].key"),
            label=reader.text(item, f"rubric.auto[{n}].label"),
            rule=reader.choice(item, f"rubric.auto[{n}].rule", AUTO_RULES),
            points=reader.integer(item, f"rubric.auto[{n}].points", minimum=0),
        )
        for n, item in enumerate(reader.tables(rubric, "rubric.auto"))
    )
    review = tuple(
        ReviewCriterion(
            key=reader.text(item, f"rubric.review[{n}].key"),
            label=reader.text(item, f"rubric.review[{n}].label"),
            weight=reader.integer(item, f"rubric.review[{n}].weight", minimum=0),
        )
        for n, item in enumerate(reader.tables(rubric, "rubric.review", allow_empty=True))
    )
    keys = [c.key for c in auto] + [c.key for c in review]
    labels = [c.label for c in auto] + [c.label for c in review]
    if len(set(keys)) != len(keys) or len(set(labels)) != len(labels):
        raise SettingsError(f"{source} の rubric で key または label が重複しています。")
    if taken := sorted(set(labels) & RESERVED_LABELS):
        raise SettingsError(f"{source} の rubric の label「{'」「'.join(taken)}」は選定結果の列名と"
                            "同じです。別の名前にしてください。")
    tie_break = tuple(reader.list_of(round_, "round.tie_break", tuple(TIE_BREAKS)))
    if len(set(tie_break)) != len(tie_break):
        raise SettingsError(f"{source} の round.tie_break に同じ値が2回あります。")
    return RoundSettings(
        name=name,
        deadline=deadline,
        max_districts=reader.integer(round_, "round.max_districts", minimum=1),
        max_per_municipality=reader.integer(round_, "round.max_per_municipality", minimum=1),
        disagreement_threshold=reader.integer(round_, "round.disagreement_threshold", minimum=1),
        tie_break=tie_break,
        auto=auto,
        review=review,
        plan=_plan(reader),
        office=OfficeSettings(
            name=reader.text(office := reader.table("office"), "office.name"),
            address=reader.text(office, "office.address"),
            phone=reader.text(office, "office.phone"),
            email=reader.text(office, "office.email"),
        ),
        resubmission_deadline=reader.date(
            correspondence := reader.table("correspondence"),
            "correspondence.resubmission_deadline"),
        templates=base / reader.text(correspondence, "correspondence.templates"),
    )


def _plan(reader: _Reader) -> PlanSettings:
    plan = reader.table("plan")
    phases: dict[str, tuple[float, float]] = {}
    for name, span in reader.mapping(plan, "plan.phases").items():
        if (not isinstance(span, list) or len(span) != 2
                or not all(isinstance(v, int | float) for v in span)
                or not 0 <= span[0] < span[1] <= 1):
            raise reader.fail(f"plan.phases.{name}", " [開始, 終了] の割合（0〜1、開始 < 終了）にしてください",
                              span)
        phases[name] = (float(span[0]), float(span[1]))
    menu_phase = reader.mapping(plan, "plan.menu_phase")
    for menu in MENUS:
        key = f"plan.menu_phase.{menu}"
        if menu not in menu_phase:
            raise reader.fail(key, "必須です。plan.phases の時期の名前を書いてください")
        if menu_phase[menu] not in phases:
            raise reader.fail(key, f" {'、'.join(phases)} のいずれかにしてください", menu_phase[menu])
    return PlanSettings(
        kickoff=reader.text(plan, "plan.kickoff"),
        midterm_review=reader.text(plan, "plan.midterm_review"),
        closing_report=reader.text(plan, "plan.closing_report"),
        kpi_rows=reader.integer(plan, "plan.kpi_rows", minimum=1, maximum=50),
        phases=phases,
        menu_phase={menu: str(menu_phase[menu]) for menu in MENUS},
    )


class _Reader:
    """Typed access to the parsed TOML, with Japanese errors naming the key."""

    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data = data
        self.source = source

    def fail(self, key: str, what: str, value: object = None) -> SettingsError:
        now = "" if value is None else f"（現在の値: {value!r}）"
        return SettingsError(f"{self.source} の {key} は{what}{now}。")

    def _get(self, table: dict[str, Any], dotted: str) -> Any:
        name = dotted.rsplit(".", 1)[-1]
        if name not in table:
            raise self.fail(dotted, "必須です。値を書いてください")
        return table[name]

    def table(self, dotted: str) -> dict[str, Any]:
        value = self._get(self.data, dotted)
        if not isinstance(value, dict):
            raise self.fail(dotted, f"[{dotted}] の表にしてください")
        return value

    def tables(self, parent: dict[str, Any], dotted: str,
               allow_empty: bool = False) -> list[dict[str, Any]]:
        value = self._get(parent, dotted)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(dotted, f"[[{dotted}]] の表の並びにしてください")
        if not value and not allow_empty:
            raise self.fail(dotted, "1つ以上必要です")
        return value

    def mapping(self, parent: dict[str, Any], dotted: str) -> dict[str, Any]:
        value = self._get(parent, dotted)
        if not isinstance(value, dict) or not value:
            raise self.fail(dotted, f"[{dotted}] の表にしてください")
        return value

    def text(self, table: dict[str, Any], dotted: str) -> str:
        value = self._get(table, dotted)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(dotted, "空でない文字列にしてください", value)
        return value

    def integer(self, table: dict[str, Any], dotted: str, minimum: int,
                maximum: int | None = None) -> int:
        value = self._get(table, dotted)
        if (not isinstance(value, int) or isinstance(value, bool) or value < minimum
                or (maximum is not None and value > maximum)):
            bound = f"{minimum}以上の整数" if maximum is None else f"{minimum}以上{maximum}以下の整数"
            raise self.fail(dotted, f"{bound}にしてください", value)
        return value

    def choice(self, table: dict[str, Any], dotted: str, choices: tuple[str, ...]) -> str:
        value = self._get(table, dotted)
        if value not in choices:
            raise self.fail(dotted, f" {'、'.join(choices)} のいずれかにしてください", value)
        return str(value)

    def list_of(self, table: dict[str, Any], dotted: str, choices: tuple[str, ...]) -> list[str]:
        value = self._get(table, dotted)
        if not isinstance(value, list) or not all(v in choices for v in value):
            raise self.fail(dotted, f" {'、'.join(choices)} を並べたリストにしてください", value)
        return value

    def date(self, table: dict[str, Any], dotted: str) -> dt.date:
        value = self._get(table, dotted)
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail(dotted, " 2016-07-08 のような日付にしてください", value)
        return value

    def deadline(self, table: dict[str, Any], dotted: str) -> dt.datetime:
        value = self._get(table, dotted)
        if isinstance(value, dt.date) and not 2000 <= value.year <= 2199:
            raise self.fail(dotted, " 2000年から2199年までの日時にしてください", value)
        if isinstance(value, dt.datetime):
            return value.astimezone(JST) if value.tzinfo else value.replace(tzinfo=JST)
        if isinstance(value, dt.date):  # a date alone: that whole day counts
            return dt.datetime.combine(value, dt.time(23, 59, 59), JST)
        raise self.fail(dotted, " 2016-06-30T23:59:59+09:00 のような日時にしてください", value)
