"""Work orders: registered, handled, followed up, closed and revisited (事事有登记、有处理、有跟进、有关闭、有回访).

The pure part is the transition table (who may take each action: ``permissions.py``); the thin part loads rows, applies them
and records every step as a WorkOrderEvent. Callers own the transaction (``write_tx``) and the audit.
"""
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from api.domain.deadlines import missed_limit, most_urgent, order_deadlines, resolve_by_after_accept, revisit_due
from api.domain.photos import link_sites, visible_photo_ids
from api.domain.policy import current_policy
from api.domain.vocabulary import PRIORITIES, TRADES
from api.domain.privacy import scrub
from api.domain.errors import Conflict, Invalid, NotFound
from api.domain.permissions import can, require
from api.notify import events as notify_events
from api.models import (Checklist, ChecklistVersion, Finding, Site, User, UserSite, WorkOrder,
                        WorkOrderEvent, WorkOrderFinding, WorkOrderPhoto, Zone, ZoneResponsible, utcnow)

from api.domain import vocabulary as vocab

ACTIVE = vocab.WORK_ORDER_ACTIVE
OPEN_STATUSES = vocab.WORK_ORDER_OPEN
# action -> (statuses it may start from, status it leads to; None: decided by the action)
TRANSITIONS = vocab.WORK_ORDER_TRANSITIONS
STATUS_NAMES = {k: v[0] for k, v in vocab.LABELS["wo_status"].items()}


def check_transition(status, action):
    """The status an action leads to from ``status``, or 409 saying why not."""
    if action not in TRANSITIONS:
        raise Invalid({"action": f"Unknown action {action!r}; one of {', '.join(TRANSITIONS)}."})
    allowed, to = TRANSITIONS[action]
    if status not in allowed:
        raise Conflict(f"Cannot {action} a work order that is {status} "
                       f"(only from: {', '.join(allowed)}).")
    return to


def field_staff_may_see(order, user, policy=None):
    """Guards, cleaners and technicians see the orders assigned to them; with the policy's
    ``work_orders.field_staff_see: zone``, also the orders of the zones they answer for (片区责任制)."""
    if can(user, "work_order.view_all"):
        return True
    if order.assignee_id == user.id:
        return True
    policy = policy or current_policy()
    if policy["work_orders"].get("field_staff_see", "assigned") == "zone" and order.zone_id:
        return ZoneResponsible.select().where((ZoneResponsible.zone == order.zone_id)
                                              & (ZoneResponsible.user == user.id)).exists()
    return False


def field_staff_filter(query, user, policy=None):
    """``query`` of work orders narrowed to what ``field_staff_may_see`` allows."""
    if can(user, "work_order.view_all"):
        return query
    policy = policy or current_policy()
    mine = WorkOrder.assignee == user.id
    if policy["work_orders"].get("field_staff_see", "assigned") == "zone":
        zones = ZoneResponsible.select(ZoneResponsible.zone).where(ZoneResponsible.user == user.id)
        mine = mine | WorkOrder.zone.in_(zones)
    return query.where(mine)



# --- the thin part -----------------------------------------------------------------------

def _id(obj):
    return getattr(obj, "id", obj)


def site_tz(site):
    return ZoneInfo(site.timezone or "Asia/Shanghai")


def item_resolve_hours(findings):
    """The shortest resolve_hours any linked finding's checklist item sets (None when none do)."""
    hours = []
    for f in findings:
        if not (f.checklist_key and f.item_key):
            continue
        version = None
        if f.inspection_id:
            version = (ChecklistVersion.select().join_from(ChecklistVersion, Checklist)
                       .where(ChecklistVersion.id == f.inspection.checklist_version_id).first())
        if version is None:
            version = (ChecklistVersion.select().join(Checklist)
                       .where((Checklist.key == f.checklist_key) & (ChecklistVersion.version == Checklist.current_version))
                       .first())
        item = version.item(f.item_key) if version else None
        if item and item.get("resolve_hours"):
            hours.append(float(item["resolve_hours"]))
    return min(hours) if hours else None


def member_of_site(user_id, site_id):
    return UserSite.select().where((UserSite.user == user_id) & (UserSite.site == site_id)).exists()


def owner_names(request_id):
    """The owner's name of the request an order was made from (none for other orders)."""
    from api.models import ServiceRequest

    if not request_id:
        return []
    row = ServiceRequest.select(ServiceRequest.owner_name).where(ServiceRequest.id == request_id).first()
    return [row.owner_name] if row and row.owner_name else []


def field_safe(order, text, actor=None):
    """Text that field staff will read on this order: scrubbed when it came from an owner's request
    or from the desk (seed 003: owners are called back by the desk, not by the department)."""
    request_id = getattr(order, "request_id", None)
    if request_id or getattr(order, "source", None) == "request" or getattr(actor, "role", None) == "service":
        return scrub(text, owner_names(request_id))
    return text or ""


def add_event(order, action, from_status, to_status, actor, note="", data=None, at=None):
    if note and not isinstance(order, int):
        note = field_safe(order, note, actor)
    return WorkOrderEvent.create(work_order=order, action=action, from_status=from_status, to_status=to_status,
                                 actor=actor, note=note or "", data=data, at=at or utcnow())


def _load_findings(finding_ids, site_id):
    ids = list(dict.fromkeys(finding_ids))
    rows = {f.id: f for f in Finding.select().where(Finding.id.in_(ids))} if ids else {}
    missing = [i for i in ids if i not in rows or rows[i].site_id != site_id]
    if missing:
        raise Invalid({"finding_ids": f"No such finding at this site: {', '.join(map(str, missing))}."})
    findings = [rows[i] for i in ids]
    closed = [f.id for f in findings if f.status in ("resolved", "dismissed")]
    if closed:
        raise Conflict(f"Finding(s) {', '.join(map(str, closed))} are already resolved or dismissed.")
    busy = (WorkOrderFinding.select(WorkOrderFinding.finding).join(WorkOrder)
            .where(WorkOrderFinding.finding.in_(ids) & WorkOrder.status.in_(ACTIVE)))
    busy = sorted({r.finding_id for r in busy})
    if busy:
        raise Conflict(f"Finding(s) {', '.join(map(str, busy))} already have an open work order.")
    return findings


def finding_place(f):
    """Where a finding is, in words: its checkpoint, else its zone ('' when its title already says where)."""
    if f.checkpoint_id and f.checkpoint:
        return f.checkpoint.name
    if isinstance(f.extra, dict) and f.extra.get("place"):
        return ""  # an ad-hoc report's title is already "place：what"
    return f.zone.name if f.zone_id else ""


def finding_order_title(findings):
    """An order's title from its findings: what failed and where. A checklist item's text is the standard
    ("空气清新，无异味"), which read alone says "all fine": so 不合格：空气清新，无异味（1号楼大堂）."""
    f = findings[0]
    what = f"不合格：{f.title}" if f.checklist_key and f.item_key else f.title
    place = finding_place(f)
    title = f"{what}（{place}）" if place else what
    return title if len(findings) == 1 else f"{title} 等 {len(findings)} 项"


def create_work_order(*, site, created_by, trade=None, title=None, description="", priority=None, zone=None,
                      assignee=None, finding_ids=(), source=None, request_id=None, scheduled_for=None,
                      client_id=None, now=None, policy=None):
    """One work order (from findings, a service request or by hand); assignee defaults to the
    zone's responsible person for the trade (片区责任制). Returns the WorkOrder."""
    policy = policy or current_policy()
    now = now or utcnow()
    site = site if isinstance(site, Site) else Site.get_or_none(Site.id == site)
    if site is None:
        raise NotFound("No such site.")
    findings = _load_findings(finding_ids, site.id) if finding_ids else []
    errors = {}
    if findings:
        trade = trade or (findings[0].trade if len({f.trade for f in findings}) == 1 else None)
        if trade is None:
            errors["trade"] = "These findings belong to different trades: choose one, or one order per finding."
        priority = priority or most_urgent(f.priority for f in findings)
        if zone is None and len({f.zone_id for f in findings}) == 1:
            zone = findings[0].zone_id
        if not title:
            title = finding_order_title(findings)
    priority = priority or "normal"
    if trade not in TRADES:
        errors.setdefault("trade", f"One of {', '.join(TRADES)}.")
    if priority not in PRIORITIES:
        errors["priority"] = f"One of {', '.join(PRIORITIES)}."
    if not title:
        errors["title"] = "A title is needed when the order is not made from findings."
    if priority == "planned" and scheduled_for is None:
        if findings:  # a planned-priority checklist item: schedule it within the policy's planned limit
            due = now + timedelta(hours=policy.resolve_hours("planned", trade))
            scheduled_for = due.replace(tzinfo=timezone.utc).astimezone(site_tz(site)).date()
        else:
            errors["scheduled_for"] = "A planned order needs the day it is scheduled for."
    zone_obj = None
    if zone is not None:
        zone_obj = Zone.get_or_none((Zone.id == _id(zone)) & (Zone.site == site.id))
        if zone_obj is None:
            errors["zone_id"] = "No such zone at this site."
    assignee_obj = None
    if assignee is not None:
        assignee_obj = User.get_or_none((User.id == _id(assignee)) & (User.active == True))  # noqa: E712
        if assignee_obj is None or not member_of_site(assignee_obj.id, site.id):
            errors["assignee_id"] = "No such active staff member at this site."
    elif zone_obj is not None and trade in TRADES:
        assignee_obj = zone_obj.responsible_for(trade)
    if errors:
        raise Invalid(errors)
    tz = site_tz(site)
    deadlines = order_deadlines(policy, priority, now, trade, item_resolve_hours(findings), scheduled_for, tz)
    status = "assigned" if assignee_obj else "open"
    if request_id or source == "request":  # made from an owner's request: nothing of the owner in any field
        names = owner_names(request_id)
        title, description = scrub(title, names), scrub(description, names)
    order = WorkOrder.create(
        site=site, zone=zone_obj, trade=trade, title=title[:255], description=description or "",
        priority=priority, status=status, source=source or ("finding" if findings else "manual"),
        request_id=request_id, assignee=assignee_obj, created_by=_id(created_by), created_at=now,
        scheduled_for=scheduled_for, respond_by=deadlines["respond_by"], resolve_by=deadlines["resolve_by"],
        assigned_at=now if assignee_obj else None, client_id=client_id)
    for f in findings:
        WorkOrderFinding.create(work_order=order, finding=f)
    if findings:
        Finding.update(status="in_work").where(Finding.id.in_([f.id for f in findings])).execute()
    add_event(order, "create", None, status, _id(created_by), data={
        "finding_ids": [f.id for f in findings], "assignee_id": assignee_obj.id if assignee_obj else None,
        "resolve_hours": deadlines["resolve_hours"], "request_id": request_id}, at=now)
    notify_events.order_created(order, now)
    return order


def create_from_findings(*, site, created_by, finding_ids, one_per_finding=False, client_id=None, **kw):
    """Several findings: one order covering them all, or one order per finding (each keeps its own
    trade, zone and priority). Returns the list of orders."""
    if not finding_ids:
        raise Invalid({"finding_ids": "Choose at least one finding."})
    if not one_per_finding:
        return [create_work_order(site=site, created_by=created_by, finding_ids=finding_ids,
                                  client_id=client_id, **kw)]
    orders = []
    for n, fid in enumerate(dict.fromkeys(finding_ids)):
        cid = None if client_id is None else (client_id if n == 0 else f"{client_id}:{n}")
        per = {k: v for k, v in kw.items() if k not in ("title", "trade", "zone", "priority")}
        orders.append(create_work_order(site=site, created_by=created_by, finding_ids=[fid], client_id=cid, **per))
    return orders


def orders_for_client_id(client_id):
    """Orders an earlier call with this client_id made (a retry gets them back)."""
    first = WorkOrder.get_or_none(WorkOrder.client_id == client_id)
    if first is None:
        return []
    more = list(WorkOrder.select().where(WorkOrder.client_id.startswith(client_id + ":")).order_by(WorkOrder.id))
    return [first] + more


def _order_findings(order):
    return list(Finding.select().join(WorkOrderFinding).where(WorkOrderFinding.work_order == order))


def transition(order, action, actor, *, assignee_id=None, note="", photo_ids=(), satisfied=None, now=None,
               policy=None, actor_site_ids=None):
    """Apply one action to an order (with its event); 409 for an illegal move, 403 for the wrong person,
    422 for missing input. Returns the order."""
    policy = policy or current_policy()
    now = now or utcnow()
    if action in TRANSITIONS:  # an unknown action is refused by check_transition (422)
        require(actor, f"work_order.{action}", order)
    to = check_transition(order.status, action)
    from_status = order.status
    data = {}
    findings = _order_findings(order)
    site = order.site
    if action == "assign":
        if assignee_id is None:
            default = order.zone.responsible_for(order.trade) if order.zone_id else None
            if default is None:
                raise Invalid({"assignee_id": "Choose who does the work (the zone has nobody responsible for this trade)."})
            assignee_id = default.id
        user = User.get_or_none((User.id == assignee_id) & (User.active == True))  # noqa: E712
        if user is None or not member_of_site(user.id, order.site_id):
            raise Invalid({"assignee_id": "No such active staff member at this site."})
        data = {"from_assignee_id": order.assignee_id, "assignee_id": user.id}
        order.assignee = user
        order.assigned_at = now
    elif action == "accept":
        if order.accepted_at is None:
            order.accepted_at = now
        order.resolve_by = resolve_by_after_accept(policy, order.priority, now, order.trade,
                                                   item_resolve_hours(findings), order.scheduled_for, site_tz(site))
    elif action == "start":
        order.started_at = order.started_at or now
    elif action == "finish":
        ids = list(dict.fromkeys(photo_ids or []))
        if not ids:
            raise Invalid({"photo_ids": "Finishing needs at least one after-photo of the repaired place."})
        visible = visible_photo_ids(ids, actor_site_ids if actor_site_ids is not None else [order.site_id])
        unknown = [p for p in ids if p not in visible]
        if unknown:
            raise Invalid({"photo_ids": f"No such photo: {', '.join(unknown)}."})
        for pid in ids:
            link_sites(pid, [order.site_id])  # the order's site may see its evidence
            WorkOrderPhoto.insert(work_order=order, photo=pid, kind="after").on_conflict_ignore().execute()
        order.done_at = now
        order.revisit_due = revisit_due(policy, now, site_tz(site))
        data = {"photo_ids": ids}
    elif action == "verify":
        if satisfied is None:
            raise Invalid({"satisfied": "Record whether the owner/inspector was satisfied with the repair."})
        data = {"satisfied": bool(satisfied)}
        if satisfied:
            to = "verified"
            order.verified_at = now
            if findings:
                Finding.update(status="resolved").where(Finding.id.in_([f.id for f in findings])).execute()
        else:
            to = _reopen(order, now, policy, findings)
    elif action == "reopen":
        to = _reopen(order, now, policy, findings)
    elif action == "cancel":
        order.cancelled_at = now
        if findings:
            Finding.update(status="open").where(Finding.id.in_([f.id for f in findings])
                                                & (Finding.status == "in_work")).execute()
    order.status = to
    order.save()
    add_event(order, action, from_status, to, actor, note, data or None, at=now)
    if action == "assign":
        notify_events.order_assigned(order, now)
    return order


def _reopen(order, now, policy, findings):
    """Rework (返修): back to the assignee (or the dispatch queue) with fresh limits counted from the
    reopening, as for a new order: respond by (2 h / 24 h) from now, finish within the time limit after
    that. The old respond_by would make it overdue, and escalated, the minute it is reopened."""
    order.reopen_count += 1
    order.done_at = None
    order.verified_at = None
    order.revisit_due = None
    order.escalation_level = 0
    order.escalated_at = None
    fresh = order_deadlines(policy, order.priority, now, order.trade, item_resolve_hours(findings), None,
                            site_tz(order.site))
    order.respond_by = fresh["respond_by"]
    order.resolve_by = fresh["resolve_by"]
    if findings:
        Finding.update(status="in_work").where(Finding.id.in_([f.id for f in findings])).execute()
    return "assigned" if order.assignee_id else "open"


# --- overdue orders move up by themselves ------------------------------------------------

def overdue_condition(now):
    """A peewee expression: not accepted by respond_by, or not done by resolve_by."""
    return (((WorkOrder.status.in_(("open", "assigned"))) & WorkOrder.respond_by.is_null(False)
             & (WorkOrder.respond_by < now))
            | ((WorkOrder.status.in_(OPEN_STATUSES)) & WorkOrder.resolve_by.is_null(False)
               & (WorkOrder.resolve_by < now)))


def order_missed(row, now):
    """The limit an open order has missed (response while not accepted, else completion), or None."""
    return missed_limit(row.status, row.respond_by, row.accepted_at, row.resolve_by, now,
                        ("open", "assigned"), OPEN_STATUSES)
