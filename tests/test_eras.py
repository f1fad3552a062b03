"""Era dates and kanji numerals: each era's first and last day, impossible era dates as a
problem at the cell, dates written in kanji numerals read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils.cell import get_column_letter

from pipeline.core import eras, normalize, wording
from pipeline.core.cells import cell_address, column_index, column_letters
from pipeline.core.normalize import Invalid, kanji_digits
from pipeline.new_round import next_year_text
from pipeline.stage1_read.forms import read_form
from pipeline.stage2_decide.validate import validate_forms
from tests.formfactory import make_form, with_values

# The changes of era as the Cabinet announced them: (era, its last day, the next era's first).
CHANGES = [
    ("明治", dt.date(1912, 7, 29), "大正", dt.date(1912, 7, 30)),
    ("大正", dt.date(1926, 12, 24), "昭和", dt.date(1926, 12, 25)),
    ("昭和", dt.date(1989, 1, 7), "平成", dt.date(1989, 1, 8)),
    ("平成", dt.date(2019, 4, 30), "令和", dt.date(2019, 5, 1)),
]
# The Western year of each era's 元年.
FIRST_YEARS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}


def _typed(era: str, day: dt.date) -> str:
    """A day as an applicant types it in ``era``, whether or not the era holds it."""
    year = day.year - FIRST_YEARS[era] + 1
    return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"


@pytest.mark.parametrize(("old", "last", "new", "first"), CHANGES)
def test_each_change_of_era_is_read_on_its_own_day(old: str, last: str, new: str,
                                                   first: dt.date) -> None:
    assert normalize.parse_date(_typed(old, last)) == last  # type: ignore[arg-type]
    assert normalize.parse_date(_typed(new, first)) == first
    after_the_end = normalize.parse_date(_typed(old, first))
    before_the_start = normalize.parse_date(_typed(new, last))  # type: ignore[arg-type]
    for outside in (after_the_end, before_the_start):
        assert isinstance(outside, Invalid) and outside.code == "date_outside_era"


@pytest.mark.parametrize(("typed", "era"), [
    ("平成35年3月1日", "平成"), ("H33.1.1", "平成"), ("昭和70年5月5日", "昭和"),
    ("S65.2.1", "昭和"), ("大正16年1月1日", "大正"), ("明治50年1月1日", "明治"),
    ("令和0年6月1日", "令和"), ("平成0年6月1日", "平成"),
])
def test_a_year_the_era_never_reached_is_outside_it(typed: str, era: str) -> None:
    assert normalize.parse_date(typed) == Invalid(
        "date_outside_era", wording.era_span(eras.BY_NAME[era]))


def test_a_month_is_in_its_era_when_one_of_its_days_is() -> None:
    assert normalize.parse_year_month("令和元年5月") == dt.date(2019, 5, 1)
    assert normalize.parse_year_month("平成31年4月から") == dt.date(2019, 4, 1)
    assert normalize.parse_year_month("昭和64年1月") == dt.date(1989, 1, 1)
    assert normalize.parse_year_month("平成元年1月") == dt.date(1989, 1, 1)
    for outside in ("令和元年3月", "平成31年6月", "昭和64年2月"):
        result = normalize.parse_year_month(outside)
        assert isinstance(result, Invalid) and result.code == "date_outside_era", outside


_KANJI = "〇一二三四五六七八九"


def _kanji(number: int) -> str:
    """A number as Japanese write it in kanji: 2016 → 二千十六, 120 → 百二十."""
    written = ""
    for unit, name in ((1000, "千"), (100, "百"), (10, "十")):
        count, number = divmod(number, unit)
        if count:
            written += ("" if count == 1 else _KANJI[count]) + name
    return written + (_KANJI[number] if number else "")


@given(number=st.integers(min_value=1, max_value=9999))
def test_kanji_numbers_read_above_a_hundred(number: int) -> None:
    assert kanji_digits(f"約{_kanji(number)}件") == f"約{number}件"
    assert kanji_digits("".join(_KANJI[int(d)] for d in str(number))) == str(number)


def test_a_run_of_kanji_that_is_no_number_is_left_as_written() -> None:
    for run in ("三五十", "十百", "二十十", "〇百"):
        assert kanji_digits(run) == run


@given(day=st.dates(min_value=normalize.FIRST_REAL_DAY, max_value=dt.date(2199, 12, 31)))
def test_dates_written_in_an_era_and_in_kanji_read_back(day: dt.date) -> None:
    era = wording.era_date(day)
    assert normalize.parse_date(era) == day
    in_kanji = era.replace("元年", "一年")
    for digits in sorted({*filter(None, "".join(c if c.isdigit() else " " for c in era).split())},
                         key=len, reverse=True):
        in_kanji = in_kanji.replace(digits, _kanji(int(digits)))
    assert normalize.parse_date(in_kanji) == day
    assert normalize.parse_date("".join(_KANJI[int(c)] if c.isdigit() else c
                                        for c in f"{day.year}年{day.month}月{day.day}日")) == day


@pytest.mark.parametrize(("typed", "expected"), [
    ("平成三十年十二月三日", dt.date(2018, 12, 3)),
    ("令和元年十月一日", dt.date(2019, 10, 1)),
    ("二〇二七年一月十五日", dt.date(2027, 1, 15)),
    ("二千十七年五月二十日", dt.date(2017, 5, 20)),
])
def test_dates_in_kanji_numerals_are_read(typed: str, expected: dt.date) -> None:
    assert normalize.parse_date(typed) == expected


def _problems(tmp_path: Path, blank_dir: Path, date: object) -> pd.DataFrame:
    path = make_form(tmp_path / "d.xlsx", with_values({"申請日": date}), blank_dir=blank_dir)
    return validate_forms([read_form(path)]).problems


def test_an_impossible_era_date_is_a_problem_at_its_cell(tmp_path: Path, blank_dir: Path) -> None:
    found = _problems(tmp_path, blank_dir, "令和元年4月20日")
    assert found[["cell", "label", "value", "code"]].values.tolist() == [
        ["B6", "申請日", "令和元年4月20日", "date_outside_era"]]
    assert "令和は2019年5月1日から" in found["message"].iloc[0]


def test_an_application_date_in_kanji_numerals_is_read(tmp_path: Path, blank_dir: Path) -> None:
    path = make_form(tmp_path / "k.xlsx", with_values({"申請日": "平成二十八年六月二十七日"}),
                     blank_dir=blank_dir)
    result = validate_forms([read_form(path)])
    assert result.problems.empty
    assert result.applications["application_date"].tolist() == [pd.Timestamp("2016-06-27")]


@pytest.mark.parametrize(("name", "next_name"), [
    ("平成30年度", "令和元年度"), ("令和元年度", "令和2年度"), ("昭和63年度", "平成元年度"),
    ("平成元年度", "平成2年度"),
])
def test_the_next_fiscal_year_is_named_in_its_era(name: str, next_name: str) -> None:
    assert next_year_text(f'name = "{name} 伴走支援事業"') == f'name = "{next_name} 伴走支援事業"'


def test_cell_addresses_past_z_and_zz() -> None:
    assert [cell_address(4, col) for col in (25, 26, 701, 702)] == ["Z5", "AA5", "ZZ5", "AAA5"]
    # every column Excel has, as openpyxl names it
    assert all(column_letters(col) == get_column_letter(col + 1)
               and column_index(column_letters(col)) == col + 1 for col in range(16384))
