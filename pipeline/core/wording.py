"""Dates as Japanese letters and messages write them: 2016年6月30日, not 2016年06月30日."""

from __future__ import annotations

import datetime as dt


def japanese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def japanese_datetime(moment: dt.datetime) -> str:
    """The date, and the time unless it is midnight (a date typed without a time)."""
    if moment.time() == dt.time():
        return japanese_date(moment)
    return f"{japanese_date(moment)} {moment.hour}:{moment.minute:02d}"


def month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


# Japanese eras as applicants write dates (平成28年6月28日); the first year is 元年.
_ERAS = ((dt.date(2019, 5, 1), "令和"), (dt.date(1989, 1, 8), "平成"))


def era_date(day: dt.date) -> str:
    """2016-06-28 → 平成28年6月28日; 2019-05-01 → 令和元年5月1日."""
    for start, era in _ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return japanese_date(day)


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
