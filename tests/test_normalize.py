"""Normalisers: whatever the input, a value or a clear error, never an exception."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from pipeline.core import normalize, problems
from pipeline.core.formspec import FIELDS, SCALAR_FIELDS
from pipeline.core.normalize import Invalid, label_key, normalize_field, parse_mark

cell_values = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789０１２３４５６７８９-－ー/年月日元平成令和HR.〒()（）か月ヶ ", max_size=20),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.dates(),
)


@given(value=cell_values)
def test_every_scalar_normaliser_returns_a_value_or_a_known_problem(value: object) -> None:
    for spec in SCALAR_FIELDS:
        result = normalize_field(spec, value)
        if isinstance(result, Invalid):
            assert result.code in problems.KINDS
            problems.describe(result.code, label=spec.label, value=value, extra=result.extra)


@given(value=cell_values)
def test_marks_are_yes_no_or_a_problem(value: object) -> None:
    result = parse_mark(value)
    assert isinstance(result, bool) or result == Invalid("bad_mark")


@given(text=st.text())
def test_clean_text_has_no_control_characters_and_is_trimmed(text: str) -> None:
    cleaned = normalize.clean_text(text)
    if cleaned is not None:
        assert cleaned == cleaned.strip()
        assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in cleaned)


@given(date=st.dates(min_value=dt.date(1989, 1, 8), max_value=dt.date(2100, 12, 31)))
def test_western_dates_are_read(date: dt.date) -> None:
    assert normalize.parse_date(f"{date.year}/{date.month}/{date.day}") == date
    # Era dates: tests/test_eras.py


def test_label_variants_reduce_to_the_label() -> None:
    for field in FIELDS:
        for variant in (f"※{field.label}", f"{field.label}（必須）：", f" {field.label}:",
                        f"＊{field.label}(必須)"):
            assert label_key(variant) == label_key(field.label), variant


def test_choice_error_lists_the_choices() -> None:
    result = normalize.parse_choice("いいえ", ("あり", "なし"))
    assert result == Invalid("bad_choice", "あり、なし")


def test_dates_beyond_what_a_form_can_mean_are_problems() -> None:
    # found by fuzzing: year 2262 overflows pandas' timestamps
    assert normalize.parse_date(dt.date(2262, 4, 12)) == Invalid("bad_date")
    assert normalize.parse_date("3000/1/1") == Invalid("bad_date")
    assert normalize.parse_year_month(2958465) == Invalid("bad_year_month")
    assert normalize.parse_datetime(dt.datetime(9999, 1, 1)) == Invalid("bad_datetime")
    assert normalize.parse_date("2016/6/28") == dt.date(2016, 6, 28)
