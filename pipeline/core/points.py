"""Points are exact fractions everywhere a decision is made; this is the one place where they
are rounded, for display only."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

DECIMALS = 2
# 概要 states it, in staff's words, beside the round's settings
DISPLAY_RULE = ("小数第2位まで（四捨五入）。順位は端数を含む正確な値で決めます。合計点は各項目の点を"
                "端数のまま合計してから丸めるため、表示した各項目の点の和と0.01点違うことがあります")


@lru_cache(maxsize=4096)  # a round's totals repeat: thousands of rows, a few hundred values
def shown(value: Fraction | int) -> Decimal:
    """``value`` rounded half up (away from zero) to :data:`DECIMALS` places: what is displayed."""
    exact = Fraction(value)
    scale = 10 ** DECIMALS
    # floor(|x| × scale + 1/2) in integers
    magnitude = (2 * abs(exact.numerator) * scale + exact.denominator) // (2 * exact.denominator)
    return Decimal(magnitude if exact >= 0 else -magnitude).scaleb(-DECIMALS).normalize()


def shown_number(value: Fraction | int | None) -> float | None:
    """The displayed value as a number for a workbook cell (None stays None: not scored yet)."""
    return None if value is None else float(shown(value))


def shown_text(value: object) -> str:
    """The displayed value as text: 86.67, 84, 63.5 (``value`` as a frame's cell holds it: an
    exact Fraction or an int)."""
    if not isinstance(value, Fraction | int):
        raise TypeError(f"points must be exact, not {type(value).__name__}")
    return f"{shown(value):f}"


def row_sums(columns: Sequence[Sequence[Fraction | None]],
             rows: int) -> list[tuple[Fraction, int]]:
    """Per row, the exact sum of the columns' values (None left out) and how many there were.
    Added as integers over one common denominator: the same Fractions, quick on 10,000 rows."""
    common = math.lcm(*(v.denominator for column in columns for v in column if v is not None))
    sums, counts = [0] * rows, [0] * rows
    for column in columns:
        for row, value in enumerate(column):
            if value is not None:
                sums[row] += value.numerator * (common // value.denominator)
                counts[row] += 1
    return [(Fraction(total, common), count) for total, count in zip(sums, counts, strict=True)]
