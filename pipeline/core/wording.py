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
