"""A request's time limits (respond by, due at) from policy, counted in the site's time zone."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from api.domain.deadlines import missed_limit as _missed_limit
from api.domain.service_requests.terms import ACTIVE, PRIORITIES
from api.domain.workdays import add_working_days_to_date


def to_local(dt_utc, tz):
    return dt_utc.replace(tzinfo=timezone.utc).astimezone(tz)


def end_of_local_day(day, tz):
    """24:00 of a local date (= the next day's 00:00) as naive UTC."""
    nxt = datetime.combine(day + timedelta(days=1), time(0, 0)).replace(tzinfo=tz)
    return nxt.astimezone(timezone.utc).replace(tzinfo=None)


def add_days(day, n, kind):
    """The n-th calendar or working day after ``day`` (working days: official China calendar)."""
    if kind == "working":
        return add_working_days_to_date(day, n)
    return day + timedelta(days=n)


def handling_due(received_at, tz, scope, complaints):
    """When a complaint/suggestion must be handled: the same day within the desk's scope, else by
    24:00 of the transfer_days-th (calendar or working) day after the day it was received."""
    day = to_local(received_at, tz).date()
    if scope == "desk" and complaints.get("desk_same_day", True):
        due = end_of_local_day(day, tz)
        min_hours = complaints.get("desk_min_hours")
        if min_hours:
            due = max(due, received_at + timedelta(hours=float(min_hours)))
        return due
    return end_of_local_day(add_days(day, complaints["transfer_days"], complaints["transfer_days_kind"]), tz)


def special_due(received_at, tz, complaints):
    """A special/urgent complaint (特殊或紧急投诉): by 24:00 of the ``special_days``-th day after the day
    it was received (seed 003 暂行规定 6: 特殊投诉的处理一般不超过三天)."""
    day = to_local(received_at, tz).date()
    return end_of_local_day(add_days(day, complaints.get("special_days", 3),
                                     complaints.get("special_days_kind", "calendar")), tz)


def request_deadlines(policy, kind, priority, scope, received_at, tz, urgent=False):
    """``{"respond_by", "due_at"}`` for a request as registered (or after a transfer).

    A suggestion (建议) is not a complaint (seed 003 暂行规定 1: 不含……建议及善意的批评): no limit.
    A special/urgent complaint may take up to ``special_days`` days wherever it is handled."""
    complaints = policy["complaints"]
    if kind == "suggestion":
        return {"respond_by": None, "due_at": None}
    if kind == "complaint" and urgent:
        return {"respond_by": None, "due_at": special_due(received_at, tz, complaints)}
    if kind == "repair":
        hours = policy.respond_hours(priority if priority in PRIORITIES else "normal")
        respond_by = received_at + timedelta(hours=hours) if hours else None
        return {"respond_by": respond_by, "due_at": handling_due(received_at, tz, "transferred", complaints)}
    return {"respond_by": None, "due_at": handling_due(received_at, tz, scope, complaints)}


def missed_limit(status, respond_by, responded_at, due_at, now):
    """The earliest limit an active request has missed by ``now`` (None when none)."""
    return _missed_limit(status, respond_by, responded_at, due_at, now, ACTIVE, ACTIVE)


def site_tz(site):
    return ZoneInfo(getattr(site, "timezone", None) or "Asia/Shanghai")
