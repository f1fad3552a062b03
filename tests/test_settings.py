"""round.toml: the shipped file and the seed round load; every mistake names its key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.core.errors import SettingsError
from pipeline.core.settings import JST, load_settings
from tests.conftest import ROUND_TOML

ROOT = Path(__file__).resolve().parents[1]
SEED = ROUND_TOML.read_text(encoding="utf-8")


def test_shipped_round_toml_loads() -> None:
    """Whatever staff changed in it this round, the shipped file must still load."""
    shipped = load_settings(ROOT / "round.toml")
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


def _load(tmp_path: Path, text: str):
    path = tmp_path / "round.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("max_districts = 5", "max_districts = 0", "round.max_districts は1以上の整数にしてください（現在の値: 0）"),
        ("max_districts = 5", "max_districts = \"5\"", "round.max_districts は1以上の整数にしてください（現在の値: '5'）"),
        ("max_per_municipality = 1\n", "", "round.max_per_municipality は必須です。値を書いてください。"),
        ('rule = "menu_fit"', 'rule = "luck"', "rubric.auto[3].rule は commitments、pre_consultation、partners、menu_fit のいずれかにしてください（現在の値: 'luck'）"),
        ('tie_break = ["reviewer_mean", "received_at", "file"]', 'tie_break = ["coin"]', "round.tie_break は reviewer_mean、received_at、file を並べたリストにしてください"),
        ("deadline = 2016-06-30T23:59:59+09:00", 'deadline = "6月30日"', "round.deadline は 2016-06-30T23:59:59+09:00 のような日時にしてください"),
        ('label = "波及効果"', 'label = "実現可能性"', "rubric で key または label が重複しています"),
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
    with pytest.raises(SettingsError, match="書き方に誤りがあります"):
        _load(tmp_path, "[round\nname = 1")
    with pytest.raises(SettingsError, match="が見つかりません"):
        load_settings(tmp_path / "none.toml")


@pytest.mark.parametrize(("change", "message"), [
    (("deadline = 2016-06-30T23:59:59+09:00", "deadline = 0001-01-01T00:00:00+09:00"),
     "round.deadline は 2000年から2199年までの日時にしてください"),
    (("kpi_rows = 5", "kpi_rows = 2000000"), "plan.kpi_rows は1以上50以下の整数にしてください"),
    (('label = "波及効果"', 'label = "判定"'), "label「判定」は選定結果の列名と同じです"),
])
def test_values_that_would_break_a_run_are_refused_by_name(tmp_path: Path, change: tuple[str, str],
                                                          message: str) -> None:
    assert change[0] in SEED
    with pytest.raises(SettingsError, match=message):
        _load(tmp_path, SEED.replace(*change))


def test_a_round_toml_saved_with_a_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "round.toml"
    path.write_bytes("\ufeff".encode() + SEED.encode("utf-8"))
    assert load_settings(path).max_districts == 5
