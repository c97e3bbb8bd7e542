"""What happens on time without anybody looking: the worker's steps.

Each step is a plain function of ``now`` and is idempotent and safe from several processes at
once: tasks are made with INSERT ... ON CONFLICT DO NOTHING, states move by conditional updates
(or under row locks), and every notification has a unique (key, target), so a step that two
workers run at the same minute happens once. ``tick(now)`` runs them all once, in order.
"""
import logging
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from api import clock
from api.db import is_postgres, write_tx

log = logging.getLogger("patrol.worker")

# site-local times of the scheduled messages
BRIEFING_AT = time(7, 30)  # morning briefing per site, for supervisors and the manager
COMPLAINT_SUMMARY_AT = time(18, 0)  # the customer-service supervisor's end-of-day summary
WEEKLY_AT = (0, time(8, 0))  # Monday 08:00: the week's report to the general manager
LEDGER_REMIND_AT = time(9, 0)  # on the 1st and on the due day: last month's ledger to finance
RECENT = timedelta(hours=24)  # a missed limit older than this at first start is not announced
SUPERVISORS = ("supervisor", "manager")
MANAGERS = ("manager",)


def _tz(site):
    return ZoneInfo(site.timezone or "Asia/Shanghai")


def _local(now, tz):
    return now.replace(tzinfo=timezone.utc).astimezone(tz)


def _utc(local_dt):
    return local_dt.astimezone(timezone.utc).replace(tzinfo=None)


def _iso(dt):
    return dt.isoformat() if dt else None


def _sites():
    from api.models import Site

    return list(Site.select().order_by(Site.id))


# --- rounds -----------------------------------------------------------------------------------

def make_tasks(now=None):
    from api.domain.schedules import make_coming_tasks

    return make_coming_tasks(now or clock.now())


def mark_missed_rounds(now=None):
    """Due tasks whose window has ended become "missed"; one 漏巡 message per zone and window end.
    Returns how many tasks were marked."""
    from api.models import Checkpoint, Site, Task, Zone
    from api.notify import notify

    now = now or clock.now()
    with write_tx():
        q = Task.select(Task.id).where((Task.status == "due") & (Task.window_end < now)).order_by(Task.id)
        if is_postgres():
            q = q.for_update()
        ids = [t.id for t in q]
        if not ids:
            return 0
        n = 0
        for i in range(0, len(ids), 500):
            n += Task.update(status="missed").where(Task.id.in_(ids[i:i + 500]) & (Task.status == "due")).execute()
        recent = list(Task.select(Task, Checkpoint, Zone).join(Checkpoint).join(Zone)
                      .where(Task.id.in_(ids) & (Task.status == "missed") & (Task.window_end >= now - RECENT)))
        groups = defaultdict(list)
        for t in recent:
            groups[(t.site_id, t.checkpoint.zone_id, t.window_end)].append(t)
        sites = {s.id: s for s in Site.select().where(Site.id.in_({k[0] for k in groups}))} if groups else {}
        for (site_id, zone_id, end), tasks in sorted(groups.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
            zone, site = tasks[0].checkpoint.zone, sites[site_id]
            names = sorted({t.checkpoint.name for t in tasks})
            notify("missed_round", site=site, key=f"missed_round:{zone_id}:{end.isoformat()}", zone_id=zone_id,
                   roles=SUPERVISORS, now=now,
                   params={"site": site.name, "site_en": site.name_en, "zone": zone.name, "zone_en": zone.name_en,
                           "count": len(names), "checkpoints": names, "deadline": _iso(end)})
    return n


# --- work orders and service requests ----------------------------------------------------------

def escalate(now=None):
    """Orders and requests move up at the minutes policy gives from their missed limit."""
    from api.domain.service_requests import upkeep as request_upkeep
    from api.domain import workorder_escalation

    now = now or clock.now()
    with write_tx():
        orders = workorder_escalation.escalate_overdue(now)
    with write_tx():
        requests = request_upkeep.escalate_overdue(now)
    return {"orders": orders, "requests": requests}


def follow_request_orders(now=None):
    from api.domain.service_requests import upkeep as request_upkeep

    with write_tx():
        return request_upkeep.follow_orders(now or clock.now())


def announce_missed_deadlines(now=None):
    """The assignee hears the moment an order's response or completion limit passes."""
    from api.domain.workorders import OPEN_STATUSES, order_missed, overdue_condition
    from api.models import Notification, WorkOrder
    from api.notify import notify
    from api.notify.events import order_params

    now = now or clock.now()
    rows = list(WorkOrder.select().where(overdue_condition(now) & WorkOrder.status.in_(OPEN_STATUSES)
                                         & WorkOrder.assignee.is_null(False)
                                         & (((WorkOrder.respond_by >= now - RECENT) & WorkOrder.accepted_at.is_null())
                                            | (WorkOrder.resolve_by >= now - RECENT))))
    if not rows:
        return 0
    keyed = {}
    for o in rows:
        missed = order_missed(o, now)
        if missed is not None and missed >= now - RECENT:
            keyed[f"deadline_missed:order:{o.id}:{missed.isoformat()}"] = (o, missed)
    known = {n.key for n in Notification.select(Notification.key).where(Notification.key.in_(list(keyed)))} \
        if keyed else set()
    made = 0
    with write_tx():
        for key, (o, missed) in keyed.items():
            if key in known:
                continue
            kind = "respond" if missed == o.respond_by and o.accepted_at is None else "resolve"
            made += notify("deadline_missed", site=o.site, key=key, users=[o.assignee_id], channels=False, now=now,
                           params=dict(order_params(o), overdue=kind, deadline=_iso(missed)),
                           link=_order_link(o.id))
    return made


def _console():
    from api.notify import console_url

    return console_url()


def _order_link(order_id):
    from api.notify import order_link

    return order_link(order_id)


def announce_revisits_due(now=None):
    """Customer service hears when a finished order or request is due for its revisit (回访)."""
    from api.domain.service_requests.privacy import location_text
    from api.models import Notification, ServiceRequest, WorkOrder
    from api.notify import notify
    from api.notify.events import order_params

    now = now or clock.now()
    made = 0
    orders = list(WorkOrder.select().where((WorkOrder.status == "done") & (WorkOrder.revisit_due <= now)
                                           & (WorkOrder.revisit_due >= now - RECENT)))
    reqs = list(ServiceRequest.select().where((ServiceRequest.status == "done") & (ServiceRequest.revisit_due <= now)
                                              & (ServiceRequest.revisit_due >= now - RECENT)))
    keys = [f"revisit_due:order:{o.id}:{o.revisit_due.isoformat()}" for o in orders] + \
           [f"revisit_due:request:{r.id}:{r.revisit_due.isoformat()}" for r in reqs]
    known = {n.key for n in Notification.select(Notification.key).where(Notification.key.in_(keys))} if keys else set()
    with write_tx():
        for o in orders:
            key = f"revisit_due:order:{o.id}:{o.revisit_due.isoformat()}"
            if key not in known:
                made += notify("revisit_due", site=o.site, key=key, roles=("service",), now=now,
                               params=dict(order_params(o), what="order", deadline=_iso(o.revisit_due)),
                               link=_order_link(o.id))
        for r in reqs:
            key = f"revisit_due:request:{r.id}:{r.revisit_due.isoformat()}"
            if key not in known:
                made += notify("revisit_due", site=r.site, key=key, roles=("service",), now=now,
                               params={"id": r.id, "what": "request", "site": r.site.name,
                                       "place": location_text(r.building, r.unit, r.room, r.public_area),
                                       "deadline": _iso(r.revisit_due)}, link=_console())
    return made


# --- housekeeping ------------------------------------------------------------------------------

def prune(now=None):
    """Expired tokens, old login failures, old idempotency records and old sent notifications go."""
    from api.domain.logins import prune_login_failures
    from api.models import ApiToken, IdempotencyRecord, Notification

    now = now or clock.now()
    with write_tx():
        return {
            "tokens": ApiToken.delete().where((ApiToken.expires_at < now - timedelta(days=1))
                                              | (ApiToken.revoked_at < now - timedelta(days=1))).execute(),
            "login_failures": prune_login_failures(now),
            "idempotency": IdempotencyRecord.delete().where(IdempotencyRecord.created_at < now - timedelta(days=7))
            .execute(),
            "notifications": Notification.delete().where((Notification.status == "sent")
                                                         & (Notification.sent_at < now - timedelta(days=90))).execute(),
        }


# --- scheduled messages ------------------------------------------------------------------------

def _due_today(now, tz, at, until_hours=6):
    """Whether the local time is within ``until_hours`` after ``at`` today (a worker that was down
    sends a late message the same morning, never yesterday's the next day)."""
    local = _local(now, tz)
    start = datetime.combine(local.date(), at, tzinfo=tz)
    return start <= local < start + timedelta(hours=until_hours)


def briefing_params(site, day, now):
    """Yesterday's rounds done/missed by zone, open and overdue orders, new complaints."""
    from peewee import fn

    from api.domain.service_requests import upkeep as request_upkeep
    from api.domain.workorders import OPEN_STATUSES, overdue_condition
    from api.models import Checkpoint, ServiceRequest, Task, WorkOrder, Zone

    tz = _tz(site)
    yesterday = day - timedelta(days=1)
    zones = defaultdict(lambda: {"done": 0, "missed": 0, "due": 0})
    names = {}
    for zone_id, zname, zname_en, status, n in (Task.select(Zone.id, Zone.name, Zone.name_en, Task.status,
                                                             fn.COUNT(Task.id))
                                                .join(Checkpoint).join(Zone)
                                                .where((Task.site == site.id) & (Task.date == yesterday))
                                                .group_by(Zone.id, Zone.name, Zone.name_en, Task.status).tuples()):
        zones[zone_id][status] = n
        names[zone_id] = (zname, zname_en)
    rows = [{"name": names[z][0], "name_en": names[z][1], "done": c["done"], "missed": c["missed"] + c["due"]}
            for z, c in sorted(zones.items(), key=lambda kv: names[kv[0]][0])]
    start = _utc(datetime.combine(yesterday, time(0), tzinfo=tz))
    end = _utc(datetime.combine(day, time(0), tzinfo=tz))
    W, R = WorkOrder, ServiceRequest
    return {
        "site": site.name, "site_en": site.name_en, "day": day.isoformat(),
        "done": sum(r["done"] for r in rows), "missed": sum(r["missed"] for r in rows),
        "total": sum(r["done"] + r["missed"] for r in rows), "zones": rows,
        "open_orders": W.select().where((W.site == site.id) & W.status.in_(OPEN_STATUSES)).count(),
        "overdue_orders": W.select().where((W.site == site.id) & overdue_condition(now)).count(),
        "emergency_orders": W.select().where((W.site == site.id) & W.status.in_(OPEN_STATUSES)
                                             & (W.priority == "emergency")).count(),
        "new_complaints": R.select().where((R.site == site.id) & (R.kind == "complaint") & (R.received_at >= start)
                                           & (R.received_at < end)).count(),
        "overdue_requests": R.select().where((R.site == site.id) & request_upkeep.overdue_condition(now)).count(),
    }


def complaint_params(site, day, now):
    from api.domain.service_requests import terms as request_terms, upkeep as request_upkeep
    from api.models import ServiceRequest as R

    tz = _tz(site)
    start = _utc(datetime.combine(day, time(0), tzinfo=tz))
    end = start + timedelta(days=1)
    today = R.select().where((R.site == site.id) & (R.kind == "complaint") & (R.received_at >= start)
                             & (R.received_at < end))
    return {"site": site.name, "day": day.isoformat(), "received": today.count(),
            "done": today.where(R.status.in_(("done", "closed"))).count(),
            "open": R.select().where((R.site == site.id) & (R.kind == "complaint") & R.status.in_(request_terms.ACTIVE)).count(),
            "overdue": R.select().where((R.site == site.id) & (R.kind == "complaint") & request_upkeep.overdue_condition(now)).count(),
            "escalated": today.where(R.escalation_level > 0).count()}


def weekly_params(site, monday, now):
    from api.domain.workorders import overdue_condition
    from api.models import ServiceRequest as R, Task, WorkOrder as W

    tz = _tz(site)
    first = monday - timedelta(days=7)
    start = _utc(datetime.combine(first, time(0), tzinfo=tz))
    end = _utc(datetime.combine(monday, time(0), tzinfo=tz))
    tasks = Task.select().where((Task.site == site.id) & (Task.date >= first) & (Task.date < monday))
    revisited = R.select().where((R.site == site.id) & (R.revisited_at >= start) & (R.revisited_at < end))
    n_rev = revisited.count()
    n_ok = revisited.where(R.satisfied == True).count()  # noqa: E712
    iso = first.isocalendar()
    return {"site": site.name, "week": f"{iso[0]}-W{iso[1]:02d}",
            "done": tasks.where(Task.status == "done").count(), "total": tasks.count(),
            "missed": tasks.where(Task.status != "done").count(),
            "orders_created": W.select().where((W.site == site.id) & (W.created_at >= start) & (W.created_at < end)).count(),
            "orders_closed": W.select().where((W.site == site.id) & (W.verified_at >= start) & (W.verified_at < end)).count(),
            "orders_overdue": W.select().where((W.site == site.id) & overdue_condition(now)).count(),
            "complaints": R.select().where((R.site == site.id) & (R.kind == "complaint") & (R.received_at >= start)
                                           & (R.received_at < end)).count(),
            "satisfaction": f"{round(100 * n_ok / n_rev)}%" if n_rev else "—"}


def scheduled_messages(now=None):
    """The morning briefing, the complaint summary, the weekly report and the ledger reminder,
    each once per site and period (the key says which period)."""
    from api.domain.deadlines import previous_month
    from api.domain.deductions import is_closed, ledger_due_date
    from api.domain.policy import current_policy
    from api.models import Notification
    from api.notify import console_url, notify

    now = now or clock.now()
    made = 0
    policy = current_policy()
    for site in _sites():
        tz = _tz(site)
        day = _local(now, tz).date()
        plans = []
        if _due_today(now, tz, BRIEFING_AT):
            plans.append(("morning_briefing", f"morning_briefing:{site.id}:{day}", SUPERVISORS,
                          lambda: briefing_params(site, day, now)))
        if _due_today(now, tz, COMPLAINT_SUMMARY_AT):
            plans.append(("complaint_summary", f"complaint_summary:{site.id}:{day}", ("supervisor",),
                          lambda: complaint_params(site, day, now)))
        if day.weekday() == WEEKLY_AT[0] and _due_today(now, tz, WEEKLY_AT[1]):
            plans.append(("weekly_report", f"weekly_report:{site.id}:{day}", MANAGERS,
                          lambda: weekly_params(site, day, now)))
        month = previous_month(day.strftime("%Y-%m"))
        due = ledger_due_date(month, policy)
        if day.day in (1, due.day) and day <= due and _due_today(now, tz, LEDGER_REMIND_AT) \
                and not is_closed(site.id, month):
            plans.append(("ledger_due", f"ledger_due:{site.id}:{month}:{day}", MANAGERS,
                          lambda: {"site": site.name, "month": month, "due": due.isoformat()}))
        if not plans:
            continue
        known = {n.key for n in Notification.select(Notification.key)
                 .where(Notification.key.in_([p[1] for p in plans]))}
        for event, key, roles, params in plans:
            if key in known:
                continue
            with write_tx():
                made += notify(event, site=site, key=key, roles=roles, now=now, params=params(),
                               link=console_url())
    return made


# --- the pass ----------------------------------------------------------------------------------

def deliver(now=None):
    from api.notify.delivery import deliver_due

    return deliver_due(now=now)


STEPS = [
    ("tasks", make_tasks),
    ("missed_rounds", mark_missed_rounds),
    ("escalate", escalate),
    ("follow_orders", follow_request_orders),
    ("deadlines", announce_missed_deadlines),
    ("revisits", announce_revisits_due),
    ("scheduled", scheduled_messages),
    ("prune", prune),
    ("deliver", deliver),
]


def tick(now=None, steps=None):
    """One pass of every step (or the named ones). A failing step is logged and the others still
    run; returns {step: result or "error: ..."}."""
    out = {}
    for name, step in STEPS:
        if steps and name not in steps:
            continue
        try:
            out[name] = step(now or clock.now())
        except Exception as exc:  # one broken step must not stop escalation or delivery
            log.exception("worker step %s failed", name)
            out[name] = f"error: {type(exc).__name__}: {exc}"
    return out
