"""Deadlines from policy: when an order must be responded to, resolved and revisited.

Pure functions of values (times are naive UTC as stored; local rules use the site's time zone).
"""
from datetime import datetime, timedelta, timezone

from api.domain.workdays import add_working_days

PRIORITY_RANK = {"emergency": 0, "normal": 1, "planned": 2}


def most_urgent(priorities):
    """The most urgent of several priorities (a work order covering several findings)."""
    ps = [p for p in priorities if p in PRIORITY_RANK]
    return min(ps, key=PRIORITY_RANK.__getitem__) if ps else "normal"


def local_day_end(day, at, tz):
    """A local date and clock time in ``tz`` as naive UTC."""
    return datetime.combine(day, at).replace(tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)


def order_deadlines(policy, priority, created_at, trade=None, item_hours=None, scheduled_for=None, tz=None):
    """``{"respond_by", "resolve_by", "resolve_hours"}`` for a new order.

    Emergency and normal orders must be responded to within the policy's hours; a planned order
    has no response limit and is due on its scheduled day (by ``planned_resolve_time`` local).
    Until it is accepted, resolve_by assumes acceptance at the last moment (respond_by); accepting
    restarts the clock (``resolve_by_after_accept``).
    """
    tz = tz or policy.tz
    hours = policy.resolve_hours(priority, trade, item_hours)
    if priority == "planned" and scheduled_for is not None:
        at = policy["work_orders"]["planned_resolve_time"]
        return {"respond_by": None, "resolve_by": local_day_end(scheduled_for, at, tz), "resolve_hours": hours}
    respond = policy.respond_hours(priority)
    respond_by = created_at + timedelta(hours=respond) if respond else None
    start = respond_by or created_at
    return {"respond_by": respond_by, "resolve_by": start + timedelta(hours=hours), "resolve_hours": hours}


def resolve_by_after_accept(policy, priority, accepted_at, trade=None, item_hours=None, scheduled_for=None,
                            tz=None):
    """Once the responsible person accepts, the time-limit table's clock runs from acceptance."""
    if priority == "planned" and scheduled_for is not None:
        return order_deadlines(policy, priority, accepted_at, trade, item_hours, scheduled_for, tz)["resolve_by"]
    return accepted_at + timedelta(hours=policy.resolve_hours(priority, trade, item_hours))


def revisit_due(policy, done_at, tz=None):
    """The revisit (回访) is due within the policy's working days after completion."""
    return add_working_days(done_at, policy["work_orders"]["revisit_working_days"], tz or policy.tz)


def overdue_kind(order, now):
    """'respond' when not accepted by respond_by, 'resolve' when not done by resolve_by, else None."""
    status = order["status"] if isinstance(order, dict) else order.status
    get = (lambda k: order.get(k)) if isinstance(order, dict) else (lambda k: getattr(order, k))
    if status in ("open", "assigned") and get("respond_by") and get("respond_by") < now:
        return "respond"
    if status in ("open", "assigned", "accepted", "in_progress") and get("resolve_by") and get("resolve_by") < now:
        return "resolve"
    return None


def missed_limit(status, respond_by, responded_at, resolve_by, now, respond_statuses, active_statuses):
    """The earliest limit an active order or request has missed by ``now`` (None when none):
    the response limit while it is not taken in hand, the completion limit while it is open."""
    if status not in active_statuses:
        return None
    missed = []
    if respond_by is not None and responded_at is None and status in respond_statuses and respond_by < now:
        missed.append(respond_by)
    if resolve_by is not None and resolve_by < now:
        missed.append(resolve_by)
    return min(missed) if missed else None


def escalation_level_for(missed_at, now, escalation):
    """The one escalation rule, for work orders and service requests alike, counted from the
    missed limit (not from when anybody looked): level 1 (supervisor) ``supervisor_after_hours``
    after it, level 2 (manager / deputy GM) ``manager_after_hours`` after that."""
    if missed_at is None:
        return 0
    t1 = missed_at + timedelta(hours=escalation.get("supervisor_after_hours", 0))
    if now < t1:
        return 0
    t2 = t1 + timedelta(hours=escalation["manager_after_hours"])
    return 2 if now >= t2 else 1


def level_reached_at(missed_at, level, escalation):
    """When a level was (or will be) reached: the minute the escalation is due."""
    t1 = missed_at + timedelta(hours=escalation.get("supervisor_after_hours", 0))
    return t1 if level == 1 else t1 + timedelta(hours=escalation["manager_after_hours"])


def escalation_target(level, escalated_at, now, policy):
    """The level an overdue order should be at, given when level 1 was reached (kept for callers
    that know only that; the engine uses ``escalation_level_for`` from the missed limit)."""
    esc = policy["work_orders"]["escalation"]
    if level < 1:
        return 1
    if level < 2 and escalated_at is not None and now - escalated_at >= timedelta(hours=esc["manager_after_hours"]):
        return 2
    return level


def seconds_left(deadline, now):
    """Countdown in whole seconds (negative when past)."""
    if deadline is None:
        return None
    return int((deadline - now).total_seconds())


def month_of(dt_utc, tz):
    """YYYY-MM of a naive UTC time in the site's time zone."""
    return dt_utc.replace(tzinfo=timezone.utc).astimezone(tz).strftime("%Y-%m")


def local_date(dt_utc, tz):
    return dt_utc.replace(tzinfo=timezone.utc).astimezone(tz).date()


def month_bounds(month, tz):
    """(start, end) of a YYYY-MM month in the site's time zone, as naive UTC."""
    y, m = int(month[:4]), int(month[5:7])
    start = datetime(y, m, 1, tzinfo=tz)
    end = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=tz)
    return (start.astimezone(timezone.utc).replace(tzinfo=None), end.astimezone(timezone.utc).replace(tzinfo=None))


def next_month(month):
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + (m == 12):04d}-{m % 12 + 1:02d}"


def previous_month(month):
    y, m = int(month[:4]), int(month[5:7])
    return f"{y - (m == 1):04d}-{(m - 2) % 12 + 1:02d}"

