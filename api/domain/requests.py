"""The service desk (客服): owners' complaints, repair requests and suggestions.

Rules (seed 003 投诉处理, seed 001 报修处理程序, checklists/policy.yaml):

- **Time limits.** A complaint or suggestion within the desk's own scope is handled the same day:
  by 24:00 site time of the day it was received (``complaints.desk_same_day``). One received at
  23:50 is therefore due at 24:00 and, if still open then, goes up to the customer-service
  supervisor: the seed says "不得超过当日", and a late-evening call is exactly when the night's
  supervisor must know. A company that wants a late-evening grace sets
  ``complaints.desk_min_hours`` (optional): the limit is then never shorter than that many hours.
  Transferred to a department, it is due by 24:00 of the ``transfer_days``-th day after the day it
  was received, counted in calendar or working days (``transfer_days_kind``; working days follow
  the official China calendar with its adjusted weekends). A repair request must be responded to
  (taken in hand or dispatched) within ``work_orders.respond_hours`` (2 h emergency / 24 h normal)
  and, as it is always a department's job, finished within the transfer limit.
- **Escalation** (三级负责制 接待人 → 客服主管 → 主管副总经理): a request that missed a limit is at
  level 1 ``escalation.supervisor_after_hours`` after the missed limit, and at level 2
  ``manager_after_hours`` after that. Special/urgent matters are at level 2 from the start (the
  duty manager). Each step is a RequestEvent, made once by a conditional update.
- **Transfer** creates a linked work order (source "request") without the owner's name or phone;
  a transferred request is done only when every one of its orders is verified.
- **Revisit** (回访) within ``work_orders.revisit_working_days`` working days after completion;
  "not satisfied" reopens the request and its orders; an unrevisited request stays on the
  revisit-due list.
- **Privacy.** Owners' names and phones are masked (``张**``, ``138****5678``) except for the
  request's handler, its creator and managers; field staff never see requests.

The pure part computes from values; the thin part loads rows and applies them. Callers own the
transaction (``write_tx``) and the audit.
"""
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from peewee import IntegrityError

from api.domain.deadlines import month_bounds, revisit_due as order_revisit_due
from api.domain.deadlines import (escalation_level_for, level_reached_at,  # noqa: F401  (one engine)
                                  missed_limit as _missed_limit)
from api.domain.photos import link_sites, visible_photo_ids
from api.domain.policy import PRIORITIES, TRADES, current_policy
from api.domain.privacy import scrub
from api.domain.workdays import add_working_days_to_date
from api.domain import vocabulary as vocab
from api.domain import workorders as wo
from api.notify import events as notify_events
from api.db import db, relock
from api.domain.errors import Conflict, Forbidden, Invalid, NotFound
from api.models import RequestEvent, RequestPhoto, ServiceRequest, Site, WorkOrder, Zone, utcnow
from api.models.requests import (ACTIVE_REQUEST_STATUSES, REQUEST_CATEGORIES, REQUEST_CHANNELS,
                                 REQUEST_KINDS, REQUEST_STATUSES)

KINDS = REQUEST_KINDS
CHANNELS = REQUEST_CHANNELS
CATEGORIES = REQUEST_CATEGORIES
STATUSES = REQUEST_STATUSES
ACTIVE = ACTIVE_REQUEST_STATUSES
DEPARTMENTS = vocab.DEPARTMENTS
DESK_ROLES = vocab.DESK_ROLES
SUPERVISING = vocab.SUPERVISING
OWNER_VIEWERS = vocab.MANAGING
FAULTS = vocab.REQUEST_FAULTS


def _zh(kind):
    return {k: v[0] for k, v in vocab.LABELS[kind].items()}


KIND_NAMES = _zh("req_kind")
CATEGORY_NAMES = _zh("req_category")
FAULT_NAMES = _zh("req_fault")
LEVEL_NAMES = _zh("req_level")
CHANNEL_NAMES = _zh("req_channel")
STATUS_NAMES = _zh("req_status")
TRADE_NAMES = _zh("trade")

# action -> (statuses it may start from, status it leads to; None: decided by the action)
TRANSITIONS = vocab.REQUEST_TRANSITIONS
allowed_actions = vocab.request_actions  # (status, role) -> [action]


# --- the pure part ----------------------------------------------------------------------

def normalise_phone(phone):
    """Digits (and a leading +) only: '138-0013 5678' -> '13800135678'."""
    phone = (phone or "").strip()
    plus = phone.startswith("+")
    digits = re.sub(r"\D", "", phone)
    return ("+" if plus and digits else "") + digits


def last4(phone):
    return re.sub(r"\D", "", phone or "")[-4:]


def mask_phone(phone):
    """138****5678: the first three and the last four digits of a mobile; only the last four otherwise."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) > 4:
        return "****" + digits[-4:]
    return "****"


def mask_name(name):
    """张** : the family name and two stars, whatever the length (the length is not revealed)."""
    name = (name or "").strip()
    return name[:1] + "**" if name else ""


def scrub_owner(text, name, phone=None):
    """Text safe for field staff: the owner's name and every phone-like number removed
    (``api.domain.privacy.scrub``: however the number is written)."""
    return scrub(text, [name])


def location_text(building="", unit="", room="", public_area=""):
    """'3栋2单元1201' or the public area."""
    parts = []
    if building:
        parts.append(building if re.search(r"\D$", building) else f"{building}栋")
    if unit:
        parts.append(unit if re.search(r"\D$", unit) else f"{unit}单元")
    if room:
        parts.append(room)
    text = "".join(parts)
    if public_area:
        text = f"{text} {public_area}".strip() if text else public_area
    return text


def _to_local(dt_utc, tz):
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
    day = _to_local(received_at, tz).date()
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
    day = _to_local(received_at, tz).date()
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


def check_transition(status, action):
    if action not in TRANSITIONS:
        raise Invalid({"action": f"Unknown action {action!r}; one of {', '.join(TRANSITIONS)}."})
    allowed, to = TRANSITIONS[action]
    if status not in allowed:
        raise Conflict(f"Cannot {action} a request that is {status} (only from: {', '.join(allowed)}).")
    return to


def can_see_owner(role, user_id, handler_id, created_by_id):
    """The owner's full name and phone: the request's handler and creator, and managers."""
    return role in OWNER_VIEWERS or user_id in (handler_id, created_by_id)


def on_time(row):
    """True/False for a request whose outcome is known, None while it can still be on time.

    On time: finished (done) by its due time and, for a repair, responded to by respond_by."""
    due, done_at = row.get("due_at"), row.get("done_at")
    respond_by, responded_at = row.get("respond_by"), row.get("responded_at")
    responded_ok = respond_by is None or (responded_at is not None and responded_at <= respond_by)
    now = row["now"]
    if row["status"] == "cancelled":
        return None
    if done_at is not None:
        return bool(responded_ok and (due is None or done_at <= due))
    if (respond_by is not None and responded_at is None and respond_by < now) or (due is not None and due < now):
        return False
    if responded_at is not None and respond_by is not None and responded_at > respond_by:
        return False
    return None


def _rate(num, den):
    return None if not den else round(num / den, 4)


def _unit_key(r):
    return (r.get("building") or "", r.get("unit") or "", r["room"], r.get("category") or "other")


def _counts_as_complaint(r):
    return r["kind"] in ("complaint", "repair") and r.get("room") and r["status"] != "cancelled"


def repeat_units(rows, earlier=()):
    """Units (a room) that raised the same category again: at least twice counting this month's
    complaints/repairs and those of the lookback before it, with at least one this month."""
    now_n, before_n = defaultdict(int), defaultdict(int)
    for r in rows:
        if _counts_as_complaint(r):
            now_n[_unit_key(r)] += 1
    for r in earlier:
        if _counts_as_complaint(r) and _unit_key(r) in now_n:
            before_n[_unit_key(r)] += 1
    return [{"building": b, "unit": u, "room": rm, "category": c, "count": n, "earlier": before_n[(b, u, rm, c)]}
            for (b, u, rm, c), n in sorted(now_n.items()) if n + before_n[(b, u, rm, c)] >= 2]


def compute_stats(rows, now, earlier=None):
    """Monthly statistics from plain rows (dicts with kind, channel, building, unit, room, trade,
    category, status, due_at, done_at, respond_by, responded_at, satisfied, reopen_count,
    escalation_level). Cancelled requests are counted by kind but not in rates. ``earlier``: rows
    of the lookback before the month, for units raising the same thing again."""
    by = {"kind": Counter(), "building": Counter(), "trade": Counter(), "channel": Counter(),
          "category": Counter(), "status": Counter()}
    ontime = late = satisfied = revisited = reopened = escalated = 0
    for r in rows:
        r = dict(r, now=now)
        by["kind"][r["kind"]] += 1
        by["building"][r.get("building") or "公共区域"] += 1
        by["trade"][r.get("trade") or "unassigned"] += 1
        by["channel"][r["channel"]] += 1
        by["category"][r.get("category") or "other"] += 1
        by["status"][r["status"]] += 1
        verdict = on_time(r)
        ontime += verdict is True
        late += verdict is False
        if r.get("satisfied") is not None:
            revisited += 1
            satisfied += bool(r["satisfied"])
        reopened += (r.get("reopen_count") or 0) > 0
        escalated += (r.get("escalation_level") or 0) > 0
    repeat_list = repeat_units(rows, earlier or [])
    return {
        "total": len(rows),
        "by_kind": dict(sorted(by["kind"].items())),
        "by_building": dict(sorted(by["building"].items())),
        "by_trade": dict(sorted(by["trade"].items())),
        "by_channel": dict(sorted(by["channel"].items())),
        "by_category": dict(sorted(by["category"].items())),
        "by_status": dict(sorted(by["status"].items())),
        "on_time": ontime, "late": late, "on_time_rate": _rate(ontime, ontime + late),
        "revisited": revisited, "satisfied": satisfied, "satisfaction_rate": _rate(satisfied, revisited),
        "reopened": reopened, "escalated": escalated,
        "repeat_units": repeat_list,
    }


# --- the thin part ----------------------------------------------------------------------

def site_tz(site):
    return ZoneInfo(getattr(site, "timezone", None) or "Asia/Shanghai")


def _id(obj):
    return getattr(obj, "id", obj)


def _event(req, action, actor, note="", data=None, at=None):
    return RequestEvent.create(request=_id(req), action=action, actor=_id(actor) if actor else None,
                               at=at or utcnow(), note=note or "", data=data)


@dataclass
class NewRequest:
    """What the desk writes down when an owner calls, visits or messages (or a guard reports)."""

    site_id: int
    kind: str
    channel: str
    description: str
    received_at: datetime
    owner_name: str = ""
    owner_phone: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    public_area: str = ""
    owner_ask: str = ""
    category: str = "other"
    priority: str = "normal"
    urgent: bool = False
    zone_id: int = None
    photo_ids: tuple = ()
    client_id: str = None


def _validate_new(data, site, now, visible_sites):
    errors = {}
    if data.kind not in KINDS:
        errors["kind"] = f"One of {', '.join(KINDS)}."
    if data.channel not in CHANNELS:
        errors["channel"] = f"One of {', '.join(CHANNELS)}."
    if data.category not in CATEGORIES:
        errors["category"] = f"One of {', '.join(CATEGORIES)}."
    if data.priority not in ("emergency", "normal"):
        errors["priority"] = "emergency or normal."
    if not (data.description or "").strip():
        errors["description"] = "Write down what happened."
    if not (data.building or data.public_area):
        errors["building"] = "Say where: a building (and unit/room) or a public area."
    if data.channel != "patrol" and not (data.owner_name or data.owner_phone):
        errors["owner_phone"] = "A name or phone of the owner/tenant is needed to call back (回访)."
    phone = normalise_phone(data.owner_phone)
    if data.owner_phone and not (7 <= len(phone.lstrip("+")) <= 15):
        errors["owner_phone"] = "Not a phone number (7–15 digits)."
    if data.received_at > now + timedelta(minutes=10):
        errors["received_at"] = "Cannot be in the future."
    if data.received_at < now - timedelta(days=31):
        errors["received_at"] = "More than a month ago: register it as received today and say why in the note."
    if data.zone_id is not None and Zone.get_or_none((Zone.id == data.zone_id) & (Zone.site == site.id)) is None:
        errors["zone_id"] = "No such zone at this site."
    ids = list(dict.fromkeys(data.photo_ids or ()))
    if ids:
        unknown = [p for p in ids if p not in visible_photo_ids(ids, visible_sites)]
        if unknown:
            errors["photo_ids"] = f"No such photo: {', '.join(unknown)}."
    if errors:
        raise Invalid(errors)
    return phone, ids


def register(data: NewRequest, user, *, visible_sites, now=None, policy=None):
    """Register a request (its deadlines from policy); a retry with the same client_id returns the
    first one. Returns ``(request, created)``."""
    policy = policy or current_policy()
    now = now or utcnow()
    if data.client_id:
        existing = ServiceRequest.get_or_none(ServiceRequest.client_id == data.client_id)
        if existing is not None:
            if existing.created_by_id != _id(user) or existing.site_id != data.site_id:
                raise Conflict("This client_id was already used for another request.")
            return existing, False
    site = Site.get_or_none(Site.id == data.site_id)
    if site is None:
        raise NotFound("No such site.")
    phone, photo_ids = _validate_new(data, site, now, visible_sites)
    tz = site_tz(site)
    deadlines = request_deadlines(policy, data.kind, data.priority, "desk", data.received_at, tz, urgent=data.urgent)
    urgent_level = 2 if (data.urgent and data.kind != "suggestion"
                         and policy["complaints"].get("urgent_to_duty_manager", True)) else 0
    try:
        with db.atomic():  # a savepoint: a concurrent retry with the same client_id loses cleanly
            req = _create(data, site, user, phone, deadlines, urgent_level, now)
    except IntegrityError:
        existing = ServiceRequest.get_or_none(ServiceRequest.client_id == data.client_id) if data.client_id else None
        if existing is None:
            raise
        if existing.created_by_id != _id(user) or existing.site_id != data.site_id:
            raise Conflict("This client_id was already used for another request.")
        return existing, False
    for pid in photo_ids:
        link_sites(pid, [site.id])
        RequestPhoto.insert(request=req, photo=pid).on_conflict_ignore().execute()
    _event(req, "register", user, data={"due_at": deadlines["due_at"].isoformat() if deadlines["due_at"] else None,
                                        "respond_by": deadlines["respond_by"].isoformat()
                                        if deadlines["respond_by"] else None}, at=now)
    if urgent_level:
        _event(req, "escalate", None, note="特殊/紧急投诉，直接报值班经理 / urgent: straight to the duty manager",
               data={"level": 2, "reason": "urgent"}, at=now)
        notify_events.request_escalated(req.id, 2, None, now)
    return req, True


def _create(data, site, user, phone, deadlines, urgent_level, now):
    from api.domain.org import building_zone_id  # a unit's request goes to its building's zone by default

    zone_id = data.zone_id if data.zone_id is not None else building_zone_id(site.id, data.building)
    return ServiceRequest.create(
        site=site, zone=zone_id, kind=data.kind, channel=data.channel, category=data.category,
        owner_name=(data.owner_name or "").strip(), owner_phone=phone, phone_last4=last4(phone),
        building=data.building.strip(), unit=data.unit.strip(), room=data.room.strip(),
        public_area=data.public_area.strip(), description=data.description.strip(),
        owner_ask=(data.owner_ask or "").strip(), priority=data.priority, urgent=bool(data.urgent),
        scope="desk", status="open", received_at=data.received_at, respond_by=deadlines["respond_by"],
        due_at=deadlines["due_at"], escalation_level=urgent_level, escalated_at=now if urgent_level else None,
        handler=_id(user), created_by=_id(user), created_at=now, client_id=data.client_id)


def linked_orders(req):
    return list(WorkOrder.select().where(WorkOrder.request_id == _id(req)).order_by(WorkOrder.id))


def _live_orders(req):
    return [o for o in linked_orders(req) if o.status != "cancelled"]


def order_title(req):
    where = location_text(req.building, req.unit, req.room, req.public_area)
    title = f"{KIND_NAMES.get(req.kind, req.kind)}：{CATEGORY_NAMES.get(req.category, req.category)} {where}".strip()
    return scrub(title, [req.owner_name])


def order_description(req, note=""):
    """What the department needs to know — never who the owner is or how to reach them."""
    parts = [scrub_owner(req.description, req.owner_name, req.owner_phone)]
    if req.owner_ask:
        parts.append("诉求：" + scrub_owner(req.owner_ask, req.owner_name, req.owner_phone))
    if note:
        parts.append("客服备注：" + scrub_owner(note, req.owner_name, req.owner_phone))
    parts.append(f"（客服单 #{req.id}，联系业主请经客服中心）")
    return "\n".join(parts)


def _restart_limits(req, policy, now, scope):
    """A reopened request gets a fresh limit counted from the reopening."""
    d = request_deadlines(policy, req.kind, req.priority, scope, now, site_tz(req.site), urgent=req.urgent)
    req.respond_by, req.due_at = d["respond_by"], d["due_at"]
    req.responded_at = None if d["respond_by"] else req.responded_at
    req.escalation_level = 2 if (req.urgent and req.kind != "suggestion"
                                 and policy["complaints"].get("urgent_to_duty_manager", True)) else 0
    req.escalated_at = now if req.escalation_level else None


def _reopen(req, actor, policy, now, note):
    orders = _live_orders(req)
    for order in orders:
        order = relock(order)  # its status checked under its lock (a technician may be moving it)
        if order.status in ("done", "verified"):
            wo.transition(order, "reopen", actor, note=note or "业主回访不满意，返修 / owner not satisfied", now=now,
                          policy=policy)
    req.reopen_count += 1
    req.done_at = None
    req.revisit_due = None
    scope = "transferred" if orders else "desk"
    _restart_limits(req, policy, now, scope)
    if orders:
        req.responded_at = req.responded_at or now
    return "transferred" if orders else "handling"


def transition(req, action, actor, *, trade=None, priority=None, note="", now=None, policy=None):
    """Apply one desk action to a request (with its event). Returns ``(request, order or None)``."""
    policy = policy or current_policy()
    now = now or utcnow()
    if actor.role not in DESK_ROLES:
        raise Forbidden("Only the service desk, supervisors and managers handle requests.")
    to = check_transition(req.status, action)
    from_status = req.status
    note = (note or "").strip()
    data = {}
    order = None
    if action == "handle":
        req.handler = actor.id
        req.responded_at = req.responded_at or now
        req.trade = req.trade or "customer_service"
    elif action == "transfer":
        errors = {}
        if trade not in DEPARTMENTS:
            errors["trade"] = f"Send it to a department: one of {', '.join(DEPARTMENTS)}."
        priority = priority or ("emergency" if req.priority == "emergency" or req.urgent else "normal")
        if priority not in ("emergency", "normal"):
            errors["priority"] = "emergency or normal."
        if errors:
            raise Invalid(errors)
        already = [o.id for o in linked_orders(req) if o.trade == trade and o.status in wo.ACTIVE]
        if already:
            raise Conflict(f"This request already has a live work order for {trade}: "
                           + ", ".join(f"#{i}" for i in already) + ". Cancel it first to send another.")
        order = wo.create_work_order(site=req.site, created_by=actor, trade=trade, title=order_title(req),
                                     description=order_description(req, note), priority=priority,
                                     zone=req.zone_id, source="request", request_id=req.id, now=now, policy=policy)
        if req.scope != "transferred" and req.kind != "repair":
            req.due_at = request_deadlines(policy, req.kind, req.priority, "transferred", req.received_at,
                                           site_tz(req.site), urgent=req.urgent)["due_at"]
        req.scope = "transferred"
        req.responded_at = req.responded_at or now
        if req.trade in (None, "customer_service"):
            req.trade = trade
        data = {"work_order_id": order.id, "trade": trade, "priority": priority,
                "due_at": req.due_at.isoformat() if req.due_at else None}
    elif action == "complete":
        if req.status == "transferred":
            pending = [o.id for o in _live_orders(req) if o.status != "verified"]
            if pending:
                raise Conflict("Its work orders are not all verified yet: "
                               + ", ".join(f"#{i}" for i in pending) + ".")
        elif not note:
            raise Invalid({"note": "Say how it was handled (the owner will be told at the revisit)."})
        req.done_at = now
        req.responded_at = req.responded_at or now
        req.revisit_due = order_revisit_due(policy, now, site_tz(req.site))
        data = {"revisit_due": req.revisit_due.isoformat()}
    elif action == "reopen":
        if not note:
            raise Invalid({"note": "Say why it is reopened."})
        to = _reopen(req, actor, policy, now, note)
    elif action == "cancel":
        if not note:
            raise Invalid({"note": "Say why it is cancelled (e.g. not the property company's matter)."})
        req.cancelled_at = now
    req.status = to
    req.save()
    _event(req, action, actor, note, dict(data, **{"from": from_status, "to": to}), at=now)
    return req, order


def revisit(req, actor, *, satisfied, note="", now=None, policy=None):
    """Record the owner's answer (回访). Not satisfied reopens the request and its orders."""
    policy = policy or current_policy()
    now = now or utcnow()
    if actor.role not in DESK_ROLES:
        raise Forbidden("Only the service desk records revisits.")
    if req.status != "done":
        raise Conflict(f"Only a completed request is revisited (this one is {req.status}).")
    note = (note or "").strip()
    if not satisfied and not note:
        raise Invalid({"note": "Write down what the owner is not satisfied with."})
    late = req.revisit_due is not None and now > req.revisit_due
    req.revisited_at = now
    req.satisfied = bool(satisfied)
    if satisfied:
        req.status = "closed"
    else:
        req.status = _reopen(req, actor, policy, now, note)
    req.save()
    _event(req, "revisit", actor, note, {"satisfied": bool(satisfied), "late": late, "to": req.status}, at=now)
    return req


# --- lazy upkeep: escalation and following the linked orders ------------------------------

def _missed_condition(now):
    return (ServiceRequest.status.in_(ACTIVE)
            & ((ServiceRequest.due_at < now)
               | (ServiceRequest.respond_by.is_null(False) & ServiceRequest.responded_at.is_null()
                  & (ServiceRequest.respond_by < now))))


def overdue_condition(now):
    """A peewee expression: an active request past a limit it has not met."""
    return _missed_condition(now)


def _escalation_candidates(now, site_ids, request_ids=None):
    q = (ServiceRequest.select(ServiceRequest.id, ServiceRequest.status, ServiceRequest.respond_by,
                               ServiceRequest.responded_at, ServiceRequest.due_at,
                               ServiceRequest.escalation_level)
         .where(_missed_condition(now) & (ServiceRequest.escalation_level < 2)
                & (ServiceRequest.kind != "suggestion")))
    if site_ids is not None:
        q = q.where(ServiceRequest.site.in_(list(site_ids)))
    if request_ids is not None:
        q = q.where(ServiceRequest.id.in_(list(request_ids)))
    return q


def _sync_candidates(site_ids):
    """Transferred requests with a finished order, and done ones whose order was reopened."""
    q = (ServiceRequest.select(ServiceRequest.id)
         .join(WorkOrder, on=(WorkOrder.request_id == ServiceRequest.id))
         .where(((ServiceRequest.status == "transferred") & WorkOrder.status.in_(("verified", "cancelled")))
                | ((ServiceRequest.status == "done") & WorkOrder.status.in_(wo.OPEN_STATUSES + ("done",))))
         .distinct())
    if site_ids is not None:
        q = q.where(ServiceRequest.site.in_(list(site_ids)))
    return q


def upkeep_pending(now, site_ids, policy=None):
    """Whether escalation or order-following has anything to do (a cheap read before writing)."""
    policy = policy or current_policy()
    esc = policy["work_orders"]["escalation"]
    for row in _escalation_candidates(now, site_ids):
        missed = missed_limit(row.status, row.respond_by, row.responded_at, row.due_at, now)
        if escalation_level_for(missed, now, esc) > row.escalation_level:
            return True
    return _sync_candidates(site_ids).exists()


def escalate_overdue(now=None, site_ids=None, policy=None, request_ids=None):
    """Move overdue requests up (level 1 customer-service supervisor, level 2 deputy GM). Each step
    is one conditional update and one event, so concurrent runs make it once. Returns
    [(request_id, level)]. Call inside a write transaction."""
    policy = policy or current_policy()
    now = now or utcnow()
    esc = policy["work_orders"]["escalation"]
    steps = []
    for row in _escalation_candidates(now, site_ids, request_ids):
        missed = missed_limit(row.status, row.respond_by, row.responded_at, row.due_at, now)
        target = escalation_level_for(missed, now, esc)
        for level in range(row.escalation_level + 1, target + 1):
            n = (ServiceRequest.update(escalation_level=level, escalated_at=now)
                 .where((ServiceRequest.id == row.id) & (ServiceRequest.escalation_level == level - 1)
                        & ServiceRequest.status.in_(ACTIVE))
                 .execute())
            if not n:
                break
            what = "未按时响应" if (row.respond_by and row.responded_at is None and missed == row.respond_by) \
                else "未按时处理完毕"
            _event(row.id, "escalate", None,
                   note=f"{what}（时限 {_to_local(missed, policy.tz).strftime('%m月%d日 %H:%M')}），上报{LEVEL_NAMES[level]}",
                   data={"level": level, "reason": "overdue", "missed_limit": missed.isoformat(),
                         "since": level_reached_at(missed, level, esc).isoformat()}, at=now)
            notify_events.request_escalated(row.id, level, missed, now)
            steps.append((row.id, level))
    return steps


def follow_orders(now=None, site_ids=None, policy=None):
    """A transferred request whose orders are all verified is done (revisit due); one whose orders
    were all cancelled goes back to the desk. Returns the ids changed. Call inside a write transaction."""
    policy = policy or current_policy()
    now = now or utcnow()
    changed = []
    for row in _sync_candidates(site_ids):
        req = ServiceRequest.get_by_id(row.id)
        orders = linked_orders(req)
        live = [o for o in orders if o.status != "cancelled"]
        if req.status == "done":
            if any(o.status != "verified" for o in live):
                n = (ServiceRequest.update(status="transferred", done_at=None, revisit_due=None)
                     .where((ServiceRequest.id == req.id) & (ServiceRequest.status == "done")).execute())
                if n:
                    _event(req, "orders_reopened", None, note="工单被退回返工，客服单随之重开 / an order was reopened",
                           data={"from": "done", "to": "transferred"}, at=now)
                    changed.append(req.id)
            continue
        if live and all(o.status == "verified" for o in live):
            done_at = max(o.verified_at or now for o in live)
            n = (ServiceRequest.update(status="done", done_at=done_at,
                                       revisit_due=order_revisit_due(policy, done_at, site_tz(req.site)))
                 .where((ServiceRequest.id == req.id) & (ServiceRequest.status == "transferred")).execute())
            if n:
                _event(req, "complete", None, note="工单均已验收 / all work orders verified",
                       data={"work_order_ids": [o.id for o in live], "from": "transferred", "to": "done"}, at=now)
                changed.append(req.id)
        elif orders and not live:
            n = (ServiceRequest.update(status="handling")
                 .where((ServiceRequest.id == req.id) & (ServiceRequest.status == "transferred")).execute())
            if n:
                _event(req, "orders_cancelled", None, note="工单已取消，退回客服处理 / orders cancelled, back to the desk",
                       data={"from": "transferred", "to": "handling"}, at=now)
                changed.append(req.id)
    return changed


def upkeep(now=None, site_ids=None, policy=None):
    """Both lazy jobs; returns ``{"escalated": [...], "completed": [...]}``."""
    policy = policy or current_policy()
    now = now or utcnow()
    return {"completed": follow_orders(now, site_ids, policy), "escalated": escalate_overdue(now, site_ids, policy)}


# --- faults --------------------------------------------------------------------------------

def fault_reason(req, fault, note=""):
    text = f"{FAULT_NAMES[fault]}（客服单 #{req.id} {KIND_NAMES.get(req.kind, req.kind)}）"
    return f"{text}：{note}" if note else text


def fault_occurred_at(req, fault, now):
    """When the fault happened: hiding at receipt, late registration when finally written down,
    running overdue when the missed limit passed."""
    if fault == "hidden":
        return req.received_at
    if fault == "late_registration":
        return req.created_at
    missed = missed_limit("open", req.respond_by, req.responded_at, req.due_at, now)
    if missed is None and req.done_at and req.due_at and req.done_at > req.due_at:
        missed = req.due_at
    return missed


def raise_fault(req, actor, *, staff_id, fault, points, note="", supervisor_shares=False, client_id=None,
                now=None, policy=None):
    """A staff fault notice (员工过失通知单) from a request: hidden, registered late or run overdue.
    Made by the deductions' own create function with ``request_id``. Returns the Deduction."""
    from api.domain.deductions import create_deduction

    now = now or utcnow()
    if actor.role not in SUPERVISING:
        raise Forbidden("Only a supervisor or manager raises a fault notice.")
    if fault not in FAULTS:
        raise Invalid({"fault": f"One of {', '.join(FAULTS)}."})
    occurred = fault_occurred_at(req, fault, now)
    if fault == "overdue" and occurred is None:
        raise Conflict("This request has not run past any limit.")
    try:
        with db.atomic():  # a savepoint: a concurrent retry with the same client_id loses cleanly
            d = create_deduction(site=req.site, created_by=actor, staff_id=staff_id, points=points,
                                 reason=fault_reason(req, fault, (note or "").strip()),
                                 problem_key=f"request:{fault}", occurred_at=occurred, request_id=req.id,
                                 supervisor_shares=supervisor_shares, client_id=client_id, now=now, policy=policy)
    except IntegrityError:
        from api.models import Deduction

        d = Deduction.get_or_none(Deduction.client_id == client_id) if client_id else None
        if d is None or d.request_id != req.id:
            raise Conflict("This client_id was already used for another fault notice.")
        return d
    _event(req, "fault", actor, note, {"deduction_id": d.id, "fault": fault, "staff_id": staff_id,
                                       "points": points}, at=now)
    return d


# --- statistics ----------------------------------------------------------------------------

REPEAT_LOOKBACK_DAYS = 90  # "again": the same unit and category within the three months before


def month_rows(site, month):
    """Plain rows of the requests received in a YYYY-MM month (site time)."""
    start, end = month_bounds(month, site_tz(site))
    return _rows(site, start, end)


def _rows(site, start, end):
    q = (ServiceRequest.select().where((ServiceRequest.site == site.id) & (ServiceRequest.received_at >= start)
                                       & (ServiceRequest.received_at < end)).order_by(ServiceRequest.id))
    keys = ("id", "kind", "channel", "category", "building", "unit", "room", "public_area", "trade", "status",
            "received_at", "due_at", "done_at", "respond_by", "responded_at", "satisfied", "reopen_count",
            "escalation_level", "owner_name", "owner_phone", "description")
    return [{k: getattr(r, k) for k in keys} for r in q]


def monthly_stats(site, month, now=None):
    now = now or utcnow()
    start, end = month_bounds(month, site_tz(site))
    rows = _rows(site, start, end)
    earlier = _rows(site, start - timedelta(days=REPEAT_LOOKBACK_DAYS), start)
    out = compute_stats(rows, now, earlier)
    out.update(site_id=site.id, month=month)
    return out, rows


def stats_workbook(site, month, stats, rows):
    """The month's statistics as an .xlsx (bytes): summary, breakdowns, repeat units, the list (masked)."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from api.domain.cells import append_text_safe

    tz = site_tz(site)
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总 Summary"
    bold = Font(bold=True)
    append_text_safe(ws, [f"{site.name} 客服月报 {month}"])
    ws["A1"].font = bold
    for label, key in (("受理总数 Total", "total"), ("按时 On time", "on_time"), ("超时 Late", "late"),
                       ("按时率 On-time rate", "on_time_rate"), ("已回访 Revisited", "revisited"),
                       ("满意 Satisfied", "satisfied"), ("满意率 Satisfaction rate", "satisfaction_rate"),
                       ("返修/重开 Reopened", "reopened"), ("升级 Escalated", "escalated")):
        append_text_safe(ws, [label, stats[key]])
    # words, not codes: a department is 工程维修, not engineering (labels from api/domain/vocabulary.py)
    for title, key, names in (("类别 Kind", "by_kind", KIND_NAMES), ("楼栋 Building", "by_building", {}),
                              ("部门 Department", "by_trade", TRADE_NAMES), ("渠道 Channel", "by_channel", CHANNEL_NAMES),
                              ("事项 Category", "by_category", CATEGORY_NAMES)):
        sheet = wb.create_sheet(title)
        append_text_safe(sheet, [title, "数量 Count"])
        for k, n in stats[key].items():
            append_text_safe(sheet, [names.get(k, k or "未分派") if names else (k or "公共区域"), n])
    rep = wb.create_sheet("重复投诉 Repeats")
    append_text_safe(rep, ["楼栋", "单元", "房号", "事项", "本月次数", f"此前 {REPEAT_LOOKBACK_DAYS} 天"])
    for r in stats["repeat_units"]:
        append_text_safe(rep, [r["building"], r["unit"], r["room"], CATEGORY_NAMES.get(r["category"], r["category"]), r["count"],
                    r["earlier"]])
    lst = wb.create_sheet("明细 Requests")
    append_text_safe(lst, ["#", "受理时间", "类别", "渠道", "事项", "位置", "业主", "电话", "部门", "状态", "时限", "完成",
                "满意"])
    for r in rows:
        fmt = (lambda d: _to_local(d, tz).strftime("%Y-%m-%d %H:%M") if d else "")
        append_text_safe(lst, [r["id"], fmt(r["received_at"]), KIND_NAMES.get(r["kind"], r["kind"]),
                    CHANNEL_NAMES.get(r["channel"], r["channel"]), CATEGORY_NAMES.get(r["category"], r["category"]),
                    location_text(r["building"], r["unit"], r["room"], r["public_area"]),
                    mask_name(r["owner_name"]), mask_phone(r["owner_phone"]),
                    TRADE_NAMES.get(r["trade"], r["trade"] or ""), STATUS_NAMES.get(r["status"], r["status"]),
                    fmt(r["due_at"]), fmt(r["done_at"]),
                    "" if r["satisfied"] is None else ("是" if r["satisfied"] else "否")])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse_month(month):
    """'2025-04' -> the same string, or 422."""
    try:
        date(int(month[:4]), int(month[5:7]), 1)
        if len(month) != 7 or month[4] != "-":
            raise ValueError
    except (ValueError, TypeError):
        raise Invalid({"month": "A month as YYYY-MM."}, location="query")
    return month
