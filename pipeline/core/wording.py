"""Dates as Japanese letters and messages write them: 2016年6月30日, not 2016年06月30日."""

from __future__ import annotations

import datetime as dt

from pipeline.core import eras


def japanese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def japanese_datetime(moment: dt.datetime) -> str:
    """The date, and the time unless it is midnight (a date typed without a time)."""
    if moment.time() == dt.time():
        return japanese_date(moment)
    return f"{japanese_date(moment)} {moment.hour}:{moment.minute:02d}"


def month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def era_date(day: dt.date) -> str:
    """2016-06-28 → 平成28年6月28日; 2019-05-01 → 令和元年5月1日 (Western before 明治)."""
    era = eras.era_of(day)
    if era is None:
        return japanese_date(day)
    return f"{era.name}{era_year(era.era_year(day.year))}年{day.month}月{day.day}日"


def era_year(year: int) -> str:
    """An era's year as written: the first is 元."""
    return "元" if year == 1 else str(year)


def era_span(era: eras.Era) -> str:
    """An era's days, for a message: 令和は2019年5月1日から; 平成は1989年1月8日から2019年4月30日まで."""
    first = f"{era.name}は{japanese_date(era.first_day)}から"
    return first if era.last_day is None else f"{first}{japanese_date(era.last_day)}まで"


def fiscal_year_name(year: int) -> str:
    """A fiscal year as Japanese offices name it: 2019 → 令和元年度, 2016 → 平成28年度."""
    era = eras.fiscal_year_era(year)
    return f"{era.name}{era_year(era.era_year(year))}年度"


def form_examples(deadline: dt.date) -> dict[str, str]:
    """The examples a round's form and its messages give: an application date just before the
    deadline (``date``: both ways; ``date_numeric``, ``date_era``), and a start three months
    after it (``month``, ``month_numeric``)."""
    applied = deadline - dt.timedelta(days=2)
    month = deadline.month + 2
    start = dt.date(deadline.year + month // 12, month % 12 + 1, 1)
    numeric = f"{applied.year}/{applied.month}/{applied.day}"
    return {"date": f"{numeric}、{era_date(applied)}", "date_numeric": numeric,
            "date_era": era_date(applied), "month": f"{start.year}年{start.month}月",
            "month_numeric": f"{start.year}/{start.month}"}


# The seed round's examples: in messages written before a round's settings are at hand (the
# worker processes that read forms); deciding rewrites them with the round's own.
SEED_EXAMPLES = form_examples(dt.date(2016, 6, 30))
