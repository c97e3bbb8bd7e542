"""Root causes and corrective/preventive actions (根源分析与纠正预防措施).

- 004 4.1.6 管理處對《客服部員工過失通知單》進行分析，從中找出問題根源所在，制定糾正預防措施: the month's fault
  notices, grouped by problem, are analysed;
- 001/002 (投訴日盤點……未完成的投訴要找出根源): overdue work orders and requests of the month are analysed too;
- each action has an owner, a due date, and a check that it was done: the owner (or a supervisor) marks it
  done, and someone other than the owner verifies it (effective: verified; not effective: open again);
- the month's register is a report (.xlsx) for the department manager.

State changes load the row under a row lock first. Callers own the transaction and the audit.
"""
from collections import defaultdict
from datetime import timezone

from api.db import locked
from api.domain.deadlines import month_bounds
from api.domain.errors import Conflict, Invalid, NotFound
from api.domain.permissions import require
from api.domain.workorders import member_of_site, site_tz
from api.models import (ACTION_KINDS, ACTION_SOURCES, CorrectiveAction, Deduction, ServiceRequest, User, WorkOrder,
                        utcnow)

KIND_NAMES = {"corrective": "纠正措施", "preventive": "预防措施"}
SOURCE_NAMES = {"fault_notices": "过失通知单", "overdue_order": "超时工单", "overdue_request": "超时客服单",
                "other": "其他"}


def _today(site, now):
    return now.replace(tzinfo=timezone.utc).astimezone(site_tz(site)).date()


def analysis(site, month, now=None):
    """What the month gives to analyse: notices by problem, overdue orders and requests, and the actions
    already registered for each."""
    now = now or utcnow()
    start, end = month_bounds(month, site_tz(site))
    by_problem = defaultdict(lambda: {"notices": 0, "points": 0, "people": set()})
    for d in Deduction.select().where((Deduction.site == site.id) & (Deduction.month == month)
                                      & (Deduction.status == "active") & Deduction.reverses.is_null()):
        p = by_problem[d.problem_key]
        p["notices"] += 1
        p["points"] += d.points
        p["people"].add(d.staff_id)
    late_orders = [o for o in WorkOrder.select().where((WorkOrder.site == site.id) & (WorkOrder.resolve_by >= start)
                                                       & (WorkOrder.resolve_by < end)
                                                       & (WorkOrder.status != "cancelled"))
                   if (o.done_at or now) > o.resolve_by]
    late_requests = [r for r in ServiceRequest.select().where((ServiceRequest.site == site.id)
                                                              & (ServiceRequest.due_at >= start)
                                                              & (ServiceRequest.due_at < end)
                                                              & (ServiceRequest.status != "cancelled"))
                     if (r.done_at or now) > r.due_at]
    actions = defaultdict(list)
    for a in CorrectiveAction.select().where((CorrectiveAction.site == site.id) & (CorrectiveAction.month == month)):
        actions[(a.source_kind, a.source_ref)].append(a.id)
    return {"site_id": site.id, "month": month,
            "problems": [{"problem_key": k, "notices": v["notices"], "points": v["points"], "people": len(v["people"]),
                          "action_ids": actions.get(("fault_notices", k), [])}
                         for k, v in sorted(by_problem.items(), key=lambda kv: (-kv[1]["notices"], kv[0]))],
            "overdue_orders": [{"id": o.id, "title": o.title, "trade": o.trade, "resolve_by": o.resolve_by,
                                "done_at": o.done_at, "action_ids": actions.get(("overdue_order", str(o.id)), [])}
                               for o in late_orders],
            "overdue_requests": [{"id": r.id, "kind": r.kind, "due_at": r.due_at, "done_at": r.done_at,
                                  "action_ids": actions.get(("overdue_request", str(r.id)), [])}
                                 for r in late_requests]}


def create(site, month, by, *, source_kind, source_ref, root_cause, action, kind, owner_id, due_date, now=None):
    now = now or utcnow()
    require(by, "corrective.create")
    errors = {}
    if source_kind not in ACTION_SOURCES:
        errors["source_kind"] = f"One of {', '.join(ACTION_SOURCES)}."
    if kind not in ACTION_KINDS:
        errors["kind"] = "corrective or preventive."
    for field, value in (("source_ref", source_ref), ("root_cause", root_cause), ("action", action)):
        if not (value or "").strip():
            errors[field] = "Required."
    if User.get_or_none(User.id == owner_id) is None or not member_of_site(owner_id, site.id):
        errors["owner_id"] = "No such staff member at this site."
    if due_date < _today(site, now):
        errors["due_date"] = "The due date cannot be in the past."
    if errors:
        raise Invalid(errors)
    return CorrectiveAction.create(site=site.id, month=month, source_kind=source_kind, source_ref=source_ref.strip()[:120],
                                   root_cause=root_cause.strip(), action=action.strip(), kind=kind, owner=owner_id,
                                   due_date=due_date, created_by=by.id, created_at=now)


def _load(action_id, site_ids):
    a = locked(CorrectiveAction, (CorrectiveAction.id == action_id) & CorrectiveAction.site.in_(list(site_ids)))
    if a is None:
        raise NotFound("No such action.")
    return a


def mark_done(action_id, by, note, site_ids, now=None):
    """The owner (or a supervisor) says the action was carried out."""
    now = now or utcnow()
    a = _load(action_id, site_ids)
    require(by, "corrective.done", a)
    if a.status != "open":
        raise Conflict(f"Only an open action is marked done (this one is {a.status}).")
    if not (note or "").strip():
        raise Invalid({"note": "Say what was done."})
    a.status, a.done_at, a.done_note = "done", now, note.strip()
    a.save()
    return a


def verify(action_id, by, effective, note, site_ids, now=None):
    """Someone other than the owner checks it was done: effective -> verified; not -> open again."""
    now = now or utcnow()
    require(by, "corrective.verify")  # the role before the row is read: others learn nothing of it
    a = _load(action_id, site_ids)
    require(by, "corrective.verify", a)  # and the object rule on the row as locked
    if a.status != "done":
        raise Conflict(f"Only an action marked done is verified (this one is {a.status}).")
    if not (note or "").strip():
        raise Invalid({"note": "Say what was checked."})
    a.verified_by, a.verified_at, a.verified_note = by.id, now, note.strip()
    a.status = "verified" if effective else "open"
    if not effective:
        a.done_at = None
    a.save()
    return a


def register(site, month, now=None):
    now = now or utcnow()
    today = _today(site, now)
    rows = list(CorrectiveAction.select().where((CorrectiveAction.site == site.id) & (CorrectiveAction.month == month))
                .order_by(CorrectiveAction.id))
    for a in rows:
        a.overdue = a.status == "open" and a.due_date < today
    return rows


def workbook(site, month, rows):
    """The month's register as .xlsx: each root cause and action, owner, due date, done, verified."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    names = {u.id: u.name for u in User.select(User.id, User.name)}
    tz = site_tz(site)
    fmt = (lambda d: d.replace(tzinfo=timezone.utc).astimezone(tz).strftime("%Y-%m-%d") if d else "")
    wb = Workbook()
    ws = wb.active
    ws.title = month
    ws.append([f"{site.name} {month} 问题根源分析与纠正预防措施"])
    ws["A1"].font = Font(bold=True)
    ws.append(["#", "来源", "问题", "根源", "措施", "类别", "责任人", "完成期限", "状态", "完成情况", "验证人",
               "验证结果", "逾期"])
    for a in rows:
        ws.append([a.id, SOURCE_NAMES.get(a.source_kind, a.source_kind), a.source_ref, a.root_cause, a.action,
                   KIND_NAMES.get(a.kind, a.kind), names.get(a.owner_id, ""), a.due_date.isoformat(),
                   {"open": "未完成", "done": "已完成待验证", "verified": "已验证"}[a.status],
                   f"{fmt(a.done_at)} {a.done_note}".strip(), names.get(a.verified_by_id, ""),
                   f"{fmt(a.verified_at)} {a.verified_note}".strip(), "是" if a.overdue else ""])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
