"""Worker processes never outlive the run that started them."""

from __future__ import annotations

import faulthandler
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.platforms import needs_cpu_limit, needs_memory_limit, needs_proc, needs_sigkill

ROOT = Path(__file__).resolve().parents[1]

# A parent that starts a reader pool and a writer-jobs pool, each worker stuck in a long job.
PARENT = """
import os, sys, time, threading
from pipeline.core import processes

def stuck(_=None):
    time.sleep(120)

def jobs():
    processes.run_jobs([("a", stuck, ()), ("b", stuck, ())], parallel=True)

threading.Thread(target=jobs, daemon=True).start()
with processes.pool(2) as readers:
    futures = [readers.submit(stuck) for _ in range(2)]
    time.sleep(2)
    print(" ".join(str(p) for p in sorted(readers.worker_pids())), flush=True)
    time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.slow
@needs_proc
@needs_sigkill
def test_workers_end_when_the_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert parent.stdout is not None
        readers = {int(p) for p in parent.stdout.readline().split()}
        time.sleep(1)
        workers = _children(parent.pid)
        assert len(readers) == 2 and readers <= workers and len(workers) >= 4, workers
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in workers if _alive(p)]


def _abort() -> int:
    faulthandler.disable()  # pytest's handler would print the worker's stack: expected here
    os.abort()


def _allocate(size: int) -> int:
    return len(bytearray(size))


def _answer() -> int:
    return 42


def _cpu_limit() -> int:
    import resource

    return resource.getrlimit(resource.RLIMIT_CPU)[0]


def _hang() -> int:
    time.sleep(60)
    return 0


@needs_memory_limit
def test_an_isolated_call_that_crashes_or_exhausts_memory_costs_only_itself() -> None:
    from pipeline.core import processes

    results = processes.isolated(
        [(_abort, ()), (_allocate, (processes.MEMORY_PER_WORKER * 3,)), (_answer, ())],
        on_failure=lambda index: -index)
    assert results == [0, -1, 42]


@pytest.mark.slow  # waits for the hanging call to be stopped
def test_an_isolated_call_that_hangs_is_stopped_and_costs_only_itself() -> None:
    from pipeline.core import processes

    started = time.monotonic()
    assert processes.isolated([(_hang, ()), (_answer, ())], on_failure=lambda index: -1,
                              seconds=1) == [-1, 42]
    assert time.monotonic() - started < 20


@needs_cpu_limit
def test_readers_have_a_cpu_time_limit() -> None:
    from pipeline.core import processes

    with processes.pool(1) as executor:
        limit = executor.submit(_cpu_limit).result()
    assert 0 < limit <= processes.CPU_SECONDS_PER_FILE + 5


@pytest.mark.slow
def test_a_parser_panic_in_the_register_never_reaches_the_console(tmp_path: Path,
                                                                  blank_dir: Path) -> None:
    """calamine panics on a date cell of -1e308; the run goes on, and says it in Japanese."""
    import openpyxl

    from tests.conftest import ROUND_TOML
    from tests.formfactory import make_form
    from tests.roundfactory import org

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_form(inbox / "a.xlsx", org("エーの会", "新宿区"), blank_dir=blank_dir)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ファイル名", "受付日時"])
    sheet.append(["a.xlsx", 0])
    sheet["B2"].value = -1e308
    sheet["B2"].number_format = "yyyy/mm/dd"
    workbook.save(inbox / "受付簿.xlsx")
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--inbox", str(inbox), "--outbox",
         str(tmp_path / "outbox"), "--config", str(ROUND_TOML)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr
    assert "panicked" not in completed.stderr and "backtrace" not in completed.stderr
    assert "1件のファイルを判定しました" in completed.stdout
    assert "受付簿.xlsx を読み込めません：読み込みの途中で異常終了しました。" in completed.stdout


WATCHED_PARENT = """
import multiprocessing, os, sys, threading, time
from pipeline.core import processes

def worker():
    # -1: a parent id that getppid() never gives, as on Windows, where it outlives the parent
    threading.Thread(target=processes._watch_parent, args=(-1,), daemon=True).start()
    print(os.getpid(), flush=True)
    time.sleep(120)

if __name__ == "__main__":
    multiprocessing.get_context("spawn").Process(target=worker).start()
    time.sleep(120)
"""


@pytest.mark.slow  # spawns a worker, then kills its parent
@needs_proc
@needs_sigkill
def test_a_spawned_worker_ends_with_its_parent_though_its_parent_id_stays(tmp_path: Path) -> None:
    """Windows keeps a dead parent's id: the worker waits on the parent's process instead."""
    script = tmp_path / "parent.py"
    script.write_text(WATCHED_PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                                  [str(ROOT), os.environ.get("PYTHONPATH", "")])})
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    time.sleep(1)
    try:
        assert _alive(worker)  # the watch waits while the parent lives
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker)
