"""Faults mid-run: killed, locked outputs, a full disk. The previous outputs stay whole."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core.settings import RoundSettings
from pipeline.demo import generate_round
from pipeline.stage3_write import outputs
from pipeline.stage3_write import plans as plan
from tests.conftest import ROUND_TOML
from tests.platforms import needs_sigkill

pytestmark = pytest.mark.slow  # `make quick` leaves these out

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def round_dir(tmp_path: Path, settings: RoundSettings) -> Path:
    generate_round(tmp_path, settings, forms=40)
    result = _run(tmp_path)
    assert result.exit_code == 0, result.output
    return tmp_path


def _run(directory: Path):
    return CliRunner().invoke(main, ["run", "--inbox", str(directory / "inbox"), "--outbox",
                                     str(directory / "outbox"), "--config",
                                     str(ROUND_TOML)])


def _snapshot(outbox: Path) -> dict[str, bytes]:
    """The outputs; a killed run may leave its staging folder and its (released) lock files."""
    return {str(p.relative_to(outbox)): p.read_bytes() for p in outbox.rglob("*")
            if p.is_file() and not p.relative_to(outbox).parts[0].startswith(".staging-")
            and p.name not in (".bansou.lock", ".bansou.started")}


def _complete(outbox: Path, expected: set[str]) -> None:
    """Every output of a whole run is there and every workbook opens."""
    found = _snapshot(outbox)
    assert set(found) == expected
    for name in found:
        if name.endswith(".xlsx"):
            assert zipfile.ZipFile(outbox / name).testzip() is None, name


@needs_sigkill
def test_killed_at_any_point_leaves_previous_outputs_whole(round_dir: Path) -> None:
    outbox = round_dir / "outbox"
    expected = set(_snapshot(outbox))
    command = [sys.executable, "-m", "pipeline", "run", "--inbox", str(round_dir / "inbox"),
               "--outbox", str(outbox), "--config", str(ROUND_TOML)]
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    duration = time.monotonic() - started
    rng = random.Random(9)
    for _ in range(8):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait()
        _complete(outbox, expected)
    subprocess.run(command, check=True, capture_output=True)  # a rerun finishes the job
    _complete(outbox, expected)
    assert not list(outbox.glob(".staging-*"))


def test_read_only_output_stops_the_run_and_names_the_file(round_dir: Path) -> None:
    outbox = round_dir / "outbox"
    before = _snapshot(outbox)
    (outbox / "選定結果.xlsx").chmod(0o444)
    (round_dir / "inbox" / "申請書_破損.xlsx").unlink()  # so that the outputs would change
    result = _run(round_dir)
    assert result.exit_code == 1
    assert result.output == (f"エラー: {outbox / '選定結果.xlsx'} を書き換えられません（読み取り専用）。"
                             "Excelで開いている場合は閉じてから再実行してください。\n")
    assert _snapshot(outbox) == before


def test_file_held_open_mid_publish_rolls_everything_back(round_dir: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    outbox = round_dir / "outbox"
    before = _snapshot(outbox)
    real_replace = os.replace

    def held_open(source: object, target: object) -> None:
        if str(target).endswith("選定結果.xlsx") and ".staging-" not in str(target):
            raise PermissionError(errno.EACCES, "Permission denied")  # as Windows says
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(outputs.os, "replace", held_open)
    (round_dir / "inbox" / "申請書_破損.xlsx").unlink()
    result = _run(round_dir)
    assert result.exit_code == 1
    assert "選定結果.xlsx を書き換えられません。Excelで開いている場合は閉じてから再実行してください。" in result.output
    assert _snapshot(outbox) == before
    assert not list(outbox.glob(".staging-*"))


def test_full_disk_keeps_previous_outputs(round_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outbox = round_dir / "outbox"
    before = _snapshot(outbox)

    def no_space(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(plan, "write_plan", no_space)
    monkeypatch.setattr("pipeline.stage3_write.write.write_plan", no_space)
    result = _run(round_dir)
    assert result.exit_code == 1
    assert result.output == ("エラー: 出力を書き込めませんでした（ディスクの空きがありません）。"
                             "以前の出力はそのまま残っています。空き容量を確認してください。\n")
    assert _snapshot(outbox) == before
