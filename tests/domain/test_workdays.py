"""Working days: the official calendar with adjusted weekends, and the fallback for later years."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from api.domain import workdays as wd

SH = ZoneInfo("Asia/Shanghai")


def sh(*a):
    return datetime(*a, tzinfo=SH)


@pytest.mark.parametrize("start,expected", [
    (sh(2026, 9, 30, 10, 0), sh(2026, 10, 8, 10, 0)),   # across National Day (1–7 October 2026)
    (sh(2026, 10, 9, 15, 0), sh(2026, 10, 10, 15, 0)),  # Friday -> the adjusted working Saturday
    (sh(2026, 10, 10, 15, 0), sh(2026, 10, 12, 15, 0)),  # Saturday (working) -> Monday
    (sh(2026, 11, 20, 9, 0), sh(2026, 11, 23, 9, 0)),   # an ordinary Friday -> Monday
    (sh(2026, 10, 3, 9, 0), sh(2026, 10, 8, 9, 0)),     # done on a holiday: the next working day
])
def test_add_one_working_day_with_the_official_calendar(start, expected):
    assert wd.add_working_days(start, 1, SH) == expected


def test_naive_utc_in_naive_utc_out_across_midnight():
    # 2026-09-30 17:00 UTC is 1 October 01:00 in Shanghai (a holiday): next working day 8 October
    got = wd.add_working_days(datetime(2026, 9, 30, 17, 0), 1, SH)
    assert got == datetime(2026, 10, 7, 17, 0) and got.tzinfo is None
    assert got.replace(tzinfo=timezone.utc).astimezone(SH) == sh(2026, 10, 8, 1, 0)


def test_adjusted_working_weekend_is_known_only_to_the_official_calendar():
    assert wd.is_working_day(date(2026, 10, 10)) is True          # 调休 Saturday
    assert wd.fallback_is_working_day(date(2026, 10, 10)) is False  # the fallback cannot know it
    assert wd.is_working_day(date(2026, 10, 1)) is False


def test_years_beyond_the_official_calendar_fall_back_to_holidays_and_weekends():
    assert wd.covered_by_chinese_calendar(date(2026, 12, 31)) is True
    assert wd.covered_by_chinese_calendar(date(2027, 1, 4)) is False
    assert wd.is_working_day(date(2027, 1, 1)) is False    # New Year's Day (holidays package)
    assert wd.is_working_day(date(2027, 1, 2)) is False    # Saturday
    assert wd.is_working_day(date(2027, 1, 4)) is True     # Monday
    assert wd.add_working_days(sh(2026, 12, 31, 18, 0), 1, SH) == sh(2027, 1, 4, 18, 0)
    assert wd.add_working_days(sh(2027, 4, 30, 12, 0), 1, SH).date() > date(2027, 5, 2)  # Labour Day


def test_zero_days_is_the_same_time_and_negative_is_an_error():
    start = sh(2026, 10, 2, 8, 0)
    assert wd.add_working_days(start, 0, SH) == start
    with pytest.raises(ValueError):
        wd.add_working_days(start, -1, SH)
