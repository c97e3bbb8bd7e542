"""Working days in mainland China: official holidays and the adjusted working weekends (调休).

``chinese_calendar`` knows the State Council's announced schedule (holidays *and* the weekends
made working days) up to the last year it covers; for later years we fall back to the ``holidays``
package's China calendar plus ordinary weekends, which knows the holidays but not the swaps.
"""
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import chinese_calendar
import holidays as holidays_pkg


@lru_cache(maxsize=None)
def _fallback_holidays(year):
    return holidays_pkg.China(years=year)


def covered_by_chinese_calendar(day):
    """Whether the official schedule (with adjusted working weekends) is known for this day's year."""
    try:
        chinese_calendar.is_workday(day)
        return True
    except NotImplementedError:
        return False


def fallback_is_working_day(day):
    """Weekdays that are not China public holidays (no knowledge of adjusted working weekends)."""
    return day.weekday() < 5 and day not in _fallback_holidays(day.year)


def is_working_day(day):
    if isinstance(day, datetime):
        day = day.date()
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return fallback_is_working_day(day)


def next_working_day(day):
    day = day + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(dt, n, tz):
    """``dt`` plus ``n`` working days in the site's time zone, at the same local clock time.

    ``dt`` may be naive UTC (as stored) or aware; the answer has the same kind. A start on a
    non-working day counts from that day, so Saturday + 1 working day is Monday (or an adjusted
    working Sunday).
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    naive = dt.tzinfo is None
    local = (dt.replace(tzinfo=timezone.utc) if naive else dt).astimezone(tz)
    day = local.date()
    for _ in range(n):
        day = next_working_day(day)
    result = datetime.combine(day, local.timetz().replace(tzinfo=None)).replace(tzinfo=tz)
    if naive:
        return result.astimezone(timezone.utc).replace(tzinfo=None)
    return result.astimezone(dt.tzinfo)


def add_working_days_to_date(day: date, n: int) -> date:
    for _ in range(n):
        day = next_working_day(day)
    return day
