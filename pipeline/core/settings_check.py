"""Checking round.toml's values: every mistake in the file found in one pass and reported in
Japanese, naming the key, the value and what to write instead."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any

from pipeline.core.domain import CHALLENGE_CATEGORIES, MENUS
from pipeline.core.errors import SettingsError
from pipeline.core.settings import (
    AUTO_RULES,
    JST,
    RESERVED_LABELS,
    SHIPPED_TEMPLATES,
    TIE_BREAKS,
    AutoCriterion,
    OfficeSettings,
    PlanSettings,
    ReviewCriterion,
    RoundSettings,
)
from pipeline.core.support_settings import parse_support
from pipeline.core.wording import japanese_date


def parse_settings(data: dict[str, Any], source: str = "round.toml",
                   base: Path = Path()) -> RoundSettings:
    """Check every value of a parsed round.toml; raise one SettingsError listing them all."""
    reader = _Reader(source)
    top = reader.table(data, "", _TOP_KEYS)
    round_ = reader.table(top, "round", _ROUND_KEYS)
    rubric = reader.table(top, "rubric", _RUBRIC_KEYS)
    auto = tuple(
        AutoCriterion(
            key=reader.text(item, "key", where),
            label=reader.text(item, "label", where),
            rule=reader.choice(item, "rule", AUTO_RULES, where),
            points=reader.integer(item, "points", 0, where=where),
        )
        for item, where in reader.blocks(rubric, "rubric.auto", _AUTO_KEYS)
    )
    review = tuple(
        ReviewCriterion(
            key=reader.text(item, "key", where),
            label=reader.text(item, "label", where),
            weight=reader.integer(item, "weight", 0, where=where),
        )
        for item, where in reader.blocks(rubric, "rubric.review", _REVIEW_KEYS, allow_empty=True)
    )
    _check_criteria(reader, auto, review)
    tie_break = tuple(reader.list_of(round_, "round.tie_break", tuple(TIE_BREAKS)))
    if len(set(tie_break)) != len(tie_break):
        reader.fail("round.tie_break", "同じ値を2回書かないでください", list(tie_break))
    office = reader.table(top, "office", _OFFICE_KEYS)
    correspondence = reader.table(top, "correspondence", _CORRESPONDENCE_KEYS)
    settings = RoundSettings(
        name=reader.text(round_, "round.name", longest=100),
        deadline=reader.deadline(round_, "round.deadline"),
        max_districts=reader.integer(round_, "round.max_districts", 1),
        max_per_municipality=reader.integer(round_, "round.max_per_municipality", 1),
        disagreement_threshold=reader.integer(round_, "round.disagreement_threshold", 1),
        tie_break=tie_break,
        auto=auto,
        review=review,
        menu_fit=_menu_fit(reader, rubric),
        plan=_plan(reader, reader.table(top, "plan", _PLAN_KEYS)),
        office=OfficeSettings(
            name=reader.text(office, "office.name"),
            address=reader.text(office, "office.address"),
            phone=reader.text(office, "office.phone"),
            email=reader.text(office, "office.email"),
        ),
        resubmission_deadline=reader.date(correspondence, "correspondence.resubmission_deadline"),
        templates=_templates(reader, correspondence, base),
        support=parse_support(reader, top),
        previous_round=(base / reader.text(round_, "round.previous_round")
                        if "previous_round" in round_ else None),
    )
    _check_resubmission(reader, round_, correspondence, settings)
    if reader.problems:
        count = f"{len(reader.problems)}件の誤りがあります" if len(reader.problems) > 1 else "誤りがあります"
        raise SettingsError(f"設定ファイル {source} に{count}：\n"
                            + "\n".join(f"  ・{p}" for p in reader.problems))
    return settings


# The keys each table may hold (anything else is a typo or a leftover, and is reported).
_TOP_KEYS = ("round", "rubric", "plan", "office", "correspondence", "support")
_ROUND_KEYS = ("name", "deadline", "max_districts", "max_per_municipality",
               "disagreement_threshold", "tie_break", "previous_round")
_RUBRIC_KEYS = ("auto", "review", "menu_fit")
_AUTO_KEYS = ("key", "label", "rule", "points")
_REVIEW_KEYS = ("key", "label", "weight")
_PLAN_KEYS = ("kickoff", "midterm_review", "closing_report", "kpi_rows", "phases", "menu_phase")
_OFFICE_KEYS = ("name", "address", "phone", "email")
_CORRESPONDENCE_KEYS = ("resubmission_deadline", "templates")


def _check_criteria(reader: _Reader, auto: tuple[AutoCriterion, ...],
                    review: tuple[ReviewCriterion, ...]) -> None:
    criteria: list[AutoCriterion | ReviewCriterion] = [*auto, *review]
    for what, values in (("key", [c.key for c in criteria]), ("label", [c.label for c in criteria])):
        for value in sorted({v for v in values if v and values.count(v) > 1}):
            reader.fail(f"rubric の {what}", f"重複しています。「{value}」は1つの評価項目にだけ"
                        "使ってください")
    labels = {c.label for c in criteria}
    for label in sorted(labels & RESERVED_LABELS):
        reader.fail("rubric の label", f"「{label}」にできません。選定結果の列名と同じです。"
                    "別の名前にしてください")


def _check_resubmission(reader: _Reader, round_: dict[str, Any], correspondence: dict[str, Any],
                        settings: RoundSettings) -> None:
    """Corrections are accepted until the 再提出期限: on or before the deadline's own day,
    every correction sent back after the deadline would be refused."""
    keys = {"round.deadline", "correspondence.resubmission_deadline"}
    given = "deadline" in round_ and "resubmission_deadline" in correspondence
    deadline = settings.deadline.date()
    if given and not keys & reader.failed and settings.resubmission_deadline <= deadline:
        reader.fail("correspondence.resubmission_deadline",
                    f"締切（round.deadline：{japanese_date(deadline)}）より後の日付（例："
                    f"{deadline + dt.timedelta(days=14)}）にしてください。締切の日以前では、"
                    "差戻しの修正版がすべて期限後の受付になり不適格になります",
                    correspondence["resubmission_deadline"])


def default_menu_fit() -> dict[str, tuple[str, ...]]:
    """The program page's recommendations; その他 earns the points with any menu."""
    return {category: menus or tuple(MENUS) for category, menus in CHALLENGE_CATEGORIES.items()}


def _menu_fit(reader: _Reader, rubric: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    if "menu_fit" not in rubric:
        return default_menu_fit()
    table = reader.table(rubric, "rubric.menu_fit", tuple(CHALLENGE_CATEGORIES), free=False)
    fit: dict[str, tuple[str, ...]] = {}
    for category in CHALLENGE_CATEGORIES:
        dotted = f"rubric.menu_fit.{toml_key(category)}"
        if category not in table:
            reader.missing(dotted, "必須です。この区分で点が付く支援メニューを [\"…\", \"…\"] と"
                        "並べてください（点を付けないなら []）")
            continue
        menus = table[category]
        unknown = [m for m in menus if m not in MENUS] if isinstance(menus, list) else None
        if unknown is None or unknown:
            hint = "".join(f"「{m}」は{_did_you_mean(str(m), tuple(MENUS)) or '支援メニューにありません'}。"
                           for m in unknown or [])
            reader.fail(dotted, f"{hint}支援メニューの名前（{'、'.join(MENUS)}）を並べたリストに"
                        "してください", menus)
            continue
        fit[category] = tuple(menus)
    return fit


def _templates(reader: _Reader, correspondence: dict[str, Any], base: Path) -> Path:
    """The folder of the letters' templates: relative to round.toml's own folder, the shipped
    templates when round.toml names none."""
    if "templates" not in correspondence:
        return SHIPPED_TEMPLATES
    folder = base / reader.text(correspondence, "correspondence.templates")
    if not folder.is_dir():
        reader.fail("correspondence.templates", f"フォルダ {folder} がありません。設定ファイルの"
                    "フォルダからの相対パスで書くか、行を消して付属のひな形を使ってください",
                    correspondence.get("templates"))
    return folder


def _plan(reader: _Reader, plan: dict[str, Any]) -> PlanSettings:
    phases: dict[str, tuple[float, float]] = {}
    for name, span in reader.table(plan, "plan.phases", (), free=True).items():
        if (not isinstance(span, list) or len(span) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in span)
                or not 0 <= span[0] < span[1] <= 1):
            reader.fail(f"plan.phases.{toml_key(name)}", " [開始, 終了] の割合（0〜1、開始 < 終了）にしてください",
                        span)
            continue
        phases[name] = (float(span[0]), float(span[1]))
    menu_phase = reader.table(plan, "plan.menu_phase", tuple(MENUS))
    for menu in MENUS:
        key = f"plan.menu_phase.{toml_key(menu)}"
        if menu not in menu_phase:
            reader.missing(key, "必須です。plan.phases の時期の名前を書いてください")
        elif phases and menu_phase[menu] not in phases:
            reader.fail(key, f" {'、'.join(phases)} のいずれかにしてください", menu_phase[menu])
    return PlanSettings(
        kickoff=reader.text(plan, "plan.kickoff"),
        midterm_review=reader.text(plan, "plan.midterm_review"),
        closing_report=reader.text(plan, "plan.closing_report"),
        kpi_rows=reader.integer(plan, "plan.kpi_rows", 1, 50),
        phases=phases,
        menu_phase={menu: str(menu_phase.get(menu)) for menu in MENUS},
    )


def _did_you_mean(typed: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(typed, known, n=1, cutoff=0.6)
    return f"「{close[0]}」の書き間違いではありませんか" if close else ""


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(name: str) -> str:
    """A key as round.toml writes it: bare when it can be, quoted otherwise (Japanese)."""
    return name if _BARE_KEY.fullmatch(name) else f"\"{name}\""


def _shown(value: object) -> str:
    """A value as it would be written in round.toml."""
    if isinstance(value, str):
        return f"\"{value}\""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value)


_MISSING = object()


class _Reader:
    """Typed access to the parsed TOML. A wrong value is recorded (in Japanese, naming the
    key) and a stand-in returned, so that one pass finds every mistake in the file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.failed: set[str] = set()  # the keys whose value is wrong (a stand-in was returned)
        self._misspelt: set[str] = set()  # required keys already reported as a typo

    def fail(self, key: str, what: str, value: object = _MISSING, hint: str = "") -> None:
        now = "" if value is _MISSING else f"（現在の値: {_shown(value)}{'。' if hint else ''}{hint}）"
        self.failed.add(key)
        self.problems.append(f"{key} は{what}{now}。")

    def missing(self, dotted: str, what: str = "必須です。値を書いてください") -> None:
        """A required key is absent (unless it was already reported as misspelt)."""
        if dotted not in self._misspelt:
            self.fail(dotted, what)

    def _get(self, table: dict[str, Any], name: str, dotted: str) -> Any:
        if name not in table:
            self.missing(dotted)
            return _MISSING
        return table[name]

    def _unknown_keys(self, table: dict[str, Any], prefix: str, known: tuple[str, ...]) -> None:
        for name in table:
            if name in known:
                continue
            where = f"{prefix}{toml_key(name)}"
            if suggestion := difflib.get_close_matches(name, known, n=1, cutoff=0.6):
                self.problems.append(f"{where} という項目はありません。「{suggestion[0]}」の書き"
                                     "間違いではありませんか。")
                self._misspelt.add(f"{prefix}{toml_key(suggestion[0])}")
            else:
                self.problems.append(f"{where} という項目はありません（書ける項目："
                                     f"{'、'.join(known)}）。")

    def table(self, parent: dict[str, Any], dotted: str, known: tuple[str, ...],
              free: bool = False) -> dict[str, Any]:
        """A table; unless ``free``, a key it should not hold is reported."""
        value = self._get(parent, dotted.rsplit(".", 1)[-1], dotted) if dotted else parent
        if value is _MISSING:
            return {}
        if not isinstance(value, dict):
            self.fail(dotted, f"[{dotted}] の表にしてください")
            return {}
        if not free:
            self._unknown_keys(value, f"{dotted}." if dotted else "", known)
        return value

    def blocks(self, parent: dict[str, Any], dotted: str, known: tuple[str, ...],
               allow_empty: bool = False) -> list[tuple[dict[str, Any], str]]:
        """Each [[block]] with how a message names it: "[[rubric.review]] の2番目（key = …）の "."""
        value = self._get(parent, dotted.rsplit(".", 1)[-1], dotted)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(dotted, f"[[{dotted}]] の表の並びにしてください")
            return []
        if not value and not allow_empty:
            self.fail(dotted, "1つ以上必要です")
        found = []
        for number, item in enumerate(value, start=1):
            key = f"（key = {_shown(item['key'])}）" if "key" in item else ""
            where = f"[[{dotted}]] の{number}番目{key}の "
            self._unknown_keys(item, where, known)
            found.append((item, where))
        return found

    def _value(self, table: dict[str, Any], name: str, where: str) -> tuple[Any, str]:
        dotted = f"{where}{name}" if where else name
        return self._get(table, name.rsplit(".", 1)[-1], dotted), dotted

    def text(self, table: dict[str, Any], name: str, where: str = "",
             longest: int | None = None) -> str:
        value, dotted = self._value(table, name, where)
        if value is not _MISSING and (not isinstance(value, str) or not value.strip()):
            self.fail(dotted, "空でない文字列にしてください", value)
        elif isinstance(value, str) and longest and len(value) > longest:
            self.fail(dotted, f"{longest}文字以内にしてください（現在{len(value)}文字）")
        return value if isinstance(value, str) else ""

    def integer(self, table: dict[str, Any], name: str, minimum: int,
                maximum: int | None = None, where: str = "") -> int:
        value, dotted = self._value(table, name, where)
        if value is _MISSING:
            return minimum
        if (not isinstance(value, int) or isinstance(value, bool) or value < minimum
                or (maximum is not None and value > maximum)):
            bound = f"{minimum}以上の整数" if maximum is None else f"{minimum}以上{maximum}以下の整数"
            self.fail(dotted, f"{bound}にしてください", value)
            return minimum
        return value

    def choice(self, table: dict[str, Any], name: str, choices: tuple[str, ...],
               where: str = "") -> str:
        value, dotted = self._value(table, name, where)
        if value is not _MISSING and value not in choices:
            self.fail(dotted, f" {'、'.join(choices)} のいずれかにしてください", value,
                      _did_you_mean(str(value), choices))
        return value if value in choices else choices[0]

    def list_of(self, table: dict[str, Any], dotted: str, choices: tuple[str, ...]) -> list[str]:
        value, _ = self._value(table, dotted, "")
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(v in choices for v in value):
            self.fail(dotted, f" {'、'.join(choices)} を並べたリストにしてください", value)
            return []
        return value

    def date(self, table: dict[str, Any], dotted: str) -> dt.date:
        value, _ = self._value(table, dotted, "")
        if value is not _MISSING and (isinstance(value, dt.datetime)
                                      or not isinstance(value, dt.date)):
            self.fail(dotted, " 2016-07-08 のような日付にしてください", value)
        return value if isinstance(value, dt.date) else dt.date(2000, 1, 1)

    def deadline(self, table: dict[str, Any], dotted: str) -> dt.datetime:
        value, _ = self._value(table, dotted, "")
        stand_in = dt.datetime(2000, 1, 1, tzinfo=JST)
        if value is _MISSING:
            return stand_in
        if isinstance(value, dt.date) and not 2000 <= value.year <= 2199:
            self.fail(dotted, " 2000年から2199年までの日時にしてください", value)
            return stand_in
        if isinstance(value, dt.datetime):
            return value.astimezone(JST) if value.tzinfo else value.replace(tzinfo=JST)
        if isinstance(value, dt.date):  # a date alone: that whole day counts
            return dt.datetime.combine(value, dt.time(23, 59, 59), JST)
        self.fail(dotted, " 2016-06-30T23:59:59+09:00 のような日時にしてください", value)
        return stand_in
