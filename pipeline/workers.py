"""Read forms in worker processes, so that a file that crashes or exhausts its
parser costs only that file.

Each worker has an address-space limit. A pool that breaks (a worker killed by
an abort or the kernel) is replaced, and the files it was reading are read
again one by one, each in a process of its own, to find the one to blame.
Results come back in input order whatever the number of workers.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from pipeline.intake import InboxFile, RawForm, crashed_form, read_form
from pipeline.record import normalize_form

MEMORY_PER_WORKER = 1 << 30  # bytes of address space a worker may add to what it inherits
PARALLEL_FROM = 200  # files; below this one worker is quicker than starting two
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
        self._pool = _pool(min(os.cpu_count() or 1, 2) if len(files) >= PARALLEL_FROM else 1)
        self._pending: list[tuple[list[int], Future[list[RawForm]]]] = []

    def __enter__(self) -> Reader:
        # Results arrive as many small objects: the cyclic collector would walk them again and
        # again for nothing. Frozen objects are also left alone by the forked workers'
        # collections, so the pages they are on stay shared.
        gc.freeze()
        gc.disable()
        executor = self._pool.__enter__()
        for start in range(0, len(self.files), _CHUNK):
            chunk = list(range(start, min(start + _CHUNK, len(self.files))))
            jobs = [(self.files[i].path, self.files[i].name) for i in chunk]
            self._pending.append((chunk, executor.submit(_read_chunk, jobs)))
        return self

    def forms(self) -> list[RawForm]:
        """Every file read as a form (waits for the workers)."""
        results: dict[int, RawForm] = {}
        broken: list[int] = []
        for chunk, future in self._pending:
            try:
                results.update(zip(chunk, future.result(), strict=True))
            except Exception:  # a dead worker, or MemoryError at the limit: find the file
                broken.extend(chunk)
            if self.progress:
                self.progress(len(chunk))
        for index in broken:
            results[index] = read_alone(self.files[index].path, self.files[index].name)
        return [results[i] for i in range(len(self.files))]

    def __exit__(self, *_: object) -> None:
        try:
            self._pool.__exit__()
        finally:
            # Everything made meanwhile goes to the oldest generation untraversed: a young
            # generation of a million objects would cost the next collections half a second.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def read_forms(files: Sequence[InboxFile], progress: Advance | None = None) -> list[RawForm]:
    """Every file read as a form, in the order given."""
    with Reader(files, progress) as reader:
        return reader.forms()


def _read_chunk(jobs: list[tuple[Path, str]]) -> list[RawForm]:
    return [_read_and_normalize(path, name) for path, name in jobs]


def _read_and_normalize(path: Path, name: str) -> RawForm:
    """Read a form and, while in the worker, normalise it too (the parent only validates)."""
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
    with _pool(1) as pool:
        try:
            return pool.submit(_read_and_normalize, path, name).result()
        except Exception:  # BrokenProcessPool when the worker died; MemoryError at the limit
            return crashed_form(path, name)


class _pool:
    """A process pool whose workers have a memory limit; shut down without waiting on a
    broken pool."""

    def __init__(self, workers: int) -> None:
        self.executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=_context(), initializer=_limit_memory,
            initargs=(MEMORY_PER_WORKER,))

    def __enter__(self) -> ProcessPoolExecutor:
        return self.executor

    def __exit__(self, *_: object) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _context() -> multiprocessing.context.BaseContext:
    # fork is quickest where it exists; elsewhere (Windows, macOS) spawn is the safe default
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _limit_memory(extra: int) -> None:
    try:
        import resource
    except ImportError:  # Windows has no rlimits; the pool still isolates crashes
        return
    current = _address_space()
    if current:
        limit = current + extra
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _address_space() -> int:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


# Jobs for forked writer processes: set just before the fork, so that the children
# inherit them instead of receiving a pickled copy of the whole round.
_JOBS: list[tuple[Callable[..., object], tuple[object, ...]]] = []

Job = tuple[str, Callable[..., object], tuple[object, ...]]


def run_jobs(jobs: Sequence[Job], parallel: bool) -> dict[str, float]:
    """Run independent jobs (name, function, arguments); seconds per job.

    With ``parallel`` and where processes can be forked, two processes share them;
    an exception in a job is raised here either way.
    """
    global _JOBS
    if not parallel or "fork" not in multiprocessing.get_all_start_methods():
        return {name: _timed(function, args) for name, function, args in jobs}
    _JOBS = [(function, args) for _, function, args in jobs]
    # The children's collections leave the round's objects alone: no walk over them, and
    # no copies of the pages they are on.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")
                                 ) as pool:
            futures = [pool.submit(_run_job, index) for index in range(len(jobs))]
            return {name: future.result() for (name, _, _), future in zip(jobs, futures,
                                                                        strict=True)}
    finally:
        _JOBS = []
        gc.unfreeze()


def _run_job(index: int) -> float:
    function, args = _JOBS[index]
    return _timed(function, args)


def _timed(function: Callable[..., object], args: tuple[object, ...]) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started
