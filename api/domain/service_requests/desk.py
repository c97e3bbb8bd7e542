"""The desk's work on a request: registering it and applying one action at a time (handle, transfer,
complete, reopen, cancel, revisit), each with its event."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import IntegrityError

from api.db import db, relock
from api.domain import workorders as wo
from api.domain.deadlines import revisit_due as order_revisit_due
from api.domain.errors import Conflict, Invalid, NotFound
from api.domain.permissions import require
from api.domain.org_read import building_zone_id  # a unit's request goes to its building's zone by default
from api.domain.photos import link_sites, visible_photo_ids
from api.domain.policy import current_policy
from api.domain.privacy import scrub
from api.domain.service_requests.limits import request_deadlines, site_tz
from api.domain.service_requests.privacy import last4, location_text, normalise_phone, scrub_owner
from api.domain.service_requests.terms import (CATEGORIES, CATEGORY_NAMES, CHANNELS, DEPARTMENTS,
                                               KIND_NAMES, KINDS, TRANSITIONS)
from api.models import RequestEvent, RequestPhoto, ServiceRequest, Site, WorkOrder, Zone, utcnow
from api.notify import events as notify_events


def check_transition(status, action):
    if action not in TRANSITIONS:
        raise Invalid({"action": f"Unknown action {action!r}; one of {', '.join(TRANSITIONS)}."})
    allowed, to = TRANSITIONS[action]
    if status not in allowed:
        raise Conflict(f"Cannot {action} a request that is {status} (only from: {', '.join(allowed)}).")
    return to


def _id(obj):
    return getattr(obj, "id", obj)


def add_event(req, action, actor, note="", data=None, at=None):
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
    add_event(req, "register", user, data={"due_at": deadlines["due_at"].isoformat() if deadlines["due_at"] else None,
                                        "respond_by": deadlines["respond_by"].isoformat()
                                        if deadlines["respond_by"] else None}, at=now)
    if urgent_level:
        add_event(req, "escalate", None, note="特殊/紧急投诉，直接报值班经理 / urgent: straight to the duty manager",
               data={"level": 2, "reason": "urgent"}, at=now)
        notify_events.request_escalated(req.id, 2, None, now)
    return req, True


def _create(data, site, user, phone, deadlines, urgent_level, now):
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
    require(actor, f"request.{action}", req)
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
    add_event(req, action, actor, note, dict(data, **{"from": from_status, "to": to}), at=now)
    return req, order


def revisit(req, actor, *, satisfied, note="", now=None, policy=None):
    """Record the owner's answer (回访). Not satisfied reopens the request and its orders."""
    policy = policy or current_policy()
    now = now or utcnow()
    require(actor, "request.revisit", req)
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
    add_event(req, "revisit", actor, note, {"satisfied": bool(satisfied), "late": late, "to": req.status}, at=now)
    return req
