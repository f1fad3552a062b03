"""The round's settings, loaded once from round.toml into one typed object."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jpholiday

from pipeline import __version__
from pipeline.core.domain import CHALLENGE_CATEGORIES, COMMITMENTS, MENUS
from pipeline.core.errors import SettingsError
from pipeline.core.processes import LIMITS_TEXT
from pipeline.core.support_settings import SupportSettings, parse_support
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
        rows += [(f"配点：{c.label}", f"{self.auto_max(c)}点（自動：{self.rule_text(c)}）")
                 for c in self.auto]
        rows += [(f"配点：{c.label}", f"{c.weight * max(REVIEW_SCORES)}点（審査 1〜5点×{c.weight}）")
                 for c in self.review]
        rows.append(("満点", f"{self.max_total}点"))
        if any(c.rule == "menu_fit" for c in self.auto):
            rows += [(f"メニューの適合：{category}", "、".join(menus) or "（点は付きません）")
                     for category, menus in self.menu_fit.items()]
        # not settings of the round, but what 概要 shows beside them: the tool that ran it
        rows += [("ツールの版", f"bansou {__version__}"), ("読み込みの上限", LIMITS_TEXT)]
        return rows

    def rule_text(self, criterion: AutoCriterion) -> str:
        """How an automatic criterion's points are earned, as 概要 explains it."""
        return {
            "commitments": f"実施体制の○1つにつき{criterion.points}点",
            "pre_consultation": f"事前相談「あり」で{criterion.points}点",
            "partners": f"連携先の記入があれば{criterion.points}点（「なし」「－」などは記入なし）",
            "menu_fit": f"取組課題の区分に合う支援メニューを1つ以上選んでいれば{criterion.points}点"
                        "。区分ごとのメニューは下の「メニューの適合」の行",
        }[criterion.rule]


_WEEKDAYS = "月火水木金土日"


def day_off(day: dt.date) -> str:
    """What makes a day a day off in Japan ("日曜日", "祝日（成人の日）"), or "" for a working day.
    Holidays from jpholiday, which follows the holiday law (substitute and in-between days too)."""
    if holiday := jpholiday.is_holiday_name(day):
        return f"祝日（{holiday}）"
    return f"{_WEEKDAYS[day.weekday()]}曜日" if day.weekday() >= 5 else ""


def load_settings(path: Path) -> RoundSettings:
    """Read and check round.toml. Every problem in the file is reported at once, in Japanese,
    naming the key (and the line, for a TOML syntax error)."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # Notepad may add a BOM
    except FileNotFoundError as error:
        raise SettingsError(f"設定ファイル {path} が見つかりません。") from error
    except UnicodeDecodeError as error:
        raise SettingsError(f"設定ファイル {path} を文字として読めません。メモ帳などで文字コード"
                            "「UTF-8」を選んで保存し直してください。") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(toml_error_message(str(path), text, error)) from error
    return parse_settings(data, str(path), path.parent)


# tomllib's messages (Python 3.11–3.13), start → what it means for someone editing round.toml.
_TOML_MESSAGES = (
    ("Invalid date or datetime", "日付・日時の書き方が正しくありません（例：2016-06-30、"
                                 "2016-06-30T23:59:59+09:00。ありえない日付も誤りです）"),
    ("Invalid value", "値の書き方が正しくありません（文字は \"…\" で囲み、数はそのまま、"
                      "リストは [ ] で囲みます）"),
    ("Invalid statement", "「名前 = 値」または [表の名前] の形になっていません（日本語の名前は "
                          "\"…\" で囲みます）"),
    ("Invalid initial character for a key part", "名前の書き方が正しくありません（日本語の名前は "
                                                 "\"…\" で囲みます）"),
    ("Expected '=' after a key", "名前の後に「=」と値がありません"),
    ("Expected newline or end of document", "1行に2つの値が書かれています（1行に「名前 = 値」は"
                                            "1つです。文字は \"…\" で囲みます）"),
    ("Expected ']]'", "[[表の名前]] の閉じの「]]」がありません"),
    ("Expected ']'", "[表の名前] の閉じの「]」がありません"),
    ("Expected", "閉じの記号がありません"),
    ("Unclosed array", "リストの閉じの「]」がありません"),
    ("Unclosed inline table", "{ } の閉じの「}」がありません"),
    ("Unterminated string", "文字の閉じの「\"」がありません"),
    ("Unescaped '\\'", "文字の中の「\\」は「\\\\」と書きます（フォルダの区切りは「/」でもかまいません）"),
    ("Illegal character '\\n'", "文字の閉じの「\"」がありません（文字は1行の中で閉じます）"),
    ("Illegal character", "使えない制御文字が含まれています"),
    ("Found invalid character", "使えない文字が含まれています"),
    ("Cannot overwrite a value", "同じ名前が2回書かれています"),
    ("Cannot declare", "同じ表が2回書かれています"),
    ("Duplicate inline table key", "同じ名前が2回書かれています"),
)
_TOML_PLACE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")


def toml_error_message(source: str, text: str, error: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error in Japanese, with its line and column and the line itself."""
    english = str(error)
    place = _TOML_PLACE.search(english)
    message = english[:place.start()] if place else english
    what = next((ja for start, ja in _TOML_MESSAGES if message.startswith(start)),
                f"書き方に誤りがあります（{message}）")
    lines = text.splitlines() or [""]
    if place and place.group(1):
        line, column = int(place.group(1)), int(place.group(2))
        where = f"{line}行目の{column}文字目"
    else:
        line = len(lines)
        where = f"最後（{line}行目）"
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    return (f"設定ファイル {source} の書き方に誤りがあります：{where}で、{what}。\n"
            f"  {line}行目: {shown.strip()}")


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


def _shipped(name: str) -> Path:
    """A file shipped inside the package (pipeline/data), wherever the package is installed.
    An installed wheel is unpacked on disk, so the resource is a real path."""
    return Path(str(resources.files("pipeline") / "data" / name))


# The sample round's settings (the seed round; used when there is no round.toml, saying so) and
# the letters' templates (used when round.toml names no folder).
SHIPPED_ROUND = _shipped("round.toml")
SHIPPED_TEMPLATES = _shipped("templates")


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
