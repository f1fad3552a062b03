"""Every pattern applied to applicant or staff text runs in time linear in its length (issue 27):
a cell of 32,767 characters built from what makes patterns backtrack (runs of spaces, colons,
dots, tabs, digits, brackets, repeated labels) costs about 16 times one of 2,048, never 256."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.formspec import SCALAR_FIELDS
from pipeline.core.normalize import (
    clean_text,
    has_year,
    label_key,
    normalize_field,
    parse_datetime,
    parse_mark,
)
from pipeline.stage1_read.forms import _inline_pattern

SMALL, LARGE = 2_048, 32_767
# The pieces quadratic patterns feed on, and a label to repeat.
PIECES = [" ", "　", "：", ":", "・", "\t", "1", "-", "(", "（", "必須", "団体名", "〒", "年", "月",
          "/", ".", "@", "a", "ー", "\n"]


def _seconds(function: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - started)
    return best


def _readers() -> list[Callable[[str], object]]:
    return [label_key, clean_text, parse_mark, parse_datetime, has_year, _inline_pattern("団体名").match,
            *(lambda text, spec=spec: normalize_field(spec, text) for spec in SCALAR_FIELDS)]


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=4), st.sampled_from(PIECES))
def test_reading_a_cell_is_linear_in_its_length(unit: list[str], tail: str) -> None:
    block = "".join(unit)
    small = (block * (SMALL // len(block) + 1))[:SMALL] + tail
    large = (block * (LARGE // len(block) + 1))[:LARGE] + tail
    for read in _readers():
        # 16× the text: linear is ~16× the time, quadratic 256×; the constant absorbs noise
        assert _seconds(read, large) <= 64 * _seconds(read, small) + 0.05, (read, block, tail)
