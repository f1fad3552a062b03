"""A round as Windows runs it, simulated where no Windows machine exists (as csvkit and
sqlite-utils run their CI on Windows): tests/windows/sitecustomize.py takes fcntl and resource
away and spawns the workers instead of forking them; the console is a Japanese one redirected
(cp932). The outputs are byte for byte those of the same round run normally."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.stage3_write.outputs import MAX_PATH, windows_length
from tests.conftest import ROUND_TOML
from tests.hostile import build
from tests.roundfactory import RUN_AT, add_form, add_forms, org
from tests.snapshot import contents

ROOT = Path(__file__).resolve().parents[1]
SIMULATION = Path(__file__).parent / "windows"
CONSOLE = "cp932"


def _env(windows: bool) -> dict[str, str]:
    path = [*([str(SIMULATION)] if windows else []), str(ROOT), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in path if p),
            "PYTHONIOENCODING": CONSOLE, "SOURCE_DATE_EPOCH": str(int(RUN_AT.timestamp()))}


def _bansou(*args: str | Path, windows: bool, **popen: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], env=_env(windows),
                          capture_output=True, timeout=600, check=False, **popen)  # type: ignore[call-overload]


def _files(directory: Path) -> dict[str, str]:
    return {rel: hashlib.sha256(data).hexdigest() for rel, data in contents(directory).items()}


def test_the_simulation_is_windows_as_the_pipeline_sees_it() -> None:
    probe = ("import importlib, multiprocessing, sys\n"
             "from pipeline.core import processes\n"
             "for module in ('fcntl', 'resource'):\n"
             "    try:\n"
             "        importlib.import_module(module)\n"
             "        print(module, 'present')\n"
             "    except ImportError:\n"
             "        print(module, 'missing')\n"
             "print(multiprocessing.get_start_method(), processes.forking())\n"
             "print('・'.join(processes.missing_limits()), sys.stdout.encoding)")
    shown = subprocess.run([sys.executable, "-c", probe], env=_env(windows=True),
                           capture_output=True, check=True).stdout.decode(CONSOLE).splitlines()
    assert shown == ["fcntl missing", "resource missing", "spawn False", "メモリ・CPU 時間 cp932"]


@pytest.mark.slow
def test_the_demo_round_on_windows_writes_the_same_bytes(tmp_path: Path) -> None:
    for platform, windows in (("linux", False), ("windows", True)):
        done = _bansou("demo", tmp_path / platform, "--config", ROUND_TOML, windows=windows)
        assert done.returncode == 0, done.stderr.decode(CONSOLE, "replace")
    assert _files(tmp_path / "windows") == _files(tmp_path / "linux")
    assert len(_files(tmp_path / "linux" / "outbox")) > 40


@pytest.fixture(scope="module")
def hostile_inbox(tmp_path_factory: pytest.TempPathFactory, blank_dir: Path) -> Path:
    inbox = tmp_path_factory.mktemp("hostile") / "inbox"
    inbox.mkdir()
    build(inbox, blank_dir)
    return inbox


@pytest.mark.slow
def test_a_hostile_round_on_windows_writes_the_same_bytes(hostile_inbox: Path,
                                                          tmp_path: Path) -> None:
    for platform, windows in (("linux", False), ("windows", True)):
        done = _bansou("run", "--inbox", hostile_inbox, "--outbox", tmp_path / platform,
                       "--config", ROUND_TOML, windows=windows)
        assert done.returncode == 0, done.stderr.decode(CONSOLE, "replace")
        said = done.stdout.decode(CONSOLE)
        assert ("上限を設けられません" in said) == windows  # never silently without limits
    assert _files(tmp_path / "windows") == _files(tmp_path / "linux")


@pytest.mark.slow  # runs the command on a simulated Japanese Windows console
def test_check_on_a_japanese_console_shows_what_cp932_lacks_as_question_marks(
        hostile_inbox: Path) -> None:
    """𠮷, 🌸 and the control characters of the hostile forms: exit 3 (problems found), not 1."""
    done = _bansou("check", "--inbox", hostile_inbox, "--config", ROUND_TOML, windows=True)
    assert done.returncode == 3, done.stderr.decode(CONSOLE, "replace")
    said = done.stdout.decode(CONSOLE)  # what the console shows, in its own encoding
    assert "formulas.xlsx: 1件の不備があります。" in said and "?" in said
    missing = _bansou("check", "--config", ROUND_TOML, "𠮷田🌸の申請.xlsx", windows=True)
    assert missing.returncode == 2  # a usage error, said on stderr in cp932
    assert "ファイル ?田?の申請.xlsx が見つかりません" in missing.stderr.decode(CONSOLE)


def test_a_second_run_on_the_same_outbox_is_refused_without_fcntl(hostile_inbox: Path,
                                                                  tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    holder = subprocess.Popen(  # a run on another PC holding the outbox, as Windows locks it
        [sys.executable, "-c", "import filelock, sys, time\n"
         "held = filelock.FileLock(sys.argv[1]); held.acquire(); print('locked', flush=True)\n"
         "time.sleep(60)", str(outbox / ".bansou.lock")],
        env=_env(windows=True), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        started = time.monotonic()
        refused = _bansou("run", "--inbox", hostile_inbox, "--outbox", outbox, "--config",
                          ROUND_TOML, windows=True)
        assert time.monotonic() - started < 60
    finally:
        holder.kill()
        holder.wait()
    assert refused.returncode == 1
    assert f"同じ出力フォルダ {outbox} を使っています" in refused.stderr.decode(CONSOLE)
    assert not (outbox / "選定結果.xlsx").exists()


def _deep(top: Path, length: int) -> Path:
    """A folder whose path is ``length`` characters (a OneDrive folder several levels down)."""
    folder = top
    while len(str(folder)) < length - 60:
        folder = folder / ("深い階層の共有フォルダ" + "x" * 40)
    return folder / ("y" * (length - len(str(folder)) - 1))


def _paths_as_windows_sees_them(outbox: Path) -> list[tuple[int, str]]:
    return [(windows_length(str(p)), p.name) for p in outbox.rglob("*")]


def test_names_from_applicants_are_cut_so_every_path_opens_on_windows_and_the_run_says_so(
        tmp_path: Path, blank_dir: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    long_file = "令和の𠮷田地域ささえあい推進協議会からの伴走支援事業への申請書（最終版・差し替え）.xlsx"
    add_form(inbox, long_file, org("特定非営利活動法人𠮷田地域ささえあい推進協議会・多摩ニュータウン支部連合会",
                                   "八王子市"), blank_dir=blank_dir)
    add_form(inbox, "短い.xlsx", org("みどりの会", "町田市"), blank_dir=blank_dir)
    outbox = _deep(tmp_path, 170)
    done = CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--outbox", str(outbox),
                                     "--config", str(ROUND_TOML)])
    assert done.exit_code == 0, done.output
    room = MAX_PATH - 170 - 77  # what part_room leaves at this depth
    assert f"ファイル名の部分を{room}文字までに短くしました" in done.output
    written = _paths_as_windows_sees_them(outbox)
    assert max(length for length, _ in written) <= MAX_PATH, written
    plan = f"01_八王子市_{'特定非営利活動法人𠮷田地域ささえあい推進協議会'[:room - 1]}"
    plans = sorted(name for _, name in written if name.startswith("01_"))
    assert plans == [f"{plan}.xlsx", f"{plan}_支援記録.xlsx"]  # the plan and its support log
    assert any(name.startswith("短い_") for _, name in written)  # short names are kept whole


def test_an_outbox_too_deep_for_any_name_is_refused_before_anything_is_written(
        tmp_path: Path, blank_dir: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    add_form(inbox, "a.xlsx", org("エーの会", "新宿区"), blank_dir=blank_dir)
    outbox = _deep(tmp_path, 200)
    done = CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--outbox", str(outbox),
                                     "--config", str(ROUND_TOML)])
    assert done.exit_code == 1
    assert f"出力フォルダ {outbox} の場所が深すぎます（200文字）" in done.output
    assert not [p for p in outbox.rglob("*") if p.is_file()]


DEVICE_NAMED = ("con.backup.xlsx", "NUL .xlsx", "com1.xlsx", "lpt¹.提出.xlsx")


def test_no_output_takes_a_name_windows_keeps_for_a_device(inbox: Path, blank_dir: Path) -> None:
    add_forms(inbox, {name: org(f"デバイス名の会{n}", "新宿区", {"電話番号": "12"})
                      for n, name in enumerate(DEVICE_NAMED)} | {"b.xlsx": org("ビーの会", "練馬区")},
              blank_dir=blank_dir)
    outbox = inbox.parent / "outbox"
    done = CliRunner().invoke(main, ["run", "--inbox", str(inbox), "--outbox", str(outbox),
                                     "--config", str(ROUND_TOML)])
    assert done.exit_code == 0, done.output
    written = [p.name for p in outbox.rglob("*")]
    for name in DEVICE_NAMED:  # each file's 差戻し is there, under a name Windows can open
        assert any(Path(name).stem.split(".")[0].strip() in written_name for written_name in written)
    for written_name in written:
        device = written_name.split(".", 1)[0].rstrip(" ")
        assert not DEVICE_NAMES.fullmatch(device), written_name
        assert not written_name.endswith((".", " ")), written_name


# As Windows keeps them (learn.microsoft.com, "Naming Files, Paths, and Namespaces")
DEVICE_NAMES = re.compile(r"(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])", re.IGNORECASE)
