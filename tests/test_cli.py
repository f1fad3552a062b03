"""The `bansou` command line: messages and exit codes."""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import ROUND_TOML
from tests.formfactory import make_form, with_values
from tests.roundfactory import fill_review, make_register

FIXTURE = ("--config", str(ROUND_TOML))  # never the shipped round.toml


def test_form_writes_the_blank_form(tmp_path: Path) -> None:
    target = tmp_path / "out" / "申請用紙.xlsx"
    result = CliRunner().invoke(main, ["form", *FIXTURE, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output == f"申請用紙を作成しました: {target}（平成28年度 中間支援力強化のための伴走支援事業）\n"
    assert target.read_bytes()[:2] == b"PK"
    assert [p.name for p in target.parent.iterdir()] == ["申請用紙.xlsx"]  # no temporary left


def test_form_into_a_place_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["form", *FIXTURE, "-o", str(blocker / "申請用紙.xlsx")])
    assert result.exit_code == 1
    assert result.output.startswith("エラー: ファイルを読み書きできません：")
    assert "Traceback" not in result.output


def test_check_clean_form_exits_0(tmp_path: Path, blank_dir: Path) -> None:
    path = make_form(tmp_path / "ok.xlsx", blank_dir=blank_dir)
    result = CliRunner().invoke(main, ["check", *FIXTURE, str(path)])
    assert result.exit_code == 0
    assert result.output == "ok.xlsx: 不備はありません。\n"


def test_check_reports_each_problem_with_its_cell_and_exits_3(tmp_path: Path,
                                                               blank_dir: Path) -> None:
    ok = make_form(tmp_path / "ok.xlsx", blank_dir=blank_dir)
    bad = make_form(tmp_path / "bad.xlsx", with_values({"電話番号": "123", "団体名": None}),
                    blank_dir=blank_dir)
    result = CliRunner().invoke(main, ["check", *FIXTURE, str(ok), str(bad)])
    assert result.exit_code == 3
    assert result.output.splitlines() == [
        "ok.xlsx: 不備はありません。",
        "bad.xlsx: 2件の不備があります。",
        "  申請書!B8  団体名: 「団体名」が未入力です。団体の正式名称を入力してください。",
        "  申請書!B17  電話番号: 「電話番号」の「123」は電話番号として読み取れません。"
        "市外局番から10桁または11桁で入力してください（例：03-1234-5678）。",
    ]


@pytest.mark.slow
def test_check_many_files_keeps_each_apart(tmp_path: Path, blank_dir: Path) -> None:
    """A whole inbox at once (read together, in worker processes from 200 files): each file
    gets its own problems, in the order given, even where two share a name."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    good = make_form(tmp_path / "a" / "同じ名前.xlsx", blank_dir=blank_dir)
    bad = make_form(tmp_path / "b" / "同じ名前.xlsx", with_values({"電話番号": "123"}),
                    blank_dir=blank_dir)
    copies = []
    for n in range(210):
        copies.append(tmp_path / f"copy{n:03d}.xlsx")
        copies[-1].write_bytes(good.read_bytes())
    result = CliRunner().invoke(main, ["check", *FIXTURE, str(bad), *map(str, copies), str(good)])
    assert result.exit_code == 3
    lines = result.output.splitlines()
    assert lines[:2] == ["同じ名前.xlsx: 1件の不備があります。",
                         "  申請書!B17  電話番号: 「電話番号」の「123」は電話番号として読み取れません。"
                         "市外局番から10桁または11桁で入力してください（例：03-1234-5678）。"]
    assert lines[2:] == [f"copy{n:03d}.xlsx: 不備はありません。" for n in range(210)] + [
        "同じ名前.xlsx: 不備はありません。"]


def test_check_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "scan.xlsx"
    path.write_bytes(b"%PDF-1.4 not a workbook")
    result = CliRunner().invoke(main, ["check", *FIXTURE, str(path)])
    assert result.exit_code == 3
    assert "scan.xlsx: 1件の不備があります。" in result.output
    assert result.output.splitlines()[1] == (
        "  -  ファイル: PDFファイルです。PDFは読み取れません。配布した申請用紙（Excel）に記入し、"
        ".xlsxのまま再送してください。")


def test_check_usage_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no inbox/ here, and no file named
    assert CliRunner().invoke(main, ["check", *FIXTURE]).exit_code == 2
    assert CliRunner().invoke(main, ["check", str(tmp_path / "missing.xlsx")]).exit_code == 2


def _commands() -> list[tuple[str, click.Command]]:
    assert isinstance(main, click.Group)
    return sorted(main.commands.items())


@pytest.mark.parametrize(("name", "command"), _commands())
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    assert command.help, name
    assert "例:" in command.help, name
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0


@pytest.mark.slow
def test_check_answers_a_file_that_is_no_form_without_the_deciding_stage(tmp_path: Path) -> None:
    """Heavy imports only where needed (issue 8): a PDF or a damaged file is answered without
    pandas or pandera, with the same message as a run gives it."""
    import subprocess
    import sys

    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 scanned")
    (tmp_path / "cut.xlsx").write_bytes(b"PK\x03\x04 cut short")
    probe = ("import sys\n"
             "from pathlib import Path\n"
             "from pipeline.check import check_files\n"
             "found = check_files([Path('scan.pdf'), Path('cut.xlsx')])\n"
             "print(sorted(p.code for ps in found.values() for p in ps))\n"
             "print('pandas' in sys.modules, 'pandera' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert done.stdout.splitlines() == ["['damaged', 'pdf']", "False False"]


@pytest.mark.slow  # a whole round: make test runs it
def test_the_command_s_exit_codes_and_output_survive_its_quick_exit(tmp_path: Path,
                                                                   blank_dir: Path) -> None:
    """``bansou`` ends with os._exit (no teardown of a large round's objects): its exit codes,
    its console output and its files must all be there as with a normal exit."""
    import subprocess
    import sys

    def bansou(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True,
                              text=True, check=False, cwd=tmp_path)

    helped = bansou("--help")
    assert helped.returncode == 0 and "使い方: " in helped.stdout
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_form(inbox / "a.xlsx", blank_dir=blank_dir)
    ran = bansou("run", "--inbox", "inbox", "--outbox", "outbox", *FIXTURE)
    assert ran.returncode == 0 and "結果: outbox/選定結果.xlsx" in ran.stdout, ran.stderr
    assert (tmp_path / "outbox" / "選定結果.xlsx").stat().st_size > 0
    (inbox / "b.xlsx").write_bytes(b"not a workbook")
    checked = bansou("check", *FIXTURE, "inbox/b.xlsx")
    assert checked.returncode == 3 and "b.xlsx" in checked.stdout
    failed = bansou("run", "--inbox", "missing", "--outbox", "outbox", *FIXTURE)
    assert failed.returncode == 1 and "受付フォルダ missing が見つかりません" in failed.stderr
    assert bansou("no-such-command").returncode == 2


@pytest.mark.slow
def test_check_reads_a_review_sheet_as_a_review_sheet(tmp_path: Path, blank_dir: Path) -> None:
    outbox = tmp_path / "outbox"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_form(inbox / "a.xlsx", blank_dir=blank_dir)
    assert CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--outbox", str(outbox),
                                     *FIXTURE]).exit_code == 0
    sheet = fill_review(outbox / "審査票.xlsx", inbox / "審査" / "審査票_山口.xlsx", "山口",
                        {"a.xlsx": (5, "たくさん", 3)})
    result = CliRunner().invoke(main, ["check", *FIXTURE, str(sheet)])
    assert result.exit_code == 3, result.output
    assert "審査票!I6  実現可能性:" in result.output and "申請書" not in result.output


def test_check_reads_the_register_as_a_register(tmp_path: Path) -> None:
    register = make_register(tmp_path / "受付簿.xlsx", [("a.xlsx", "2016/6/30 10:00"),
                                                     ("b.xlsx", "朝")])
    result = CliRunner().invoke(main, ["check", *FIXTURE, str(register)])
    assert result.exit_code == 3
    assert result.output.splitlines() == [
        "受付簿.xlsx: 1件の不備があります。",
        "  C3  受付日時: 「受付日時」の「朝」を日時として読み取れません。2016/6/30 17:05 の形で入力してください。",
    ]


def test_check_without_files_checks_the_whole_inbox_whatever_the_names(
        tmp_path: Path, blank_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_form(inbox / "申請用紙 (1).xlsx", blank_dir=blank_dir)
    make_form(inbox / "調布 市民.xlsx", with_values({"電話番号": "12"}), blank_dir=blank_dir)
    monkeypatch.chdir(tmp_path)  # make check runs in the project folder, with inbox/ in it
    result = CliRunner().invoke(main, ["check", *FIXTURE])
    assert result.exit_code == 3, result.output
    assert "申請用紙 (1).xlsx: 不備はありません。" in result.output
    assert "調布 市民.xlsx: 1件の不備があります。" in result.output


def test_the_blank_form_is_readable_by_others_like_any_saved_file(tmp_path: Path) -> None:
    target = tmp_path / "申請用紙.xlsx"
    assert CliRunner().invoke(main, ["form", *FIXTURE, "-o", str(target)]).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
