"""Japan's eras (元号): the one table for reading a date typed in an era (平成28年6月28日),
writing one (令和元年5月1日, wording.era_date) and naming a fiscal year (令和元年度).

Hand-written rather than taken from japanera or kanjize: the table is five fixed rows whose
boundaries tests/test_eras.py pins, and a date outside its era must be a problem of its own
(要修正 at the cell), which those libraries answer with their own exceptions or a wrapped year.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    name: str  # 平成
    letter: str  # H, as in H28.6.28
    first_day: dt.date
    last_day: dt.date | None  # None: the era of today

    def western_year(self, year: int) -> int:
        """The Western year of the era's ``year`` (元年 is 1)."""
        return self.first_day.year + year - 1

    def era_year(self, western_year: int) -> int:
        return western_year - self.first_day.year + 1

    def holds(self, first: dt.date, last: dt.date) -> bool:
        """Whether any day from ``first`` to ``last`` is in this era."""
        return first <= (self.last_day or dt.date.max) and last >= self.first_day


# Each era begins on the day after the last one ends (the change of 1989: 昭和64年1月7日, then
# 平成元年1月8日). 明治 is counted in the Gregorian calendar throughout: the years before 1873
# never matter, a form's date is never before 1900 (normalize.FIRST_REAL_DAY).
ERAS = (
    Era("明治", "M", dt.date(1868, 1, 25), dt.date(1912, 7, 29)),
    Era("大正", "T", dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    Era("昭和", "S", dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    Era("平成", "H", dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    Era("令和", "R", dt.date(2019, 5, 1), None),
)
BY_NAME = {era.name: era for era in ERAS} | {era.letter: era for era in ERAS}
# For a pattern: 明治|大正|昭和|平成|令和|M|T|S|H|R
NAMES_PATTERN = "|".join(BY_NAME)


def era_of(day: dt.date) -> Era | None:
    """The era a day is in; None before 明治."""
    return next((era for era in reversed(ERAS) if day >= era.first_day), None)


@dataclass(frozen=True)
class OutsideEra:
    """A date typed in an era that does not hold it (令和1年1月1日, 平成40年): ``era`` to say so."""

    era: Era


def era_day(name: str, year: int, month: int, day: int | None) -> dt.date | OutsideEra | None:
    """The day ``name`` ``year``年``month``月``day``日 (a month's first day without ``day``);
    None when there is no such day in any calendar (2月30日), :class:`OutsideEra` when the
    era does not hold it. A month without a day is in the era if any of its days is."""
    era = BY_NAME[name]
    if year < 1:
        return OutsideEra(era)
    western = era.western_year(year)
    try:
        first = dt.date(western, month, day or 1)
    except ValueError:
        return None
    last = first if day else first.replace(day=calendar.monthrange(western, month)[1])
    return first if era.holds(first, last) else OutsideEra(era)


def fiscal_year_era(year: int) -> Era:
    """The era Japanese offices name a fiscal year (April to March) in: the one in force on
    1 May of its first year (fiscal 2019, begun in 平成, is 令和元年度; fiscal 1989 平成元年度)."""
    return era_of(dt.date(year, 5, 1)) or ERAS[0]
