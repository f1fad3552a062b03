"""Wiring: the place to read to understand a run.

scan → read → decide (validate → eligibility → score → select) → write.
Reading happens in worker processes (:mod:`pipeline.workers`); :mod:`pipeline.decide`
and :mod:`pipeline.write` call the stages of deciding and of writing in order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import intake, workers
from pipeline.errors import InboxError
from pipeline.settings import JST, RoundSettings

if TYPE_CHECKING:
    from pipeline.report import RoundResult


def run_round(inbox: Path, outbox: Path, settings: RoundSettings,
              run_at: dt.datetime | None = None, progress: Progress | None = None,
              watch: Stopwatch | None = None) -> RoundResult:
    """Decide the round and write every output; the previous outputs stay whole on failure."""
    run_at = run_at or run_time()
    watch = watch or Stopwatch()
    with watch.lap("scan"):
        scan = _scan(inbox)
        register = intake.read_register(scan.register)
    with watch.lap("read"), (progress or _no_progress)(len(scan.files)) as advance, \
            workers.Reader(scan.files, advance) as reader:
        # Reading is most of a large run, and the worker processes have started. This
        # process imports the rest of the pipeline and readies pandera (pandas, pandera,
        # the writers: most of a second) while they read, rather than before: so the
        # import is here.
        from pipeline import correspondence, decide, validate, write

        validate.prepare()
        templates = correspondence.load_templates(settings.templates)
        forms = reader.forms()
    result = decide.decide(scan, register, forms, settings, run_at, watch)
    return write.write_outputs(outbox, result, templates, watch)


def run_time() -> dt.datetime:
    """Now in Japan time, or SOURCE_DATE_EPOCH when set (reproducible outputs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), JST)
    return dt.datetime.now(JST)


# Given the number of files, a context yielding a function called with each count finished.
Progress = Callable[[int], contextlib.AbstractContextManager[Callable[[int], None]]]


class Stopwatch:
    """Seconds spent per stage of a run (for the benchmark)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}

    def write(self, path: Path) -> None:
        """The laps and this process's peak memory, as JSON."""
        import resource  # Unix only, as is the benchmark that asks for this

        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        path.write_text(json.dumps({"laps": self.laps, "rss_kb": peak_kb}), encoding="utf-8")

    @contextlib.contextmanager
    def lap(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.laps[stage] = self.laps.get(stage, 0.0) + time.perf_counter() - started


def _scan(inbox: Path) -> intake.InboxScan:
    if not inbox.is_dir():
        raise InboxError(f"受付フォルダ {inbox} が見つかりません。フォルダを作り、申請用紙を保存してください。")
    try:
        return intake.scan_inbox(inbox)
    except OSError as error:
        raise InboxError(f"受付フォルダ {inbox} を読み込めません（{error.strerror}）。") from error


@contextlib.contextmanager
def _no_progress(total: int) -> Iterator[Callable[[int], None]]:
    yield lambda count: None
