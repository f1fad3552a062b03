"""Points are exact fractions everywhere a decision is made; this is the one place where they
are rounded, for display only."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

DECIMALS = 2
# 概要 states it, in staff's words, beside the round's settings
DISPLAY_RULE = ("小数第2位まで（四捨五入）。順位は端数を含む正確な値で決めます。合計点は各項目の点を"
                "端数のまま合計してから丸めるため、表示した各項目の点の和と0.01点違うことがあります")


def shown(value: Fraction | int) -> Decimal:
    """``value`` rounded half up (away from zero) to :data:`DECIMALS` places: what is displayed."""
    scale = 10 ** DECIMALS
    magnitude = math.floor(abs(Fraction(value)) * scale + Fraction(1, 2))
    return Decimal(magnitude if value >= 0 else -magnitude).scaleb(-DECIMALS).normalize()


def shown_number(value: Fraction | int | None) -> float | None:
    """The displayed value as a number for a workbook cell (None stays None: not scored yet)."""
    return None if value is None else float(shown(value))


def shown_text(value: object) -> str:
    """The displayed value as text: 86.67, 84, 63.5 (``value`` as a frame's cell holds it: an
    exact Fraction or an int)."""
    if not isinstance(value, Fraction | int):
        raise TypeError(f"points must be exact, not {type(value).__name__}")
    return f"{shown(value):f}"
