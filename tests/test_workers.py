"""Worker processes: a crash or a memory blow-up costs only its own file; order is kept."""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import pickle
import threading
import time
from pathlib import Path

import pytest

from pipeline.core import processes
from pipeline.core.records import InboxFile, RawCell, RawForm
from pipeline.stage1_read import workers
from pipeline.stage1_read.forms import read_form
from tests.formfactory import make_form
from tests.platforms import needs_cpu_limit, needs_fork, needs_memory_limit


def _files(directory: Path, count: int) -> list[InboxFile]:
    files = []
    for n in range(count):
        path = directory / f"f{n:04d}.xlsx"
        path.write_bytes(b"")
        files.append(InboxFile(path.name, path))
    return files


def _misbehave(path: Path, name: str | None = None) -> RawForm:
    if path.name == "f0003.xlsx":
        faulthandler.disable()  # the abort is expected: no dump on the test's output
        os.abort()  # as python-calamine does on a failed allocation (tafia/calamine#693)
    if path.name == "f0005.xlsx":
        bytearray(4 << 30)  # beyond the worker's memory limit
    if path.name == "f0006.xlsx":
        raise BaseException("like pyo3's PanicException from a Rust panic")
    return read_form(path, name)


@pytest.mark.slow
@needs_fork
@needs_memory_limit  # f0005 allocates beyond it
@pytest.mark.parametrize("count", [8, workers.PARALLEL_FROM + 10])
def test_a_crash_costs_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     count: int) -> None:
    monkeypatch.setattr(workers, "read_form", _misbehave)  # forked workers inherit it
    files = _files(tmp_path, count)
    forms = workers.read_forms(files)
    assert [f.file for f in forms] == [f.name for f in files]
    messages = {f.file: f.problems[0].message for f in forms}
    assert "処理が異常終了しました" in messages["f0003.xlsx"]
    assert "処理が異常終了しました" in messages["f0005.xlsx"]
    assert "処理が異常終了しました" in messages["f0006.xlsx"]
    crashed = ("f0003.xlsx", "f0005.xlsx", "f0006.xlsx")
    others = {name: m for name, m in messages.items() if name not in crashed}
    assert all("空（0バイト）" in m for m in others.values())


@pytest.mark.slow
@needs_fork
@needs_memory_limit
def test_a_crash_in_a_large_round_is_looked_for_in_its_own_chunk_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A dead worker fails every chunk its pool had not read: those are read again, in
    chunks, and only the chunk that holds the crash is read file by file (a process each)."""
    monkeypatch.setattr(workers, "read_form", _misbehave)
    alone: list[str] = []

    def read_alone(path: Path, name: str) -> RawForm:
        alone.append(name)
        return original(path, name)

    original = workers.read_alone
    monkeypatch.setattr(workers, "read_alone", read_alone)
    files = _files(tmp_path, 4 * workers._CHUNK + 10)
    forms = workers.read_forms(files)
    assert [f.file for f in forms] == [f.name for f in files]
    assert {"f0003.xlsx", "f0005.xlsx"} <= set(alone) <= {f.name for f in files[:workers._CHUNK]}
    assert all("空（0バイト）" in f.problems[0].message for f in forms[workers._CHUNK:])


def test_progress_counts_every_file(tmp_path: Path) -> None:
    seen: list[int] = []
    workers.read_forms(_files(tmp_path, 120), seen.append)
    assert sum(seen) == 120


@pytest.mark.slow
def test_reading_where_processes_cannot_fork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             blank_dir: Path) -> None:
    """Windows and macOS start workers afresh (spawn): they import what they need and read
    the same forms."""
    files = _files(tmp_path, 3)
    make_form(tmp_path / "form.xlsx", blank_dir=blank_dir)
    files.append(InboxFile("form.xlsx", tmp_path / "form.xlsx"))
    forked = workers.read_forms(files)
    monkeypatch.setattr(processes, "_context", lambda: multiprocessing.get_context("spawn"))
    spawned = workers.read_forms(files)
    assert [(f.file, f.cells, f.normalized, f.problems) for f in spawned] == [
        (f.file, f.cells, f.normalized, f.problems) for f in forked]
    assert spawned[-1].is_form and spawned[-1].normalized is not None


def test_a_form_comes_back_from_a_worker_unchanged(tmp_path: Path, blank_dir: Path) -> None:
    path = make_form(tmp_path / "form.xlsx", blank_dir=blank_dir)
    read_here = workers._read_and_normalize(path, "form.xlsx")
    (read_there,) = workers.read_forms([InboxFile("form.xlsx", path)])
    assert read_there == read_here
    assert all(isinstance(cell, RawCell) for cell in read_there.cells.values())
    assert read_there.cells["org_name"].address == read_here.cells["org_name"].address


def _spin(path: Path, name: str | None = None) -> RawForm:
    if path.name == "f0002.xlsx":  # a file built to be slow: computes until stopped
        while True:
            pass
    return read_form(path, name)


@pytest.mark.slow
@needs_fork
@needs_cpu_limit
def test_a_file_that_computes_too_long_is_unreadable_after_its_budget_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "read_form", _spin)
    monkeypatch.setattr(processes, "CPU_SECONDS_PER_FILE", 1)
    forms = workers.read_forms(_files(tmp_path, 6))
    assert [form.problems[0].code for form in forms] == [
        "empty_file", "empty_file", "crashed", "empty_file", "empty_file", "empty_file"]


def _wait_forever(path: Path, name: str | None = None) -> RawForm:
    if path.name == "f0002.xlsx":
        threading.Event().wait()  # blocked, using no CPU: the CPU limit never ends it
    return read_form(path, name)


@pytest.mark.slow
def test_a_worker_waiting_forever_costs_its_file_and_its_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "read_form", _wait_forever)  # forked workers inherit it
    monkeypatch.setattr(workers, "SECONDS_PER_FILE", 0.5)
    files = _files(tmp_path, 4)
    started = time.monotonic()
    forms = workers.read_forms(files)
    assert time.monotonic() - started < 30
    assert [f.file for f in forms] == [f.name for f in files]
    messages = {f.file: f.problems[0].message for f in forms}
    assert "処理が異常終了しました" in messages.pop("f0002.xlsx")
    assert all("空（0バイト）" in m for m in messages.values())
    assert multiprocessing.active_children() == []  # every worker ended, the waiting one too


def test_forms_of_one_layout_travel_and_stay_with_it_once(tmp_path: Path, blank_dir: Path) -> None:
    path = make_form(tmp_path / "form.xlsx", blank_dir=blank_dir)
    other = make_form(tmp_path / "other.xlsx", {"団体名": "別の会"}, blank_dir=blank_dir)
    forms = [read_form(path, "a.xlsx"), read_form(other, "b.xlsx")]
    packed = workers._packed(forms)
    (_, first_layout, _), (_, second_layout, second_values) = packed
    assert first_layout is second_layout  # pickled once per chunk
    assert "別の会" in second_values
    unpack = workers._Unpacker()
    again = unpack(pickle.loads(pickle.dumps(packed))) + unpack(pickle.loads(pickle.dumps(packed)))
    assert again[:2] == forms and again[2:] == forms
    assert len({id(form.label_addresses) for form in again}) == 1  # one layout for the round
    assert all(form.cells for form in forms)  # packing leaves the forms it was given alone
