"""Worker processes: a pool whose workers have memory and CPU limits, single calls isolated in
such a worker, and independent jobs run on two forked processes. Every worker ends with its
parent, even one killed with SIGKILL. The interpreter state they change (the garbage
collector's frozen generation, the jobs inherited at fork) is set here and undone before
returning.

Where processes are not forked (Windows, macOS: the ``spawn`` start method) the workers are
started fresh and given everything by pickling, and the writers run one after the other. The
limits are the kernel's (``resource``): where it has none, the run says so (:func:`missing_limits`),
and a crash still costs only the file that caused it."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.queues import SimpleQueue
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

MEMORY_PER_WORKER = 1 << 30  # bytes of address space a worker may add to what it inherits
# A form costs milliseconds of CPU to read, check and normalise: one that costs more than this
# is built to be slow, and is 読込不可 after this budget, not after minutes.
CPU_SECONDS_PER_FILE = 10
SECONDS_PER_CALL = 120.0  # an isolated call (a staff workbook, one annotation) taking longer
# The wall time a worker may take per file of the chunk it reads, waiting on its turn included:
# the CPU limit ends a worker that computes too long, this one that waits (blocked on a read).
SECONDS_PER_FILE = 2 * CPU_SECONDS_PER_FILE
PARALLEL_FROM = 200  # files; below this one worker is quicker than starting two


class pool:
    """A process pool whose workers have a memory limit; :meth:`stop` ends it at once, a
    worker still busy included."""

    def __init__(self, workers: int) -> None:
        context = _context()
        # Each worker says who it is when it starts: concurrent.futures has no public way to
        # end a busy worker before Python 3.14, multiprocessing has (Process.kill).
        self._started = context.SimpleQueue()
        self._pids: set[int] = set()
        self.executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_start_worker,
            initargs=(os.getpid(), MEMORY_PER_WORKER, self._started))

    def __enter__(self) -> pool:
        return self

    def __exit__(self, *_: object) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def submit(self, function: Callable[..., T], *args: object) -> Future[T]:
        return self.executor.submit(function, *args)

    def worker_pids(self) -> set[int]:
        """The process ids of the workers started so far."""
        while not self._started.empty():
            self._pids.add(self._started.get())
        return self._pids

    def stop(self) -> None:
        """Kill this pool's workers and shut it down (what it had not finished fails)."""
        pids = self.worker_pids()
        for process in multiprocessing.active_children():
            if process.pid in pids:
                process.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)


def _context() -> multiprocessing.context.BaseContext:
    # fork is quickest where it is the platform's way (Linux); elsewhere (Windows, macOS) the
    # platform's default, spawn, is the safe one
    return multiprocessing.get_context("fork" if forking() else None)


def forking() -> bool:
    """Whether worker processes are forked here (else spawned: nothing is inherited)."""
    return multiprocessing.get_start_method() == "fork"


# What 概要 says of the limits, on every platform (the outputs do not depend on where a run was).
LIMITS_TEXT = (f"申請用紙は別のプロセスで読み、1つのプロセスが使うメモリを{MEMORY_PER_WORKER >> 30}GB"
               f"増えるまで（Linux）、1ファイルの CPU 時間を{CPU_SECONDS_PER_FILE}秒まで（Linux・macOS）"
               "に制限します。Windows ではこの上限を使えません（異常終了したファイルだけが読込不可に"
               "なることは同じです）")


def missing_limits() -> tuple[str, ...]:
    """The limits this computer cannot set on the workers ("メモリ", "CPU 時間"): the console
    says so on every run, so that they are never silently absent."""
    try:
        import resource
    except ImportError:
        return ("メモリ", "CPU 時間")
    memory = hasattr(resource, "RLIMIT_AS") and _address_space() > 0
    cpu = hasattr(resource, "RLIMIT_CPU")
    return tuple(name for name, present in (("メモリ", memory), ("CPU 時間", cpu)) if not present)


def isolated(calls: Sequence[tuple[Callable[..., T], tuple[object, ...]]],
             on_failure: Callable[[int], T], seconds: float = SECONDS_PER_CALL) -> list[T]:
    """Each call (function, arguments) in a worker process with the memory limit, in order.
    A call that kills its worker, exceeds the limit or runs longer than ``seconds`` gives
    ``on_failure(its index)`` and costs nothing else: the next call gets a fresh worker."""
    results: list[T] = []
    worker: pool | None = None
    try:
        for index, (function, args) in enumerate(calls):
            worker = worker or pool(1)
            try:
                results.append(worker.submit(function, *args).result(timeout=seconds))
            except Exception:  # BrokenProcessPool when the worker died; MemoryError at the
                results.append(on_failure(index))  # limit; TimeoutError
                worker.stop()
                worker = None
    finally:
        if worker:
            worker.executor.shutdown(wait=True)
    return results


def _start_worker(parent: int, extra_memory: int | None = None,
                  started: SimpleQueue[int] | None = None) -> None:
    """In each worker: go when the parent goes; for readers, a memory limit, and the parsers'
    own crash reports (a Rust panic's backtrace) kept off the console — the file's problem
    says it in Japanese; ``bansou --debug`` shows them."""
    global _reader
    die_with_parent(parent)
    if started is not None:
        started.put(os.getpid())
    if extra_memory:
        _reader = True
        _limit_memory(extra_memory)
        _limit_cpu(CPU_SECONDS_PER_FILE)
        if not os.environ.get(DEBUG_VARIABLE):
            _quiet_stderr()


DEBUG_VARIABLE = "BANSOU_DEBUG"
_reader = False  # True in a worker process started by pool()


def budget_next_file() -> None:
    """In a worker: the next file gets :data:`CPU_SECONDS_PER_FILE` of CPU from now (the
    kernel ends the worker past it; its chunk is then read file by file, and the file to blame
    is 読込不可). Nothing in any other process, nor where the platform has no CPU limits."""
    if _reader:
        _limit_cpu(CPU_SECONDS_PER_FILE)


def _quiet_stderr() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` ends, even by SIGKILL: the kernel's parent-death signal
    on Linux, a watch on the parent elsewhere."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError, TypeError):  # not Linux (Windows: no libc, no SIGKILL)
        armed = False
    if os.getppid() != parent:  # gone before the signal was armed
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    # Windows never reparents a process, so its getppid() outlives the parent: there the wait
    # is on the parent's process handle, which multiprocessing gave the worker.
    watched = multiprocessing.parent_process()
    if watched is not None:
        watched.join()
    while os.getppid() == parent and watched is None:
        time.sleep(1)
    os._exit(1)


def _limit_cpu(seconds: int) -> None:
    """The kernel ends the worker (SIGXCPU) after ``seconds`` of CPU time: its files are then
    read again one by one, and the one to blame costs only itself."""
    try:
        import resource
    except ImportError:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    used = int(time.process_time())
    limit = used + seconds if hard == resource.RLIM_INFINITY else min(used + seconds, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))


def _limit_memory(extra: int) -> None:
    try:
        import resource
    except ImportError:  # Windows has no rlimits; the pool still isolates crashes
        return
    current = _address_space()
    if current:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = current + extra  # never above a limit the whole run was given
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


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
    if not parallel or not forking():
        return {name: _timed(function, args) for name, function, args in jobs}
    _JOBS = [(function, args) for _, function, args in jobs]
    # The children's collections leave the round's objects alone: no walk over them, and
    # no copies of the pages they are on.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_start_worker, initargs=(os.getpid(),)) as pool:
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
