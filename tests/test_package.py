"""The package stands alone: its data inside it, one version, commands that run in a folder with
no file of the repository (`make package-check` installs the built wheel and runs them)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import pipeline
from pipeline.cli import main
from pipeline.core.settings import SHIPPED_ROUND, SHIPPED_TEMPLATES, RoundSettings
from tests.roundfactory import one_form_round, org

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(pipeline.__file__).parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_is_written_in_one_place_and_shown() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "pipeline.__version__"}
    shown = CliRunner().invoke(main, ["--version"])
    assert shown.exit_code == 0 and shown.output == f"bansou {pipeline.__version__}\n"


def test_every_data_file_is_in_the_package_and_in_its_wheel() -> None:
    assert SHIPPED_ROUND.is_file() and SHIPPED_ROUND.is_relative_to(PACKAGE)
    assert SHIPPED_TEMPLATES.is_dir() and SHIPPED_TEMPLATES.is_relative_to(PACKAGE)
    globs = PYPROJECT["tool"]["setuptools"]["package-data"]["pipeline"]
    data = [p.relative_to(PACKAGE).as_posix() for p in (PACKAGE / "data").rglob("*") if p.is_file()]
    assert data and all(any(fnmatch.fnmatch(rel, glob) for glob in globs) for rel in data), data


def test_no_code_finds_a_file_through_the_source_tree() -> None:
    for source in [*PACKAGE.rglob("*.py"), *(ROOT / "schemas").rglob("*.py")]:
        text = source.read_text(encoding="utf-8")
        assert "parents[" not in text and "__file__" not in text, source


def test_the_tool_s_version_and_limits_are_in_the_summary(inbox: Path, blank_dir: Path,
                                                          settings: RoundSettings) -> None:
    outbox = one_form_round(inbox, "a.xlsx", org("エーの会", "三鷹市"), settings, blank_dir=blank_dir)
    sheet = openpyxl.load_workbook(outbox / "選定結果.xlsx")["概要"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert rows["ツールの版"] == f"bansou {pipeline.__version__}"
    assert "Windows ではこの上限を使えません" in rows["読み込みの上限"]


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of the office's PC: no round.toml, nothing of the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_form_and_new_round_work_where_there_is_no_round_toml_and_say_what_they_used(
        office: Path) -> None:
    made = CliRunner().invoke(main, ["form"])
    assert made.exit_code == 0, made.output
    assert made.output.startswith("設定の注意: このフォルダに round.toml がないため、付属の見本の設定")
    assert (office / "outbox" / "申請用紙.xlsx").is_file()
    started = CliRunner().invoke(main, ["new-round", "年度/2019"])
    assert started.exit_code == 0, started.output
    copied = {p.name for p in (office / "年度" / "2019" / "templates").iterdir()}
    assert copied == {p.name for p in SHIPPED_TEMPLATES.iterdir()}
    assert "平成29年度" in (office / "年度" / "2019" / "round.toml").read_text(encoding="utf-8")
    ran = CliRunner().invoke(main, ["run", "--round", "年度/2019"])
    assert ran.exit_code == 0, ran.output
    assert "付属の見本" not in ran.output  # the round's own round.toml
