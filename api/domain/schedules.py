"""Schedules as data: when rounds and cleaning tasks fall due, and the Task rows they make.

The pure part (``due_times``, ``task_status``, ``pick_task``) computes from values. The thin part
loads rows: ``ensure_tasks(site, day)`` makes a day's tasks once (two processes never double
them: INSERT ... ON CONFLICT DO NOTHING on the unique (schedule, checkpoint, due_at)),
``mark_missed(now)`` and ``complete_task_for(inspection)``, which the inspection write calls
inside its own transaction.
"""
from collections import Counter
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from api.compiled import compiled, slot
from api.domain.checklist_versions import current_versions
from api.domain.checklists import applies
from api.domain.errors import Forbidden

# An inspection this long before the due time still counts for the task (a guard starting a
# round a little early has done it); after the window end it is too late.
EARLY_MINUTES = 30
# a site-local date is its UTC date moved by at most one day (UTC-12 .. UTC+14)
_NEAR_DAYS = (-2, -1, 0, 1)

STATUSES = ("due", "done", "missed")
# how far ahead a request may make tasks (a phone preparing tomorrow's rounds; not next year's)
MAKE_AHEAD_DAYS = 7

# whose tasks a role sees: field staff their own kind, supervisors and up everything of their sites
_TASK_ROLE = {"guard": "guard", "cleaner": "cleaner", "technician": "technician"}
_SEES_ALL = ("supervisor", "manager", "admin")
# the zone responsibility (片区责任制) that answers for a task done by this role
_ROLE_TRADE = {"guard": "security", "cleaner": "cleaning"}


# --- pure ---------------------------------------------------------------------------------------

def _hhmm(text):
    h, m = text.split(":")
    return time(int(h), int(m))


def _to_utc(local_naive, tz):
    return local_naive.replace(tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)


def local_times(rule, day):
    """The local wall-clock times a rule falls due for ``day`` (a "to" before "from" runs on past
    midnight into the next morning, still counted as ``day``'s round)."""
    weekdays = rule.get("weekdays")
    if weekdays and day.isoweekday() not in weekdays:
        return []
    if "at" in rule:
        return sorted({datetime.combine(day, _hhmm(t)) for t in rule["at"]})
    start = datetime.combine(day, _hhmm(rule["from"]))
    end = datetime.combine(day, _hhmm(rule["to"]))
    if end <= start:
        end += timedelta(days=1)
    step = timedelta(minutes=int(rule["every_minutes"]))
    out, at = [], start
    while at <= end:
        out.append(at)
        at += step
    return out


def due_times(rule, window_minutes, day, tz_name):
    """[(due_at, window_end)] in naive UTC for a rule on a local ``day`` in the site's time zone."""
    tz = ZoneInfo(tz_name)
    window = timedelta(minutes=int(window_minutes))
    seen, out = set(), []
    for local in local_times(rule, day):
        due = _to_utc(local, tz)
        if due not in seen:  # a wall time repeated by a clock change is one task
            seen.add(due)
            out.append((due, due + window))
    return sorted(out)


def local_date(utc_naive, tz_name):
    """The site-local calendar date of a stored (naive UTC) time."""
    return utc_naive.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).date()


def local_today(tz_name, now=None):
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    return local_date(now, tz_name)


def task_status(stored, window_end, now):
    """due / done / missed as of ``now``: an undone task is missed once its window has ended."""
    if stored == "done":
        return "done"
    return "missed" if now > window_end else "due"


def pick_task(tasks, at, early_minutes=EARLY_MINUTES):
    """The task an inspection finished at ``at`` completes: not yet done, ``at`` inside
    [due_at - early, window_end], earliest due first. ``tasks`` have due_at, window_end, status."""
    early = timedelta(minutes=early_minutes)
    fits = [t for t in tasks if t.status != "done" and t.due_at - early <= at <= t.window_end]
    return min(fits, key=lambda t: (t.due_at, t.id)) if fits else None


def task_role_for(user_role):
    """The task role a user sees (None: every role); desk staff have no rounds."""
    if user_role in _SEES_ALL:
        return None
    if user_role in _TASK_ROLE:
        return _TASK_ROLE[user_role]
    raise Forbidden(f"Your role ({user_role}) has no rounds or tasks.")


def covers(schedule_kinds, schedule_zone_id, body, checkpoint):
    """Does a schedule make tasks at this checkpoint?"""
    if schedule_zone_id and checkpoint.zone_id != schedule_zone_id:
        return False
    if schedule_kinds and checkpoint.kind not in schedule_kinds:
        return False
    return applies(body, checkpoint.checklist_keys)


# --- thin: rows ---------------------------------------------------------------------------------

def _now():
    from api.models import utcnow

    return utcnow()


def planned_tasks(site, day):
    """The task rows a site's active schedules call for on ``day`` (not yet stored)."""
    from api.models import Checkpoint, Schedule, Zone, ZoneResponsible

    schedules = list(Schedule.select().where((Schedule.site == site) & (Schedule.active == True))  # noqa: E712
                     .order_by(Schedule.id))
    if not schedules:
        return []
    versions = current_versions()
    checkpoints = list(Checkpoint.select().where((Checkpoint.site == site) & (Checkpoint.active == True))  # noqa: E712
                       .order_by(Checkpoint.sort_order, Checkpoint.id))
    responsible = {(r.zone_id, r.trade): r.user_id for r in ZoneResponsible.select(
        ZoneResponsible.zone, ZoneResponsible.trade, ZoneResponsible.user).join(Zone).where(Zone.site == site)}
    rows = []
    for s in schedules:
        current = versions.get(s.checklist_key)
        if current is None:
            continue
        times = due_times(s.rule, s.window_minutes, day, site.timezone)
        if not times:
            continue
        trade = _ROLE_TRADE.get(s.role, current.body["trade"])
        for cp in checkpoints:
            if not covers(s.checkpoint_kinds, s.zone_id, current.body, cp):
                continue
            for due, end in times:
                rows.append({"schedule": s.id, "site": site.id, "checkpoint": cp.id, "checklist_key": s.checklist_key,
                             "role": s.role, "assignee": responsible.get((cp.zone_id, trade)), "date": day,
                             "due_at": due, "window_end": end, "status": "due"})
    return rows


def ensure_tasks(site, day):
    """Create the day's tasks of a site that do not exist yet; returns how many were made.

    Safe to call from any request or process at any time: the common case (all there) only
    reads, and concurrent creators meet ON CONFLICT DO NOTHING."""
    from api.db import write_tx
    from api.models import Task

    rows = planned_tasks(site, day)
    if not rows:
        return 0
    existing = set(Task.select(Task.schedule, Task.checkpoint, Task.due_at)
                   .where((Task.site == site) & (Task.date == day)).tuples())
    missing = [r for r in rows if (r["schedule"], r["checkpoint"], r["due_at"]) not in existing]
    if not missing:
        return 0
    made = 0
    with write_tx():
        for i in range(0, len(missing), 50):
            cursor = (Task.insert_many(missing[i:i + 50])
                      .on_conflict(action="NOTHING", conflict_target=[Task.schedule, Task.checkpoint, Task.due_at])
                      .as_rowcount().execute())
            made += cursor if isinstance(cursor, int) else 0
    return made


def mark_missed(now=None):
    """Store "missed" on every due task whose window has ended; returns how many."""
    from api.db import write_tx
    from api.models import Task

    now = now or _now()
    with write_tx():
        return Task.update(status="missed").where((Task.status == "due") & (Task.window_end < now)).execute()


def _task_statement(name):
    """The statements of complete_task_for, which runs inside every inspection's write: built by
    peewee once per process (``api.compiled``)."""
    from peewee import SQL, fn

    from api.models import Inspection, Site, Task

    def state():
        # one round trip: the task this inspection already completed (if any), the site's time
        # zone, and whether tasks are made for each local day the inspection can fall on
        # (the UTC date ± 2 covers every time zone; which two count needs the zone)
        done = Task.select(Task.id).where(Task.inspection_id == slot("inspection")).limit(1)
        made = [fn.EXISTS(Task.select(SQL("1")).where((Task.site == slot("site"))
                                                      & (Task.date == slot(f"day{i}", Task.date))))
                for i in range(len(_NEAR_DAYS))]
        return Site.select(done, Site.timezone, *made).where(Site.id == slot("site"))

    def candidates():
        return (Task.select().where((Task.checkpoint == slot("checkpoint")) & (Task.checklist_key == slot("checklist"))
                                    & (Task.status != "done") & (Task.due_at <= slot("latest", Task.due_at))
                                    & (Task.window_end >= slot("at", Task.window_end)))
                .order_by(Task.due_at, Task.id))

    def claim():
        return (Task.update(status="done", inspection_id=slot("inspection"), done_at=slot("at", Task.done_at))
                .where((Task.id == slot("task")) & (Task.status != "done")))

    def link():
        return Inspection.update(task=slot("task")).where(Inspection.id == slot("inspection"))

    def by_id():
        return Task.select().where(Task.id == slot("task"))

    builders = {"state": state, "candidates": candidates, "claim": claim, "link": link, "by_id": by_id}
    return compiled(("complete_task_for", name), builders[name])


def complete_task_for(inspection):
    """Mark the task an inspection fulfils as done (same checkpoint and checklist, finished inside
    [due_at - EARLY_MINUTES, window_end], earliest first); returns it, or None when none fits.

    Called inside the inspection's transaction. A retried inspection finds its task again; a late
    upload of an inspection made in time still completes a task already marked missed. A phone
    clock flagged as suspect is not trusted: the server's receive time counts instead."""
    from api.models import Site, Task

    at = inspection.received_at if inspection.clock_suspect else inspection.finished_at
    if at is not None and at.tzinfo is not None:
        at = at.astimezone(timezone.utc).replace(tzinfo=None)
    near = [(at or _now()).date() + timedelta(days=d) for d in _NEAR_DAYS]
    days_given = {f"day{i}": day for i, day in enumerate(near)}
    row = _task_statement("state").execute(inspection=str(inspection.id), site=inspection.site_id,
                                           **days_given).fetchone()
    if row is not None and row[0] is not None:
        return next(iter(_task_statement("by_id").rows(Task, task=row[0])), None)
    if at is None or row is None:
        return None
    made = dict(zip(near, row[2:]))
    today = local_date(at, row[1])
    days = (today - timedelta(days=1), today)
    if not all(made.get(day) for day in days):
        site = Site.get_by_id(inspection.site_id)
        for day in days:
            if not made.get(day):
                ensure_tasks(site, day)
    early = timedelta(minutes=EARLY_MINUTES)
    candidates = list(_task_statement("candidates").rows(
        Task, checkpoint=inspection.checkpoint_id, checklist=inspection.checklist_key, latest=at + early, at=at))
    while candidates:
        task = pick_task(candidates, at)
        if task is None:
            return None
        won = _task_statement("claim").execute(inspection=str(inspection.id), at=at, task=task.id).rowcount
        if won:
            _task_statement("link").execute(task=task.id, inspection=str(inspection.id))
            inspection.task_id = task.id
            task.status, task.inspection_id, task.done_at = "done", str(inspection.id), at
            return task
        candidates.remove(task)
    return None


def day_tasks(site_ids, day, role=None):
    """A day's tasks of some sites (optionally one role's), with checkpoint, zone, schedule and
    assignee loaded, in due order."""
    from peewee import JOIN

    from api.models import Checkpoint, Schedule, Task, User, Zone

    Assignee = User.alias()
    query = (Task.select(Task, Checkpoint, Zone, Schedule, Assignee)
             .join(Checkpoint, on=(Task.checkpoint == Checkpoint.id))
             .join(Zone, on=(Checkpoint.zone == Zone.id))
             .switch(Task).join(Schedule, on=(Task.schedule == Schedule.id))
             .switch(Task).join(Assignee, on=(Task.assignee == Assignee.id), join_type=JOIN.LEFT_OUTER,
                                attr="assignee")
             .where(Task.site.in_(list(site_ids)) & (Task.date == day)))
    if role:
        query = query.where(Task.role == role)
    return list(query.order_by(Task.due_at, Checkpoint.sort_order, Task.id))


def tasks_for(sites, day, user_role, now=None):
    """The tasks a user of ``user_role`` sees for ``day`` at these sites, each with ``.state``
    (due/done/missed as of ``now``). A read: the worker makes the coming days' tasks
    (``make_coming_tasks``); days are shown as they were recorded, never invented afterwards."""
    role = task_role_for(user_role)
    now = now or _now()
    tasks = day_tasks([s.id for s in sites], day, role)
    for t in tasks:
        t.state = task_status(t.status, t.window_end, now)
    return tasks


def summarise(tasks):
    """Counts of done/due/missed by zone (tasks carry ``.state`` and ``.checkpoint.zone``)."""
    zones, counts = {}, {}
    for t in tasks:
        zone = t.checkpoint.zone
        zones.setdefault(zone.id, zone)
        counts.setdefault(zone.id, Counter())[t.state] += 1
    rows = []
    for zid in sorted(zones, key=lambda z: (zones[z].site_id, zones[z].code)):
        c = counts[zid]
        rows.append({"zone": zones[zid], "site_id": zones[zid].site_id, "done": c["done"], "due": c["due"],
                     "missed": c["missed"], "total": sum(c.values())})
    total = Counter()
    for r in rows:
        total.update({k: r[k] for k in ("done", "due", "missed", "total")})
    return rows, {k: total[k] for k in ("done", "due", "missed", "total")}


def drop_future_tasks(schedule_id):
    """A changed schedule's tasks that are not yet due are made again from the new rule."""
    from api.models import Task

    Task.delete().where((Task.schedule == schedule_id) & (Task.status == "due") & (Task.due_at > _now())
                        & Task.inspection_id.is_null()).execute()


def make_coming_tasks(now=None, sites=None):
    """The worker's step: every site's tasks from yesterday (local) to MAKE_AHEAD_DAYS ahead exist.
    Yesterday, today and tomorrow are checked on every pass; the days after on the quarter hour
    (each check plans the day's tasks, which costs; nothing there is due soon)."""
    from api.models import Site

    now = now or _now()
    last = MAKE_AHEAD_DAYS if now.minute % 15 == 0 else 1
    made = 0
    for site in (sites if sites is not None else list(Site.select().order_by(Site.id))):
        today = local_date(now, site.timezone)
        made += ensure_days([site], today - timedelta(days=1), today + timedelta(days=last))
    return made


def ensure_days(sites, first, last):
    """ensure_tasks for every site and every day from ``first`` to ``last`` (inclusive)."""
    made, day = 0, first
    while day <= last:
        for site in sites:
            made += ensure_tasks(site, day)
        day += timedelta(days=1)
    return made

