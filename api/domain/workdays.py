"""Working days in mainland China: official holidays and the adjusted working weekends (调休).

The official schedule is published each year by the State Council; it is data, not code. In order:

1. the schedule a manager entered or imported for the year (``holiday_calendar`` rows,
   ``api.domain.holidays``): a listed holiday is off, a listed workday is worked, any other day
   follows the ordinary week;
2. the schedule shipped with ``chinese_calendar`` for the years it covers;
3. otherwise the ``holidays`` package's China calendar plus ordinary weekends, which knows the
   holidays but not the swaps (the console warns from November when next year is still missing).
"""
import time
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import chinese_calendar
import holidays as holidays_pkg

# entered schedules, per database and year: {(db id, year): (loaded at, {date: kind} or None)}.
# Written through ``forget_entered``; other processes see an entry at most this many seconds late.
_ENTERED_TTL = 30.0
_entered = {}


@lru_cache(maxsize=None)
def _fallback_holidays(year):
    return holidays_pkg.China(years=year)


def _database_key():
    from api.db import db

    return id(db.obj) if db.obj is not None else None


def entered_schedule(year):
    """``{date: "holiday"|"workday"}`` entered for ``year``, or None when nothing is entered (or no
    database is bound: the pure functions still work)."""
    key = (_database_key(), year)
    if key[0] is None:
        return None
    hit = _entered.get(key)
    if hit and time.monotonic() - hit[0] < _ENTERED_TTL:
        return hit[1]
    from peewee import DatabaseError

    from api.models import HolidayDay

    try:
        rows = {r.day: r.kind for r in HolidayDay.select(HolidayDay.day, HolidayDay.kind)
                .where(HolidayDay.year == year)}
    except DatabaseError:  # not migrated yet
        return None
    schedule = rows or None
    _entered[key] = (time.monotonic(), schedule)
    return schedule


def forget_entered(year=None):
    """Drop the cached entered schedule (after a change) so the next look-up reads the database."""
    for key in list(_entered):
        if year is None or key[1] == year:
            _entered.pop(key, None)


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
    entered = entered_schedule(day.year)
    if entered is not None:
        kind = entered.get(day)
        if kind is not None:
            return kind == "workday"
        return day.weekday() < 5
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
