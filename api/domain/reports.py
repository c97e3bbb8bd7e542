"""Key figures for the console, aggregated in SQL (GROUP BY): never raw rows.

Local days are computed in SQL by shifting UTC by the site's offset (Asia/Shanghai has no DST);
durations are computed in SQL too, with the SQLite and PostgreSQL spellings chosen at run time.
"""
from datetime import date, datetime, time, timedelta, timezone

from peewee import JOIN, SQL, Case, fn

from api.db import is_sqlite
from api.domain.deadlines import month_bounds
from api.domain.policy import current_policy
from api.domain.workorders import OPEN_STATUSES, overdue_condition, site_tz
from api.models import (Appeal, Checklist, Deduction, Finding, Inspection, ItemResult, ServiceRequest, Task,
                        User, WorkOrder, Zone, utcnow)


# --- SQL helpers ------------------------------------------------------------------------

def _offset_minutes(tz, at=None):
    at = at or datetime.now(timezone.utc)
    return int(at.astimezone(tz).utcoffset().total_seconds() // 60)


def local_day(field, minutes):
    """The local calendar day of a naive-UTC column, as an SQL expression."""
    if is_sqlite():
        return fn.date(field, f"{minutes:+d} minutes")
    return fn.date(field + SQL(f"interval '{int(minutes)} minutes'"))


def seconds_between(start, end):
    if is_sqlite():
        return (fn.julianday(end) - fn.julianday(start)) * 86400.0
    return fn.date_part("epoch", end - start)


def _count(cond):
    return fn.SUM(Case(None, [(cond, 1)], 0))


def _day(value):
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value if isinstance(value, date) and not isinstance(value, datetime) else value.date()
    return date.fromisoformat(str(value)[:10])


def local_range(since, until, tz):
    """Local dates [since, until] (inclusive) as a naive-UTC half-open range."""
    start = datetime.combine(since, time()).replace(tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)
    end = datetime.combine(until + timedelta(days=1), time()).replace(tzinfo=tz).astimezone(timezone.utc)
    return start, end.replace(tzinfo=None)


def _rate(num, den):
    return round(num / den, 4) if den else None


# --- what each figure means (the console shows these as tooltips) ---------------------------

FIGURES = {
    "resolve_sla": ("完成及时率 = 按时完工的工单 ÷ 应完工的工单。应完工：已完工的，加上未完工但已过完成时限的"
                    "（过时限未完工即算超时，不必等到完工）。已撤销的不计。",
                    "On time (finish) = orders finished by their resolve-by ÷ orders due: finished ones plus open ones "
                    "already past their resolve-by (late as soon as the deadline passes). Cancelled orders are left out."),
    "respond_sla": ("响应及时率 = 按时接单的工单 ÷ 应响应的工单。应响应：已接单的，加上从未接单但已过响应时限的。"
                    "已撤销且未接单的不计。",
                    "On time (response) = orders accepted by their respond-by ÷ orders due: accepted ones plus those "
                    "never accepted and past their respond-by. Cancelled, never-accepted orders are left out."),
    "rework_rate": ("返修率 = 回访不满意退回返工过的工单 ÷ 完工过的工单（含返工后再完工的）。",
                    "Rework rate = orders reopened after an unsatisfied revisit ÷ orders ever finished."),
    "overdue": ("超时工单：未接单已过响应时限，或未完工已过完成时限的工单（按当前时间）。",
                "Overdue: open orders past their respond-by (not accepted) or their resolve-by (not finished), now."),
    "mean_respond_hours": ("平均响应时长：从登记到接单的平均小时数（仅已接单的）。",
                           "Mean time to respond: hours from registration to acceptance (accepted orders only)."),
    "mean_resolve_hours": ("平均完成时长：从登记到完工的平均小时数（仅已完工的）。",
                           "Mean time to resolve: hours from registration to finishing (finished orders only)."),
    "pass_rate": ("合格率 = 合格项 ÷（合格项 + 不合格项）；不适用的项不计。",
                  "Pass rate = items passed ÷ (passed + failed); not-applicable items are left out."),
    "zone_score": ("片区得分（满分100）= 各部分得分按政策权重的加权平均：合格率、完成及时率、"
                   "1 − 返修率、1 − 投诉数 ÷ 投诉上限。本月没有数据的部分不计入，权重按其余部分重新分配。",
                   "Zone score (out of 100) = the policy-weighted mean of: pass rate, on-time (finish) rate, "
                   "1 − rework rate, 1 − complaints ÷ the complaint allowance. A part with no data this month is "
                   "left out and the other weights count in its place."),
}


def figure_definitions(lang="zh"):
    return {k: v[1] if lang == "en" else v[0] for k, v in FIGURES.items()}


def respond_counted(now):
    """Orders whose response is due by ``now``: accepted ones, and never-accepted ones past respond_by."""
    W = WorkOrder
    return W.respond_by.is_null(False) & (
        W.accepted_at.is_null(False) | ((W.respond_by < now) & (W.status != "cancelled")))


def resolve_counted(now):
    """Orders whose finishing is due by ``now``: finished ones, and open ones past resolve_by."""
    W = WorkOrder
    return W.resolve_by.is_null(False) & (
        W.done_at.is_null(False) | ((W.resolve_by < now) & W.status.in_(OPEN_STATUSES)))


# --- work-order figures -----------------------------------------------------------------

def work_order_figures(site_ids, start, end, by=None, now=None):
    """SLA compliance, mean time to respond/resolve and rework rate of orders created in [start, end),
    overall (by=None) or per trade / zone / person."""
    now = now or utcnow()
    W = WorkOrder
    respond_s = seconds_between(W.created_at, W.accepted_at)
    resolve_s = seconds_between(W.created_at, W.done_at)
    cols = [
        fn.COUNT(W.id).alias("orders"),
        _count(W.status.in_(OPEN_STATUSES)).alias("open"),
        _count(overdue_condition(now)).alias("overdue"),
        _count(respond_counted(now)).alias("responded"),
        _count(W.accepted_at.is_null(False) & W.respond_by.is_null(False) & (W.accepted_at <= W.respond_by))
        .alias("responded_in_time"),
        _count(resolve_counted(now)).alias("resolved"),
        _count(W.done_at.is_null(False) & W.resolve_by.is_null(False) & (W.done_at <= W.resolve_by))
        .alias("resolved_in_time"),
        fn.SUM(Case(None, [(W.accepted_at.is_null(False), respond_s)], None)).alias("respond_seconds"),
        _count(W.accepted_at.is_null(False)).alias("accepted"),
        fn.SUM(Case(None, [(W.done_at.is_null(False), resolve_s)], None)).alias("resolve_seconds"),
        _count(W.done_at.is_null(False)).alias("done"),
        _count(W.reopen_count > 0).alias("reopened"),
        _count(W.done_at.is_null(False) | (W.reopen_count > 0)).alias("completed"),
        _count(W.status == "verified").alias("verified"),
        _count(W.status == "cancelled").alias("cancelled"),
    ]
    where = W.site.in_(list(site_ids)) & (W.created_at >= start) & (W.created_at < end)
    if by == "trade":
        q = W.select(W.trade.alias("key"), *cols).where(where).group_by(W.trade)
    elif by == "zone":
        q = (W.select(W.zone.alias("key"), Zone.name.alias("name"), Zone.name_en.alias("name_en"), *cols)
             .join(Zone, JOIN.LEFT_OUTER, on=(W.zone == Zone.id)).where(where)
             .group_by(W.zone, Zone.name, Zone.name_en))
    elif by == "person":
        q = (W.select(W.assignee.alias("key"), User.name.alias("name"), User.username.alias("username"), *cols)
             .join(User, JOIN.LEFT_OUTER, on=(W.assignee == User.id)).where(where)
             .group_by(W.assignee, User.name, User.username))
    else:
        q = W.select(*cols).where(where)
    rows = []
    for r in q.dicts():
        r = {k: (v or 0) if k not in ("key", "name", "name_en", "username") else v for k, v in r.items()}
        rows.append(dict(
            {k: r[k] for k in ("key", "name", "name_en", "username") if k in r},
            orders=r["orders"], open=r["open"], overdue=r["overdue"], done=r["done"], verified=r["verified"],
            cancelled=r["cancelled"], reopened=r["reopened"], completed=r["completed"],
            respond_sla=_rate(r["responded_in_time"], r["responded"]),
            resolve_sla=_rate(r["resolved_in_time"], r["resolved"]),
            respond_counted=r["responded"], respond_late=r["responded"] - r["responded_in_time"],
            resolve_counted=r["resolved"], resolve_late=r["resolved"] - r["resolved_in_time"],
            mean_respond_hours=round(r["respond_seconds"] / r["accepted"] / 3600, 2) if r["accepted"] else None,
            mean_resolve_hours=round(r["resolve_seconds"] / r["done"] / 3600, 2) if r["done"] else None,
            rework_rate=_rate(r["reopened"], r["completed"])))
    if by is None:
        return rows[0] if rows else None
    return sorted(rows, key=lambda x: (-x["orders"], str(x.get("key"))))


# --- inspection pass rate ---------------------------------------------------------------

def _bucket(day, interval):
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def pass_rate(site_ids, since, until, tz, group="checklist", interval="day"):
    """Items passed / (passed + failed) per checklist or zone per day, week (from Monday) or month."""
    start, end = local_range(since, until, tz)
    minutes = _offset_minutes(tz)
    day = local_day(Inspection.finished_at, minutes)
    key = Inspection.checklist_key if group == "checklist" else Inspection.zone
    q = (ItemResult.select(key.alias("key"), day.alias("day"),
                           _count(ItemResult.status == "pass").alias("passed"),
                           _count(ItemResult.status == "fail").alias("failed"),
                           fn.COUNT(fn.DISTINCT(Inspection.id)).alias("inspections"))
         .join(Inspection, on=(ItemResult.inspection == Inspection.id))
         .where(Inspection.site.in_(list(site_ids)) & (Inspection.finished_at >= start)
                & (Inspection.finished_at < end))
         .group_by(key, day))
    folded = {}
    for r in q.dicts():
        k = (r["key"], _bucket(_day(r["day"]), interval))
        acc = folded.setdefault(k, {"passed": 0, "failed": 0, "inspections": 0})
        for f in ("passed", "failed", "inspections"):
            acc[f] += r[f] or 0
    if group == "checklist":
        names = {c.key: (c.name, c.name_en) for c in Checklist.select(Checklist.key, Checklist.name, Checklist.name_en)}
    else:
        names = {z.id: (z.name, z.name_en) for z in Zone.select().where(Zone.site.in_(list(site_ids)))}
    series = []
    for (k, period), acc in sorted(folded.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        name, name_en = names.get(k, (str(k), str(k)))
        series.append({"key": str(k), "name": name, "name_en": name_en, "period": period.isoformat(), **acc,
                       "pass_rate": _rate(acc["passed"], acc["passed"] + acc["failed"])})
    return series


# --- zone ranking (片区评比) -------------------------------------------------------------

def zone_ranking(site, month, policy=None, now=None):
    """Zones of a site ranked for a month: a score out of 100 from the policy's weights over the pass rate,
    orders finished on time (open ones past their deadline count as late), rework and complaints; each
    part is returned beside the score (``components``) so the ranking can be explained."""
    policy = policy or current_policy()
    now = now or utcnow()
    tz = site_tz(site)
    start, end = month_bounds(month, tz)
    zones = list(Zone.select().where(Zone.site == site.id).order_by(Zone.code))
    items = {r["zone"]: r for r in (
        ItemResult.select(Inspection.zone.alias("zone"), _count(ItemResult.status == "pass").alias("passed"),
                          _count(ItemResult.status == "fail").alias("failed"))
        .join(Inspection, on=(ItemResult.inspection == Inspection.id))
        .where((Inspection.site == site.id) & (Inspection.finished_at >= start) & (Inspection.finished_at < end))
        .group_by(Inspection.zone).dicts())}
    findings = {r["zone"]: r["n"] for r in (
        Finding.select(Finding.zone.alias("zone"), fn.COUNT(Finding.id).alias("n"))
        .where((Finding.site == site.id) & (Finding.created_at >= start) & (Finding.created_at < end))
        .group_by(Finding.zone).dicts())}
    orders = {r["key"]: r for r in work_order_figures([site.id], start, end, by="zone", now=now)}
    complaints = {r["zone"]: r["n"] for r in (
        ServiceRequest.select(ServiceRequest.zone.alias("zone"), fn.COUNT(ServiceRequest.id).alias("n"))
        .where((ServiceRequest.site == site.id) & (ServiceRequest.kind == "complaint")
               & (ServiceRequest.status != "cancelled")
               & (ServiceRequest.received_at >= start) & (ServiceRequest.received_at < end))
        .group_by(ServiceRequest.zone).dicts())}
    points = {r["zone"]: r["points"] for r in (
        Deduction.select(Finding.zone.alias("zone"), fn.SUM(Deduction.points).alias("points"))
        .join(Finding, on=(Deduction.finding == Finding.id))
        .where((Deduction.site == site.id) & (Deduction.month == month) & (Deduction.status == "active"))
        .group_by(Finding.zone).dicts())}
    w = policy["zone_ranking"]
    rows = []
    for z in zones:
        it = items.get(z.id, {})
        passed, failed = it.get("passed") or 0, it.get("failed") or 0
        od = orders.get(z.id, {})
        n_complaints = complaints.get(z.id, 0)
        parts = score_parts(pass_rate=_rate(passed, passed + failed), on_time=od.get("resolve_sla"),
                            rework_rate=od.get("rework_rate"), complaints=n_complaints, weights=w)
        rows.append({"zone_id": z.id, "code": z.code, "name": z.name, "name_en": z.name_en,
                     "items_passed": passed, "items_failed": failed, "pass_rate": _rate(passed, passed + failed),
                     "findings": findings.get(z.id, 0), "orders": od.get("orders") or 0,
                     "orders_on_time_rate": od.get("resolve_sla"), "orders_due": od.get("resolve_counted") or 0,
                     "orders_late": od.get("resolve_late") or 0, "orders_overdue": od.get("overdue") or 0,
                     "orders_reopened": od.get("reopened") or 0, "rework_rate": od.get("rework_rate"),
                     "complaints": n_complaints, "deduction_points": points.get(z.id) or 0,
                     "components": parts["components"], "score": parts["score"]})
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["findings"], r["code"]))
    for n, r in enumerate(rows, 1):
        r["rank"] = n
    return rows


def score_parts(*, pass_rate, on_time, rework_rate, complaints, weights):
    """The zone score out of 100 and its parts (pure). A part with no data (None) is left out and the
    remaining weights stand in for it; complaints count (none is full marks) once the zone has any
    other data, so a zone nobody inspected and no order touched has no score rather than full marks."""
    allowance = weights.get("complaint_allowance") or 5
    values = [("pass_rate", pass_rate, weights.get("pass_rate_weight", 0)),
              ("on_time", on_time, weights.get("on_time_weight", 0)),
              ("rework", None if rework_rate is None else 1 - rework_rate, weights.get("rework_weight", 0)),
              ("complaints", max(0.0, 1 - complaints / allowance), weights.get("complaint_weight", 0))]
    known = [(k, v, wt) for k, v, wt in values if v is not None and wt]
    if all(k == "complaints" for k, _v, _wt in known):
        known = []
    total = sum(wt for _k, _v, wt in known)
    keys = {k for k, _v, _wt in known}
    components = []
    for k, v, wt in values:
        components.append({"key": k, "value": None if v is None else round(v, 4), "weight": wt,
                           "points": round(100 * v * wt / total, 1) if k in keys else None})
    score = round(sum(100 * v * wt / total for _k, v, wt in known), 1) if total else None
    return {"score": score, "components": components}


# --- today's key figures ------------------------------------------------------------------

def rounds_of_day(site, day, now):
    """Done / due / missed rounds (tasks) of a site's day."""
    late = (Task.status == "due") & (Task.window_end < now)
    r = (Task.select(_count(Task.status == "done").alias("done"),
                     _count((Task.status == "missed") | late).alias("missed"),
                     _count((Task.status == "due") & (Task.window_end >= now)).alias("due"),
                     fn.COUNT(Task.id).alias("total"))
         .where((Task.site == site.id) & (Task.date == day)).dicts().get())
    return {k: r[k] or 0 for k in ("done", "due", "missed", "total")}


def summary(site, day, now=None):
    """The Today page: rounds, findings, orders, SLA and rework, deductions and appeals."""
    now = now or utcnow()
    tz = site_tz(site)
    start, end = local_range(day, day, tz)
    F, W = Finding, WorkOrder
    f = (F.select(_count(F.status == "open").alias("open"), _count(F.status == "in_work").alias("in_work"),
                  _count((F.created_at >= start) & (F.created_at < end)).alias("new_today"))
         .where(F.site == site.id).dicts().get())
    o = (W.select(_count(W.status.in_(OPEN_STATUSES)).alias("open"),
                  _count(overdue_condition(now)).alias("overdue"),
                  _count(W.status.in_(OPEN_STATUSES) & (W.escalation_level > 0)).alias("escalated"),
                  _count(W.status == "done").alias("awaiting_revisit"),
                  _count((W.status == "done") & (W.revisit_due < now)).alias("revisit_overdue"),
                  _count((W.done_at >= start) & (W.done_at < end)).alias("done_today"),
                  _count((W.created_at >= start) & (W.created_at < end)).alias("created_today"))
         .where(W.site == site.id).dicts().get())
    month = day.strftime("%Y-%m")
    m_start, m_end = month_bounds(month, tz)
    last30 = work_order_figures([site.id], end - timedelta(days=30), end, now=now) or {}
    this_month = work_order_figures([site.id], m_start, m_end, now=now) or {}
    d = (Deduction.select(fn.COALESCE(fn.SUM(Case(None, [(Deduction.reverses.is_null(True), Deduction.points)], 0)), 0)
                          .alias("points"), fn.COUNT(Deduction.id).alias("notices"))
         .where((Deduction.site == site.id) & (Deduction.month == month) & (Deduction.status == "active"))
         .dicts().get())
    pending = (Appeal.select().join(Deduction).where((Deduction.site == site.id) & (Appeal.status == "pending"))
               .count())
    return {
        "site_id": site.id, "date": day.isoformat(), "month": month,
        "rounds": rounds_of_day(site, day, now),
        "findings": {k: f[k] or 0 for k in ("open", "in_work", "new_today")},
        "work_orders": {k: o[k] or 0 for k in o},
        "sla_30d": {"respond": last30.get("respond_sla"), "resolve": last30.get("resolve_sla"),
                    "mean_respond_hours": last30.get("mean_respond_hours"),
                    "mean_resolve_hours": last30.get("mean_resolve_hours")},
        "rework_rate_month": this_month.get("rework_rate"),
        "deductions_month": {"points": d["points"] or 0, "notices": d["notices"] or 0, "pending_appeals": pending},
    }
