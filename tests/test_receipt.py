"""Receipt on its own, on small frames: what staff should know and why the ranking is 暫定 come
out as codes with their fields (rendered to Japanese in one place, notes.TEMPLATES)."""

from __future__ import annotations

import datetime as dt
import string

import pandas as pd
import pytest

from pipeline.core import notes
from pipeline.core.notes import Note
from pipeline.core.records import NO_REGISTER, Register, RegisterEntry
from pipeline.core.settings import JST, RoundSettings
from pipeline.stage2_decide import receipt
from pipeline.stage2_decide.arrivals import Receipts
from tests.frames import application


def _records(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows)).set_index("file", drop=False)


def _receive(settings: RoundSettings, files: dict[str, str], records: pd.DataFrame,
             register: Register = NO_REGISTER) -> Receipts:
    run_at = settings.deadline + dt.timedelta(days=3)
    return receipt.receive(files, register, records, {}, {}, settings, run_at)


def _entry(name: str, row: int, when: dt.datetime | None, raw: str = "",
           year_typed: bool = True) -> RegisterEntry:
    return RegisterEntry(name, f"B{row}", f"C{row}", raw or str(when), when, year_typed)


def _codes(notes: list[Note]) -> list[str]:
    return [note.code for note in notes]


def test_a_register_row_naming_no_file_is_a_note_and_a_reason(settings: RoundSettings) -> None:
    when = dt.datetime(2016, 6, 22, 9, 30, tzinfo=JST)
    register = Register("受付簿.xlsx", (_entry("a.xlsx", 2, when), _entry("ghost.xlsx", 3, when)))
    got = _receive(settings, {"a.xlsx": "1" * 64}, _records(application("a.xlsx")), register)
    assert _codes(got.notes) == ["register_row_no_file"]
    assert _codes(got.provisional) == ["register_row_finds_no_file"]
    assert got.provisional[0].fields == {"cell": "B3", "name": "ghost.xlsx"}


def test_a_register_time_without_its_year_is_read_and_noted(settings: RoundSettings) -> None:
    typed = dt.datetime(1900, 6, 29, 16, 5, tzinfo=JST)  # the year is the deciding stage's
    register = Register("受付簿.xlsx", (_entry("a.xlsx", 4, typed, "6/29 16:05", False),))
    got = _receive(settings, {"a.xlsx": "1" * 64}, _records(application("a.xlsx")), register)
    (note,) = got.notes
    assert note.code == "register_year_read"
    assert note.fields["cell"] == "C4" and note.fields["written"] == "6/29 16:05"
    assert str(settings.deadline.year) in str(note.fields["when"])
    assert got.provisional == []


def test_copies_share_the_register_s_time(settings: RoundSettings) -> None:
    when = dt.datetime(2016, 6, 21, 11, 0, tzinfo=JST)
    register = Register("受付簿.xlsx", (_entry("b.xlsx", 2, when),))
    records = _records(application("b.xlsx"), application("b copy.xlsx"))
    got = _receive(settings, {"b.xlsx": "2" * 64, "b copy.xlsx": "2" * 64}, records, register)
    assert [(n.code, n.fields["first"]) for n in got.notes] == [("same_content", "b.xlsx")]


def test_one_name_twice_without_evidence_is_judged_apart_and_provisional(
        settings: RoundSettings) -> None:
    records = _records(application("x1.xlsx", org_name="みどり会", email="a@example.jp",
                                   phone="03-1111-1111"),
                       application("x2.xlsx", org_name="みどり会", email="b@example.jp",
                                   phone="03-2222-2222"))
    got = _receive(settings, {"x1.xlsx": "3" * 64, "x2.xlsx": "4" * 64}, records)
    assert _codes(got.notes) == ["same_name_kept_apart"]
    assert _codes(got.provisional) == ["same_name_unconfirmed"]
    assert sorted(str(f) for f in got.provisional[0].fields["files"]) == ["x1.xlsx", "x2.xlsx"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("code", sorted(notes.TEMPLATES))
def test_every_note_renders_its_fields(code: str) -> None:
    names = [name for _, name, _, _ in string.Formatter().parse(notes.TEMPLATES[code]) if name]
    fields = {name: (f"<{name}1>", f"<{name}2>") if name == "files" else f"<{name}>"
              for name in names}
    text = Note.of(code, **fields).text
    assert all(f"<{name}" in text for name in names)
    assert "<files1>、<files2>" in text or "files" not in names
