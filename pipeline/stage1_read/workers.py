"""Read forms in worker processes, so that a file that crashes or exhausts its
parser costs only that file.

Each worker has an address-space limit. A pool that breaks (a worker killed by
an abort or the kernel) fails the files it had not read yet: they are read again
in a fresh worker, and the chunk that breaks that one too is read file by file,
each in a process of its own, to find the one to blame.
Results come back in input order whatever the number of workers.
"""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

from pipeline.core import processes
from pipeline.core.processes import PARALLEL_FROM, SECONDS_PER_FILE, budget_next_file, pool
from pipeline.core.record import normalize_form
from pipeline.core.records import Cells, InboxFile, RawForm
from pipeline.stage1_read.forms import crashed_form, read_form

_CHUNK = 100

Advance = Callable[[int], None]  # called with the number of files just finished


class Reader:
    """Forms read in worker processes, returned in the order given.

    The workers start on entering the ``with`` block, so the caller can do other work
    while they read; :meth:`forms` waits for them and collects what they read.
    """

    def __init__(self, files: Sequence[InboxFile], progress: Advance | None = None) -> None:
        self.files = files
        self.progress = progress
        self._pool = pool(min(os.cpu_count() or 1, 2) if len(files) >= PARALLEL_FROM else 1)
        self._pending: list[tuple[list[int], Future[list[Packed]]]] = []
        self._collecting = True
        self._unpacked = _Unpacker()

    def __enter__(self) -> Reader:
        # Results arrive as many small objects: the cyclic collector would walk them again and
        # again for nothing. Frozen objects are also left alone by the forked workers'
        # collections, so the pages they are on stay shared.
        self._collecting = gc.isenabled()
        gc.freeze()
        gc.disable()
        for start in range(0, len(self.files), _CHUNK):
            chunk = list(range(start, min(start + _CHUNK, len(self.files))))
            self._pending.append((chunk, self._pool.submit(_read_chunk, self._jobs(chunk))))
        return self

    def forms(self) -> list[RawForm]:
        """Every file read as a form (waits for the workers)."""
        results: dict[int, RawForm] = {}
        broken: list[list[int]] = []
        for chunk, future in self._pending:
            try:
                results.update(zip(chunk, self._unpacked(
                    future.result(timeout=len(chunk) * SECONDS_PER_FILE)), strict=True))
            except Exception:  # a dead worker, MemoryError at the limit, or a worker past its
                broken.append(chunk)  # time: find the file
                if not future.done():  # waiting on something: end the pool (the chunks not
                    self._pool.stop()  # read yet fail, and are read again below)
            if self.progress:
                self.progress(len(chunk))
        # A worker that dies breaks its pool, and every chunk not yet read fails with it. Each
        # is read again in a fresh worker; only a chunk that fails again is read file by file
        # (one process per file: 100 for the guilty chunk, not one per file of the round).
        again: list[list[Packed] | None] = processes.isolated(
            [(_read_chunk, (self._jobs(chunk),)) for chunk in broken], on_failure=lambda _: None,
            seconds=max(map(len, broken), default=0) * SECONDS_PER_FILE)
        for chunk, packed in zip(broken, again, strict=True):
            results.update(zip(chunk, self._unpacked(packed) if packed is not None else [
                read_alone(self.files[i].path, self.files[i].name) for i in chunk], strict=True))
        return [results[i] for i in range(len(self.files))]

    def _jobs(self, chunk: list[int]) -> list[tuple[Path, str]]:
        return [(self.files[i].path, self.files[i].name) for i in chunk]

    def __exit__(self, *_: object) -> None:
        try:
            self._pool.__exit__()
        finally:
            # Everything made meanwhile goes to the oldest generation untraversed: a young
            # generation of a million objects would cost the next collections half a second.
            gc.freeze()
            gc.unfreeze()
            if self._collecting:
                gc.enable()


def read_forms(files: Sequence[InboxFile], progress: Advance | None = None) -> list[RawForm]:
    """Every file read as a form, in the order given."""
    with Reader(files, progress) as reader:
        return reader.forms()


def _read_chunk(jobs: list[tuple[Path, str]]) -> list[Packed]:
    return _packed([_read_and_normalize(path, name) for path, name in jobs])


# Forms come back from the workers by the thousand, so they travel packed and stay compact: a
# form's values as a tuple, and where its fields are (each key's cell and its label's cell: the
# same in every form filled in from one blank form) as a layout, one object per chunk, which
# pickle writes once; the parent keeps each layout once for the whole round (records.Cells).
Layout = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]  # keys, cells, labels
Packed = tuple[RawForm, Layout, tuple[object, ...]]


def _packed(forms: list[RawForm]) -> list[Packed]:
    layouts: dict[Layout, Layout] = {}
    packed = []
    for form in forms:
        layout = (tuple(form.cells), tuple(cell.address for cell in form.cells.values()),
                  tuple(form.label_addresses.items()))
        packed.append((dataclasses.replace(form, cells={}, label_addresses={}),
                       layouts.setdefault(layout, layout),
                       tuple(cell.value for cell in form.cells.values())))
    return packed


class _Unpacker:
    """Forms as they arrive from the workers, each layout kept once (and never changed)."""

    def __init__(self) -> None:
        self._kept: dict[Layout, tuple[dict[str, tuple[int, str]], dict[str, str]]] = {}

    def __call__(self, packed: list[Packed]) -> list[RawForm]:
        for form, layout, values in packed:
            if (kept := self._kept.get(layout)) is None:
                keys, addresses, labels = layout
                kept = self._kept[layout] = (
                    {key: (i, address) for i, (key, address) in enumerate(zip(keys, addresses, strict=True))},
                    dict(labels))
            form.cells, form.label_addresses = Cells(kept[0], values), kept[1]
        return [form for form, _, _ in packed]


def _read_and_normalize(path: Path, name: str) -> RawForm:
    """Read a form and, while in the worker, normalise it too (the parent only validates)."""
    budget_next_file()
    try:
        form = read_form(path, name)
        if form.is_form:
            form.normalized = normalize_form(form)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a panic in the Rust parser arrives as pyo3's PanicException
        return crashed_form(path, name)
    return form


def read_alone(path: Path, name: str) -> RawForm:
    """One file in a process of its own."""
    packed = processes.isolated([(_read_chunk, ([(path, name)],))], lambda _: None,
                                seconds=SECONDS_PER_FILE)[0]
    return _Unpacker()(packed)[0] if packed is not None else crashed_form(path, name)
