"""Wiring: the place to read to understand a run.

read (:mod:`pipeline.stage1_read`) → decide (:mod:`pipeline.stage2_decide`) →
write (:mod:`pipeline.stage3_write`). Forms are read in worker processes; the deciding
and writing stages are called in order by :func:`pipeline.stage2_decide.decide.decide`
and :func:`pipeline.stage3_write.write.write_outputs`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.domain import NEEDS_FIX
from pipeline.core.errors import InboxError, os_reason
from pipeline.core.manifest import last_run
from pipeline.core.names import LIST_FILE, MANIFEST, OUTPUT_FILES, SELECTION_FILE
from pipeline.core.records import InboxScan
from pipeline.core.settings import JST, RoundSettings
from pipeline.core.support import log_activities
from pipeline.core.timing import Lap, Progress, no_lap
from pipeline.stage1_read import workers
from pipeline.stage1_read.inbox import scan_inbox
from pipeline.stage1_read.previous import read_previous, read_previous_round
from pipeline.stage1_read.register import locate as locate_register
from pipeline.stage1_read.register import read_named_register
from pipeline.stage1_read.review_sheets import read_review_sheets
from pipeline.stage1_read.sniff import opens_whole_safely
from pipeline.stage1_read.support import read_support_files
from pipeline.stage3_write.outputs import (
    one_run_at_a_time,
    output_name,
    recover,
)

if TYPE_CHECKING:
    from pipeline.core.result import RoundResult


def run_round(inbox: Path, outbox: Path, settings: RoundSettings,
              run_at: dt.datetime | None = None, progress: Progress | None = None,
              lap: Lap = no_lap, keep_existing: bool = False, report: bool = False) -> RoundResult:
    """Decide the round and write every output; the previous outputs stay whole on failure.
    ``keep_existing``: files in an outbox/ without a manifest are kept as the staff's (else
    the run is refused, naming them). ``report``: write the year-end report too (once
    written, every run keeps it current)."""
    run_at = run_at or run_time()
    _apart(inbox, outbox)
    if not inbox.is_dir():  # said before outbox/ is created for the lock
        raise InboxError(f"受付フォルダ {inbox} が見つかりません。フォルダを作り、申請用紙を保存してください。")
    _not_swapped(inbox, outbox)
    with one_run_at_a_time(outbox, f"{dt.datetime.now(JST):%Y年%m月%d日 %H:%M:%S}"), \
            _collector_paused():
        recover(outbox)  # a killed run's publish, completed before anything reads outbox/
        return _run(inbox, outbox, settings, run_at, progress, lap, keep_existing, report)


def _run(inbox: Path, outbox: Path, settings: RoundSettings, run_at: dt.datetime,
         progress: Progress | None, lap: Lap, keep_existing: bool, report: bool) -> RoundResult:
    with lap("scan"):
        scan = _scan(inbox)
    with lap("read"), (progress or _no_progress)(len(scan.files)) as advance, \
            workers.Reader(scan.files, advance) as reader:
        # Reading the forms is most of a large run, and the worker processes have started.
        # Meanwhile this process does what needs no form: it imports the deciding and writing
        # stages and readies pandera (pandas, pandera, the writers: most of a second), reads
        # the register, the review sheets and what the last run left in outbox/. So the
        # import is here.
        from pipeline.stage2_decide import decide, validate
        from pipeline.stage2_decide.progress import decide_support
        from pipeline.stage3_write import letters, write

        validate.prepare()
        templates = letters.load_templates(settings.templates)
        named_register = read_named_register(scan, default_year=settings.deadline.year)
        review_sheets = read_review_sheets(scan.review_files,
                                           [c.label for c in settings.review])
        last = last_run(outbox)  # what the last run published, and what of it is untouched
        previous = read_previous(last.manifest)
        previous_round = read_previous_round(settings)
        issued = last.issued  # the 差戻し we sent: what a returned tag may name
        # the support year: plans and logs staff saved into inbox/支援/
        support_read = read_support_files(scan.support_files, log_activities(settings.plan))
        # The raw forms are most of a large round's memory. Boxed, they are handed over below
        # with no reference kept here, so they go once decide has validated them.
        forms = [reader.forms()]
    register = locate_register(scan, forms[0], named_register,
                               default_year=settings.deadline.year)
    result = decide.decide(scan, register, review_sheets, forms.pop(), settings, run_at, lap,
                           previous, issued, previous_round)
    needs_fix = result.ledger.loc[result.ledger["decision"] == NEEDS_FIX, "file"].tolist()
    result = dataclasses.replace(
        result, support=decide_support(result.ranked, result.ledger, support_read, settings, run_at),
        openable=frozenset(file for file in needs_fix if opens_whole_safely(result.sources[file])))
    return write.write_outputs(outbox, result, templates, lap, last, keep_existing, report)


def run_time() -> dt.datetime:
    """Now in Japan time, or SOURCE_DATE_EPOCH when set (reproducible outputs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), JST)
    return dt.datetime.now(JST)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a run. Most of what a run makes lives to its end
    (the forms read, the frames decided), and a collection would walk all of it for nothing
    (one full collection: 0.3 s at 10,000 forms); the little a run leaves in cycles is
    collected afterwards."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _apart(inbox: Path, outbox: Path) -> None:
    """The outputs never land among the inputs, nor the inputs among the outputs."""
    inside, outside = inbox.resolve(), outbox.resolve()
    if inside == outside or inside in outside.parents or outside in inside.parents:
        raise InboxError(f"出力フォルダ {outbox} と受付フォルダ {inbox} が重なっています。"
                         "別々のフォルダを指定してください。")


_WORKBOOKS = (".xlsx", ".xlsm", ".xls")
_OURS = (SELECTION_FILE, LIST_FILE)  # never an applicant's name
_STEMS = tuple(Path(name).stem for name in _OURS)


def _not_swapped(inbox: Path, outbox: Path) -> None:
    """Before anything is written: an inbox/ holding this tool's outputs, or an outbox/ (one
    no run has written) holding workbooks that are not ours, looks swapped with the other."""
    ours = sorted(path.name for path in inbox.iterdir() if path.name == MANIFEST
                  or (path.name.startswith(_STEMS) and output_name(path.name) in _OURS))
    if ours:
        raise InboxError(f"受付フォルダ {inbox} に、このツールの出力（{'、'.join(ours)}）があります。"
                         "受付フォルダと出力フォルダを入れ替えていませんか。--inbox には申請用紙を"
                         "保存したフォルダを、--outbox には結果を書き出すフォルダを指定してください。")
    if not outbox.is_dir() or (outbox / MANIFEST).exists():
        return
    forms = sorted(path.name for path in outbox.iterdir() if path.is_file()
                   and path.suffix.lower() in _WORKBOOKS
                   and output_name(path.name) not in OUTPUT_FILES)
    if forms:
        shown = "、".join(forms[:3]) + (f" ほか{len(forms) - 3}件" if len(forms) > 3 else "")
        raise InboxError(f"出力フォルダ {outbox} に、申請用紙のようなファイル（{shown}）があります。"
                         "受付フォルダと出力フォルダを入れ替えていませんか。何も書き出していません。"
                         "--outbox には空のフォルダか、前回の出力フォルダを指定してください。")


def _scan(inbox: Path) -> InboxScan:
    try:
        return scan_inbox(inbox)
    except OSError as error:
        raise InboxError(f"受付フォルダ {inbox} を読み込めません（{os_reason(error)}）。") from error


@contextlib.contextmanager
def _no_progress(total: int) -> Iterator[Callable[[int], None]]:
    yield lambda count: None
