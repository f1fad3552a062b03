"""round.toml: the shipped file and the seed round load; every mistake names its key."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from pipeline.core.domain import MENUS
from pipeline.core.errors import SettingsError
from pipeline.core.settings import (
    JST,
    SHIPPED_ROUND,
    SHIPPED_TEMPLATES,
    RoundSettings,
)
from pipeline.core.settings_load import load_settings
from pipeline.core.settings_rows import overview_rows
from tests.conftest import ROUND_TOML

SEED = ROUND_TOML.read_text(encoding="utf-8")


def test_shipped_round_toml_loads() -> None:
    """Whatever staff changed in it this round, the shipped file must still load."""
    shipped = load_settings(SHIPPED_ROUND)
    assert shipped.max_districts >= 1 and shipped.templates.is_dir()


def test_seed_round() -> None:
    settings = load_settings(ROUND_TOML)
    assert settings.deadline == dt.datetime(2016, 6, 30, 23, 59, 59, tzinfo=JST)
    assert settings.max_districts == 5
    assert settings.max_per_municipality == 1
    assert settings.max_total == 100
    assert [c.points for c in settings.auto] == [4, 5, 5, 10]
    assert [c.weight for c in settings.review] == [4, 4, 4]
    assert settings.tie_break == ("reviewer_mean", "received_at", "file")


def _load(tmp_path: Path, text: str) -> RoundSettings:
    """``text`` as round.toml in a folder of its own, beside a copy of the fixture templates."""
    path = tmp_path / "round.toml"
    path.write_text(text, encoding="utf-8")
    if not (tmp_path / "templates").exists():
        shutil.copytree(ROUND_TOML.parent / "templates", tmp_path / "templates")
    return load_settings(path)


def _mistakes(tmp_path: Path, text: str) -> list[str]:
    """Each problem load_settings reports for ``text``, one per line."""
    with pytest.raises(SettingsError) as raised:
        _load(tmp_path, text)
    return [line.removeprefix("  ・") for line in str(raised.value).splitlines()[1:]]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("max_districts = 5", "max_districts = 0", "round.max_districts は1以上の整数にしてください（現在の値: 0）"),
        ("max_districts = 5", "max_districts = \"5\"", 'round.max_districts は1以上の整数にしてください（現在の値: "5"）'),
        ("max_per_municipality = 1\n", "", "round.max_per_municipality は必須です。値を書いてください。"),
        ('rule = "menu_fit"', 'rule = "luck"', '[[rubric.auto]] の4番目（key = "menu_fit"）の rule は commitments、pre_consultation、partners、menu_fit のいずれかにしてください（現在の値: "luck"）'),
        ('tie_break = ["reviewer_mean", "received_at", "file"]', 'tie_break = ["coin"]', "round.tie_break は reviewer_mean、received_at、file を並べたリストにしてください"),
        ("deadline = 2016-06-30T23:59:59+09:00", 'deadline = "6月30日"', "round.deadline は 2016-06-30T23:59:59+09:00 のような日時にしてください"),
        ('label = "波及効果"', 'label = "実現可能性"', "rubric の label は重複しています。「実現可能性」は1つの評価項目にだけ使ってください"),
    ],
)
def test_mistakes_name_the_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in SEED
    with pytest.raises(SettingsError) as raised:
        _load(tmp_path, SEED.replace(old, new, 1))
    assert message in str(raised.value)


def test_deadline_as_a_date_means_the_whole_day(tmp_path: Path) -> None:
    settings = _load(tmp_path, SEED.replace("deadline = 2016-06-30T23:59:59+09:00",
                                             "deadline = 2016-06-30"))
    assert settings.deadline == dt.datetime(2016, 6, 30, 23, 59, 59, tzinfo=JST)


def test_malformed_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="書き方に誤りがあります：1行目の7文字目で、"
                                            "\\[表の名前\\] の閉じの「\\]」がありません"):
        _load(tmp_path, "[round\nname = 1")
    with pytest.raises(SettingsError, match="が見つかりません"):
        load_settings(tmp_path / "none.toml")


@pytest.mark.parametrize(("change", "message"), [
    (("deadline = 2016-06-30T23:59:59+09:00", "deadline = 0001-01-01T00:00:00+09:00"),
     "round.deadline は 2000年から2199年までの日時にしてください"),
    (("kpi_rows = 5", "kpi_rows = 2000000"), "plan.kpi_rows は1以上50以下の整数にしてください"),
    (('label = "波及効果"', 'label = "判定"'), "rubric の label は「判定」にできません。選定結果の列名と同じです"),
])
def test_values_that_would_break_a_run_are_refused_by_name(tmp_path: Path, change: tuple[str, str],
                                                          message: str) -> None:
    assert change[0] in SEED
    with pytest.raises(SettingsError, match=message):
        _load(tmp_path, SEED.replace(*change))


def test_a_round_toml_saved_with_a_bom_loads(tmp_path: Path) -> None:
    assert _load(tmp_path, "\ufeff" + SEED).max_districts == 5


def test_a_misspelt_key_is_named_with_the_key_it_probably_means(tmp_path: Path) -> None:
    """The typo is the one problem reported: not also "max_districts は必須です"."""
    assert _mistakes(tmp_path, SEED.replace("max_districts = 5", "max_districs = 5")) == [
        "round.max_districs という項目はありません。「max_districts」の書き間違いではありませんか。"]


def test_a_misspelt_optional_key_is_not_ignored(tmp_path: Path) -> None:
    text = SEED.replace('templates = "templates"', 'templats = "templates"')
    assert _mistakes(tmp_path, text) == [
        "correspondence.templats という項目はありません。「templates」の書き間違いではありませんか。"]


def test_an_unknown_key_lists_the_keys_that_can_be_written(tmp_path: Path) -> None:
    text = SEED.replace("[office]\n", "[office]\nfax = \"03-0000-0000\"\n")
    assert _mistakes(tmp_path, text) == [
        "office.fax という項目はありません（書ける項目：name、address、phone、email）。"]


def test_every_mistake_is_reported_in_one_run(tmp_path: Path) -> None:
    text = (SEED.replace("max_districts = 5", "max_districts = 0")
            .replace("deadline = 2016-06-30T23:59:59+09:00", 'deadline = "6月30日"')
            .replace('"ワークショップ運営支援" = "前期"', '"ワークショップ支援" = "前期"')
            .replace("weight = 4", 'weight = "4"'))
    assert _mistakes(tmp_path, text) == [
        '[[rubric.review]] の1番目（key = "clarity"）の weight は0以上の整数にしてください（現在の値: "4"）。',
        '[[rubric.review]] の2番目（key = "feasibility"）の weight は0以上の整数にしてください（現在の値: "4"）。',
        '[[rubric.review]] の3番目（key = "impact"）の weight は0以上の整数にしてください（現在の値: "4"）。',
        'round.deadline は 2016-06-30T23:59:59+09:00 のような日時にしてください（現在の値: "6月30日"）。',
        "round.max_districts は1以上の整数にしてください（現在の値: 0）。",
        'plan.menu_phase."ワークショップ支援" という項目はありません。「ワークショップ運営支援」の書き間違いではありませんか。',
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("[round]\ndeadline = 2016-06-31\n",
     "設定ファイル {path} の書き方に誤りがあります：2行目の12文字目で、日付・日時の書き方が正しくありません"),
    # tomllib reads these as the number 2016 and "a second value": the date is what is wrong
    ("[round]\ndeadline = 2017-13-01T00:00:00+09:00\n", "2行目の16文字目で、日付・日時の書き方が正しくありません"),
    ("[round]\ndeadline = 2017-01-31T24:30:00+09:00\n", "2行目の22文字目で、日付・日時の書き方が正しくありません"),
    ("[round]\ndeadline = 2017/1/31\n", "2行目の16文字目で、日付・日時の書き方が正しくありません"),
    ('[round]\nname = "a" "b"\n', "2行目の12文字目で、1行に2つの値が書かれています"),
    ('[plan.menu_phase]\nワークショップ運営支援 = "前期"\n',
     "2行目の1文字目で、「名前 = 値」または [表の名前] の形になっていません（日本語の名前は \"…\" で囲みます）"),
    ('[round]\nname = "平成29年度\n', "2行目の15文字目で、文字の閉じの「\"」がありません"),
])
def test_toml_syntax_errors_are_in_japanese_with_the_line(tmp_path: Path, text: str,
                                                          message: str) -> None:
    path = tmp_path / "round.toml"
    with pytest.raises(SettingsError) as raised:
        _load(tmp_path, text)
    first, shown = str(raised.value).splitlines()
    assert message.format(path=path) in first
    assert shown == f"  2行目: {text.splitlines()[1]}"


def test_templates_resolve_beside_round_toml_and_default_to_the_shipped_ones(
        tmp_path: Path) -> None:
    elsewhere = tmp_path / "rounds" / "2017"
    elsewhere.mkdir(parents=True)
    settings = _load(elsewhere, SEED)
    assert settings.templates == elsewhere / "templates"
    (elsewhere / "round.toml").write_text(SEED.replace('templates = "templates"\n', ""),
                                         encoding="utf-8")
    assert load_settings(elsewhere / "round.toml").templates == SHIPPED_TEMPLATES
    assert (SHIPPED_TEMPLATES / "選定.txt").is_file()
    missing = SEED.replace('templates = "templates"', 'templates = "文面"')
    assert _mistakes(elsewhere, missing) == [
        f"correspondence.templates はフォルダ {elsewhere / '文面'} がありません。設定ファイルのフォルダ"
        "からの相対パスで書くか、行を消して付属のひな形を使ってください（現在の値: \"文面\"）。"]


def test_the_menu_fit_table_is_read_and_checked(tmp_path: Path) -> None:
    settings = _load(tmp_path, SEED)
    assert settings.menu_fit["担い手の発掘・拡大"] == ("地域デビュー支援策のブラッシュアップ",
                                                  "プロボノ事務局移転支援")
    assert len(settings.menu_fit["その他"]) == 7
    rows = dict(overview_rows(settings))
    assert rows["メニューの適合：活動の継続・資金確保"] == "プラン策定支援"
    typo = SEED.replace('"活動の継続・資金確保" = ["プラン策定支援"]',
                        '"活動の継続・資金確保" = ["プラン策定"]')
    assert _mistakes(tmp_path, typo) == [
        'rubric.menu_fit."活動の継続・資金確保" は「プラン策定」は「プラン策定支援」の書き間違いでは'
        "ありませんか。支援メニューの名前（" + "、".join(MENUS) + "）を並べたリストにしてください"
        '（現在の値: ["プラン策定"]）。']


def test_a_round_name_too_long_for_a_print_header_is_refused(tmp_path: Path) -> None:
    text = SEED.replace('name = "平成28年度', f'name = "{"長" * 120}平成28年度', 1)
    assert _mistakes(tmp_path, text) == ["round.name は100文字以内にしてください（現在144文字）。"]


def test_print_headers_escape_ampersands_and_fit_excel_s_limit(tmp_path: Path) -> None:
    import xlsxwriter

    from pipeline.stage3_write.xlsx import print_setup

    workbook = xlsxwriter.Workbook(str(tmp_path / "h.xlsx"))
    sheet = workbook.add_worksheet()
    print_setup(sheet, landscape=True, header="A&B " + "長" * 300)
    header = sheet.header
    workbook.close()
    assert header.startswith("&L&9A&&B ") and len(header) <= 255 and header.endswith("…")


# --- Settings that cannot work, or may not be meant (issue 24, case 12) --------------------------

def _dates(deadline: str, resubmission: str) -> str:
    """The seed round with another deadline and 再提出期限."""
    assert "resubmission_deadline = 2016-07-08" in SEED
    return (SEED.replace("deadline = 2016-06-30T23:59:59+09:00", f"deadline = {deadline}")
            .replace("resubmission_deadline = 2016-07-08",
                     f"resubmission_deadline = {resubmission}"))


@pytest.mark.parametrize("resubmission", ["2028-02-04", "2028-01-31"])
def test_a_resubmission_deadline_not_after_the_deadline_is_refused(tmp_path: Path,
                                                                   resubmission: str) -> None:
    """Reported with every other mistake, naming the key and what to write."""
    text = _dates("2028-02-04T17:00:00+09:00", resubmission).replace("max_districts = 5",
                                                                     "max_districts = 0")
    assert _mistakes(tmp_path, text) == [
        "round.max_districts は1以上の整数にしてください（現在の値: 0）。",
        "correspondence.resubmission_deadline は締切（round.deadline：2028年2月4日）より後の日付"
        "（例：2028-02-18）にしてください。締切の日以前では、差戻しの修正版がすべて期限後の受付に"
        f"なり不適格になります（現在の値: {resubmission}）。",
    ]


def test_a_resubmission_deadline_the_day_after_is_accepted(tmp_path: Path) -> None:
    settings = _load(tmp_path, _dates("2028-02-04T17:00:00+09:00", "2028-02-07"))
    assert settings.resubmission_deadline == dt.date(2028, 2, 7)
    assert settings.warnings == ()  # a Friday and a Monday


def test_a_deadline_on_a_day_off_is_a_warning(tmp_path: Path) -> None:
    """A public holiday (jpholiday), a Sunday, a Saturday: warnings; the settings still load."""
    holiday = _load(tmp_path, _dates("2028-03-20T17:00:00+09:00", "2028-04-02"))
    assert holiday.warnings == (
        "締切（round.deadline）の2028年3月20日は祝日（春分の日）です。休みの日を期限にしてよいか"
        "確かめてください（よければそのままで構いません）。",
        "再提出期限（correspondence.resubmission_deadline）の2028年4月2日は日曜日です。休みの日を"
        "期限にしてよいか確かめてください（よければそのままで構いません）。",
    )
    saturday = _load(tmp_path, _dates("2028-01-08", "2028-01-21"))
    assert [w.split("は", 1)[0] for w in saturday.warnings] == ["締切（round.deadline）の2028年1月8日"]
    assert "土曜日" in saturday.warnings[0]
    assert load_settings(ROUND_TOML).warnings == ()


def test_a_resubmission_deadline_that_is_not_a_date_is_one_mistake(tmp_path: Path) -> None:
    """Not also compared with the deadline as if it were a date."""
    assert _mistakes(tmp_path, _dates("2028-02-04T17:00:00+09:00", '"2月18日"')) == [
        'correspondence.resubmission_deadline は 2016-07-08 のような日付にしてください（現在の値: "2月18日"）。']
