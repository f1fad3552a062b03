"""Laps of a run, for the benchmark; stages never see them (the wiring records them)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

# Given a stage's name, a context that times it.
Lap = Callable[[str], contextlib.AbstractContextManager[None]]
# Given the number of files, a context yielding a function called with each count finished.
Progress = Callable[[int], contextlib.AbstractContextManager[Callable[[int], None]]]


@contextlib.contextmanager
def no_lap(stage: str) -> Iterator[None]:
    yield


class Stopwatch:
    """Seconds spent per stage of a run (for the benchmark)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}

    def write(self, path: Path) -> None:
        """The laps and this process's peak memory (None where the platform cannot say), as JSON."""
        try:
            import resource
        except ImportError:  # Windows
            peak_kb = None
        else:
            peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        path.write_text(json.dumps({"laps": self.laps, "rss_kb": peak_kb}), encoding="utf-8")

    @contextlib.contextmanager
    def lap(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.laps[stage] = self.laps.get(stage, 0.0) + time.perf_counter() - started
