"""Lazy upkeep of requests: escalating overdue ones, and following their linked work orders."""
from api.domain import workorders as wo
from api.domain.deadlines import escalation_level_for, level_reached_at, revisit_due as order_revisit_due
from api.domain.policy import current_policy
from api.domain.service_requests.desk import add_event, linked_orders
from api.domain.service_requests.limits import to_local, missed_limit, site_tz
from api.domain.service_requests.terms import ACTIVE, LEVEL_NAMES
from api.models import ServiceRequest, WorkOrder, utcnow
from api.notify import events as notify_events


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
            add_event(row.id, "escalate", None,
                   note=f"{what}（时限 {to_local(missed, policy.tz).strftime('%m月%d日 %H:%M')}），上报{LEVEL_NAMES[level]}",
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
                    add_event(req, "orders_reopened", None, note="工单被退回返工，客服单随之重开 / an order was reopened",
                           data={"from": "done", "to": "transferred"}, at=now)
                    changed.append(req.id)
            continue
        if live and all(o.status == "verified" for o in live):
            done_at = max(o.verified_at or now for o in live)
            n = (ServiceRequest.update(status="done", done_at=done_at,
                                       revisit_due=order_revisit_due(policy, done_at, site_tz(req.site)))
                 .where((ServiceRequest.id == req.id) & (ServiceRequest.status == "transferred")).execute())
            if n:
                add_event(req, "complete", None, note="工单均已验收 / all work orders verified",
                       data={"work_order_ids": [o.id for o in live], "from": "transferred", "to": "done"}, at=now)
                changed.append(req.id)
        elif orders and not live:
            n = (ServiceRequest.update(status="handling")
                 .where((ServiceRequest.id == req.id) & (ServiceRequest.status == "transferred")).execute())
            if n:
                add_event(req, "orders_cancelled", None, note="工单已取消，退回客服处理 / orders cancelled, back to the desk",
                       data={"from": "transferred", "to": "handling"}, at=now)
                changed.append(req.id)
    return changed


def upkeep(now=None, site_ids=None, policy=None):
    """Both lazy jobs; returns ``{"escalated": [...], "completed": [...]}``."""
    policy = policy or current_policy()
    now = now or utcnow()
    return {"completed": follow_orders(now, site_ids, policy), "escalated": escalate_overdue(now, site_ids, policy)}
