"""Worker processes never outlive the run that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
with processes.pool(2) as executor:
    futures = [executor.submit(stuck) for _ in range(2)]
    time.sleep(2)
    print(" ".join(str(p) for p in sorted(set(executor._processes))), flush=True)
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


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
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
