"""Benchmark: our run against the floor (a bare python-calamine read) and the naive way
(pandas.read_excel with openpyxl), on the same generated forms.

    python -m bench                      # 1,000 and 10,000 forms, medians of 3
    python -m bench --sizes 50 --repeat 1 --out /tmp/bench

Prints a table and writes it, with where the time goes in the largest run, to bench/results.md.
Timings are medians; these machines are noisy, so the ratios are what we judge.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = 2016
sys.path.insert(0, str(ROOT))

from pipeline.core.settings import SHIPPED_ROUND  # noqa: E402

CLI_REPEAT = 5

# Our run is `bansou run` itself, timed from outside: start-up, imports, the run and the exit,
# as staff wait for it. It writes its stage laps and its peak RSS to a file.
_BANSOU = Path(sys.executable).with_name("bansou")

_FLOOR = """
import sys, time
from pathlib import Path
import python_calamine
files = sorted(p for p in Path(sys.argv[1]).iterdir() if p.suffix == ".xlsx" and p.name != "受付簿.xlsx")
started = time.perf_counter()
for path in files:
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        book.get_sheet_by_name("申請書").to_python()
        book.close()
    except Exception:
        pass
print(time.perf_counter() - started)
"""

_NAIVE = """
import sys, time, warnings
from pathlib import Path
import pandas as pd
warnings.simplefilter("ignore")
files = sorted(p for p in Path(sys.argv[1]).iterdir() if p.suffix == ".xlsx" and p.name != "受付簿.xlsx")
started = time.perf_counter()
for path in files:
    try:
        pd.read_excel(path, sheet_name="申請書", header=None, engine="openpyxl")
    except Exception:
        pass
print(time.perf_counter() - started)
"""


def _python(code: str, *args: object) -> str:
    result = subprocess.run([sys.executable, "-c", code, *map(str, args)], check=True,
                            capture_output=True, text=True, cwd=ROOT)
    return result.stdout.strip().splitlines()[-1]


def _inbox(out: Path, forms: int) -> Path:
    """Generated once per size and seed, then reused: the forms, and (issue 31) the five
    selected districts' plans and support logs in inbox/支援/, as the office returns them
    during the support year (from a first run's plans)."""
    from pipeline.core.settings_load import load_settings
    from pipeline.demo import DEMO_RUN_AT, generate_round
    from pipeline.demo_year import fill_support_year
    from pipeline.run import run_round

    directory = out / f"round-{forms}"
    marker = directory / f".generated-{SEED}-support-year"
    if not marker.exists():
        shutil.rmtree(directory, ignore_errors=True)
        started = time.perf_counter()
        settings = load_settings(SHIPPED_ROUND)
        demo = generate_round(directory, settings, forms, SEED)
        fill_support_year(directory, run_round(demo.inbox, demo.outbox, settings, DEMO_RUN_AT),
                          settings)
        shutil.rmtree(demo.outbox)
        marker.write_text(f"{time.perf_counter() - started:.2f}\n")
    return directory / "inbox"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def measure(out: Path, forms: int, repeat: int) -> dict[str, object]:
    """Floor, naive and our run, measured in turn ``repeat`` times. These virtual machines'
    speed drifts by ±20 % within minutes: each ratio is taken within one turn (three
    measurements a few minutes apart at most), and the median of the turns' ratios is judged."""
    inbox = _inbox(out, forms)
    outbox = inbox.parent / "outbox"
    config = SHIPPED_ROUND
    # A first run into an empty outbox creates every file; a rerun (what staff do all round,
    # and what the medians time) links each letter that did not change. Creating 10,000
    # small files costs 0.3 s to 5 s on these virtual machines, by whether the disk blocks
    # were written before: the first run's figure is shown, and the medians are reruns.
    empty = inbox.parent / "outbox-first"
    shutil.rmtree(empty, ignore_errors=True)
    first = _bansou_run(inbox, empty, config)["wall"]
    shutil.rmtree(empty)
    _bansou_run(inbox, outbox, config)
    floor: list[float] = []
    naive: list[float] = []
    runs: list[dict[str, Any]] = []
    for _ in range(repeat):
        floor.append(float(_python(_FLOOR, inbox)))
        runs.append(_bansou_run(inbox, outbox, config))
        naive.append(float(_python(_NAIVE, inbox)))
    walls = [r["wall"] for r in runs]
    laps = {stage: _median([r["laps"].get(stage, 0.0) for r in runs]) for stage in runs[0]["laps"]}
    return {
        "forms": forms,
        "floor": _median(floor),
        "naive": _median(naive),
        "run": _median(walls),
        "over_floor": _median([w / f for w, f in zip(walls, floor, strict=True)]),
        "under_naive": _median([n / w for n, w in zip(naive, walls, strict=True)]),
        "first": first,
        "laps": laps,
        "rss_mb": max(r["rss_kb"] for r in runs) / 1024,
    }


def _bansou_run(inbox: Path, outbox: Path, config: Path,
                windows: bool = False) -> dict[str, Any]:
    """One `bansou run`, at the demo round's time (after the deadline, before the 再提出期限),
    as in the round: every form to fix gets its 差戻し workbook (after the 再提出期限 it would
    get a final notice instead, a cheaper run). ``windows``: as Windows runs it (workers
    spawned, writers one after the other, no limits: tests/windows/sitecustomize.py)."""
    from pipeline.demo import DEMO_RUN_AT

    at_demo_time = {**os.environ, "SOURCE_DATE_EPOCH": str(int(DEMO_RUN_AT.timestamp()))}
    if windows:
        at_demo_time["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT / "tests" / "windows"), *filter(None, [os.environ.get("PYTHONPATH")])])
    with tempfile.TemporaryDirectory() as scratch:
        timings = Path(scratch) / "timings.json"
        started = time.perf_counter()
        subprocess.run([str(_BANSOU), "run", "--inbox", str(inbox), "--outbox", str(outbox),
                        "--config", str(config), "--timings", str(timings)],
                       check=True, capture_output=True, cwd=ROOT, env=at_demo_time)
        wall = time.perf_counter() - started
        run: dict[str, Any] = json.loads(timings.read_text(encoding="utf-8"))
    return run | {"wall": wall}


def _hostile_files(inbox: Path) -> None:
    """Five files built to make text handling slow (issue 27), beside 40 normal forms."""
    import openpyxl

    source = next(p for p in sorted(inbox.iterdir())
                  if p.suffix == ".xlsx" and p.name.startswith("申請書_") and "破損" not in p.name)

    def form(name: str, change: Any) -> None:
        workbook = openpyxl.load_workbook(source)
        change(workbook["申請書"])
        workbook.save(inbox / name)

    def padded_labels(sheet: Any) -> None:  # the label renamed, 40 cells of 団体名 + spaces
        sheet["A7"] = "団体の名称"
        for row in range(60, 100):
            sheet.cell(row, 5).value = "団体名" + " " * 32_000

    def long_values(sheet: Any) -> None:  # every input cell 32,767 characters of ・ and ：
        for row in range(5, 40):
            if type(sheet.cell(row, 2)).__name__ == "Cell":  # not inside a merged range
                sheet.cell(row, 2).value = ("・：" * 16_384)[:32_767]

    def merged(sheet: Any) -> None:  # 3,000 merged ranges and a value to fix
        sheet["B17"] = "12"
        for index in range(3_000):
            column = 5 + 2 * (index % 2)
            sheet.merge_cells(start_row=100 + index // 2, start_column=column,
                              end_row=100 + index // 2, end_column=column + 1)

    def tabs(sheet: Any) -> None:  # runs of tabs and full-width spaces around labels
        for row in range(45, 80):
            sheet.cell(row, 4).value = "\t　" * 10_000 + "電話番号" + "\t" * 10_000

    form("hostile_labels.xlsx", padded_labels)
    form("hostile_values.xlsx", long_values)
    form("hostile_merged.xlsx", merged)
    form("hostile_tabs.xlsx", tabs)
    colons = openpyxl.Workbook()
    sheet = colons.active
    assert sheet is not None
    for row in range(1, 6):
        sheet.cell(row, 1).value = "：" * 32_000
    colons.save(inbox / "hostile_colons.xlsx")


def hostile_round(out: Path) -> float:
    """A round of 40 forms and 5 hostile files, once (target: under 60 s on 2 cores)."""
    directory = out / "round-hostile"
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(_inbox(out, 40).parent / "inbox", directory / "inbox")
    _hostile_files(directory / "inbox")
    return float(_bansou_run(directory / "inbox", directory / "outbox", SHIPPED_ROUND)["wall"])


SPAWN_FORMS = 2000


def spawn_route(out: Path) -> tuple[float, float]:
    """A rerun of a 2,000-form round as Linux runs it and as Windows does (simulated), in s."""
    inbox = _inbox(out, SPAWN_FORMS)
    walls = []
    for windows in (False, True):
        outbox = inbox.parent / ("outbox-windows" if windows else "outbox")
        _bansou_run(inbox, outbox, SHIPPED_ROUND, windows)  # the first run creates every file
        walls.append(float(_bansou_run(inbox, outbox, SHIPPED_ROUND, windows)["wall"]))
    return walls[0], walls[1]


def cli_latency(out: Path) -> dict[str, float]:
    """`bansou --help`; `bansou check FILE` on a form (the target: what staff check as mail
    arrives, validated as a run validates it) and on a file that is no form (a PDF)."""
    files = sorted(p for p in _inbox(out, 50).iterdir() if p.name.startswith("申請書_"))
    form = next(p for p in files if p.suffix == ".xlsx")
    other = next(p for p in files if p.suffix == ".pdf")
    latencies = {}
    for label, command in (("bansou --help", [str(_BANSOU), "--help"]),
                           ("bansou check FILE", [str(_BANSOU), "check", str(form)]),
                           ("bansou check FILE (a PDF)", [str(_BANSOU), "check", str(other)])):
        times = []
        for _ in range(CLI_REPEAT):
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False, cwd=ROOT)
            times.append(time.perf_counter() - started)
        latencies[label] = _median(times)
    return latencies


def profile(out: Path, forms: int) -> str:
    """cProfile of the two halves of a run: the per-form work the worker processes do (on a
    sample, in this process), and the parent process with its waits for the workers left out."""
    from pipeline.core.settings_load import load_settings
    from pipeline.run import run_round
    from pipeline.stage1_read.inbox import scan_inbox
    from pipeline.stage1_read.workers import _read_and_normalize

    inbox = _inbox(out, forms)
    sample = scan_inbox(inbox).files[:1000]
    worker = cProfile.Profile()
    worker.enable()
    for inbox_file in sample:
        _read_and_normalize(inbox_file.path, inbox_file.name)
    worker.disable()
    parent = cProfile.Profile()
    parent.enable()
    run_round(inbox, inbox.parent / "outbox", load_settings(SHIPPED_ROUND))
    parent.disable()
    return (f"### Per-form work in a worker ({len(sample):,} forms, by own time)\n\n```\n"
            f"{_top(worker, 15)}\n```\n\n### The parent process ({forms:,} forms, by own time, "
            f"waits for workers left out)\n\n```\n{_top(parent, 15, skip='acquire')}\n```\n")


def per_form(out: Path, forms: int) -> str:
    """Each step of a worker's per-form work, timed on a sample in this process."""
    import hashlib
    import pickle

    import python_calamine

    from pipeline.core.formspec import FORM_SHEET
    from pipeline.core.record import normalize_form
    from pipeline.stage1_read import workers
    from pipeline.stage1_read.forms import read_grid
    from pipeline.stage1_read.inbox import scan_inbox
    from pipeline.stage1_read.sniff import load, sniff_bytes

    sample = scan_inbox(_inbox(out, forms)).files[:2000]
    spent = dict.fromkeys(_STEPS, 0.0)
    for inbox_file in sample:
        clock = time.perf_counter()

        def lap(step: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            spent[step] += now - clock
            clock = now

        data = load(inbox_file.path)
        lap("load")
        if not isinstance(data, bytes):
            continue
        hashlib.sha256(data).hexdigest()
        lap("sha256")
        if sniff_bytes(data):
            continue
        lap("checks")
        try:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheet = book.get_sheet_by_name(FORM_SHEET)
            grid, merged = sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or []
            book.close()
        except python_calamine.CalamineError:
            continue
        lap("calamine")
        form = read_grid(inbox_file.name, grid, merged)
        lap("fields")
        if form.is_form:
            form.normalized = normalize_form(form)
        lap("normalise")
        workers._Unpacker()(pickle.loads(pickle.dumps(workers._packed([form]), pickle.HIGHEST_PROTOCOL)))
        lap("pickle")
    rows = ["| step, per form in a worker | ms |", "|---|---:|"]
    rows += [f"| {label} | {spent[step] / len(sample) * 1000:.3f} |"
             for step, label in _STEPS.items()]
    rows.append(f"| all of the above | {sum(spent.values()) / len(sample) * 1000:.3f} |")
    return (f"### Each step of reading a form ({len(sample):,} forms, one process)\n\n"
            + "\n".join(rows) + "\n")


_STEPS = {
    "load": "read the file's bytes",
    "sha256": "SHA-256 (受付一覧, duplicates)",
    "checks": "checks before any parser (zip directory, part prologs, sheet bounds)",
    "calamine": "python-calamine: open, 申請書 sheet, cells (what the floor does)",
    "fields": "find each field by its label",
    "normalise": "normalise every value, note problems",
    "pickle": "send the result to the parent (pickle both ways)",
}

OUTLOOK = """\
### What would bring the run closer to the floor

The floor is python-calamine alone, on one core. A run does that and, per form, the checks
before any parser, finding fields by label, normalising, hashing and sending the record to the
parent (the table above), in two worker processes; meanwhile the parent imports the deciding
and writing stages, readies pandera, reads the register and what the last run left in outbox/.
Deciding (validation, eligibility, scoring) runs on one core, with the cyclic garbage collector
paused (a full collection walked every form read: 0.3 s). XlsxWriter writes about 4 µs a cell
(330,000 cells in 選定結果.xlsx at 10,000 forms, 240,000 in 申請一覧.xlsx, 140,000 in
審査票.xlsx) in two processes, beside 10,000 notice files (linked, on a rerun, where their text
did not change: creating a file costs 0.03 to 0.5 ms on this virtual machine by whether the
disk blocks were written before, linking one 0.015 ms). What is left to take: the per-form
steps are plain Python on a few hundred cells each (a compiled label search or normaliser
would halve them); the checks before parsing decompress the 申請書 sheet once more than calamine
does; the writers are at XlsxWriter's own pace (the workbook split that balances the two
processes is already the best: 選定結果 on one, 申請一覧, 審査票 and the letters on the other),
so only fewer cells would make them faster.
"""


def _top(profiler: cProfile.Profile, count: int, skip: str = "") -> str:
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("tottime").print_stats(count + 1)
    lines = stream.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("ncalls"))
    rows = [line for line in lines[start:] if line.strip() and not (skip and skip in line)]
    return "\n".join(rows[: count + 1])


def table(results: list[dict[str, object]], latencies: dict[str, float], hostile: float,
          spawn: tuple[float, float]) -> str:
    rows = ["| forms | floor: bare calamine (s) | naive: read_excel/openpyxl (s) | bansou run (s) "
            "| forms/s | run / floor | naive / run | peak RSS (MB) | first run, empty outbox (s) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        forms, floor, naive, run = (r["forms"], r["floor"], r["naive"], r["run"])
        assert isinstance(forms, int) and isinstance(floor, float)
        assert isinstance(naive, float) and isinstance(run, float)
        rows.append(f"| {forms:,} | {floor:.2f} | {naive:.2f} | {run:.2f} | {forms / run:,.0f} "
                    f"| {r['over_floor']:.1f}× | {r['under_naive']:.1f}× | {r['rss_mb']:.0f} "
                    f"| {r['first']:.2f} |")
    rows += ["", "| stage | " + " | ".join(f"{r['forms']:,} forms (s)" for r in results) + " |",
             "|---|" + "---:|" * len(results)]
    laps = results[-1]["laps"]
    assert isinstance(laps, dict)
    for stage in laps:
        cells = []
        for r in results:
            lap = r["laps"].get(stage, 0.0)  # type: ignore[attr-defined]
            cells.append(f"{lap:.2f} ({lap / r['run']:.0%})")
        rows.append(f"| {stage} | " + " | ".join(cells) + " |")
    rows += ["", "From 200 files on, forms are read in two worker processes and the writers run "
             "in two processes: those stages overlap, so their shares can add up to more "
             "than 100%. The run is timed as staff run it most, again on the same inbox "
             "(medians of reruns): each letter whose text did not change is linked to the "
             "file the last run wrote, not created anew. The last column is one run into an "
             "empty outbox, every file created. The floor, our run and the naive read are "
             "measured in turn; each ratio is the median of the turns' ratios (this machine's "
             "speed drifts between turns)."]
    rows += ["", "| command | wall (s, median of 5) |", "|---|---:|"]
    rows += [f"| `{label}` | {seconds:.3f} |" for label, seconds in latencies.items()]
    rows += ["", f"A round of 40 forms and 5 files built to make text handling slow (32,000 spaces "
             f"after a label, 32,767 characters in every input, 3,000 merged ranges, runs of tabs, "
             f"a sheet of colons): {hostile:.1f} s (target: under 60 s)."]
    rows += ["", f"The Windows route (simulated: workers spawned, not forked, so the writers run one "
             f"after the other; no memory or CPU limits), a rerun of {SPAWN_FORMS:,} forms: "
             f"{spawn[1]:.1f} s, against {spawn[0]:.1f} s as Linux runs it."]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out",
                        help="where the generated inputs go")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results = [measure(args.out, forms, args.repeat) for forms in args.sizes]
    latencies = cli_latency(args.out)
    report = table(results, latencies, hostile_round(args.out), spawn_route(args.out))
    print(report)
    header = (f"# Benchmark results\n\n{dt.date.today():%Y-%m-%d}, {os.cpu_count()} cores, "
              f"Python {sys.version.split()[0]}; medians of {args.repeat} runs "
              f"(`python -m bench --sizes {' '.join(map(str, args.sizes))} "
              f"--repeat {args.repeat}`).\n\n")
    body = header + report + "\n"
    if not args.no_profile:
        largest = max(args.sizes)
        body += (f"\n## Where the time goes\n\n{per_form(args.out, largest)}\n{OUTLOOK}\n"
                 f"## cProfile\n\n{profile(args.out, largest)}")
    args.results.write_text(body, encoding="utf-8")


if __name__ == "__main__":
    main()
