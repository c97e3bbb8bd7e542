"""Overdue work orders move up by themselves (level 1 supervisor, level 2 manager)."""
from api.domain import workorders as wo
from api.domain.deadlines import escalation_level_for, level_reached_at
from api.domain.policy import current_policy
from api.models import WorkOrder, utcnow
from api.notify import events as notify_events


def escalate_overdue(now=None, site_ids=None, policy=None):
    """Raise overdue orders to level 1 (supervisor), then 2 (manager), at the minutes the policy
    gives counted from the missed limit (the same engine as service requests), whenever this runs.
    Each step is one conditional update and one event, so concurrent runs make it once.
    Returns [(order_id, level)] for the steps this call made. Call inside a write transaction."""
    policy = policy or current_policy()
    now = now or utcnow()
    esc = policy["work_orders"]["escalation"]
    q = (WorkOrder.select(WorkOrder.id, WorkOrder.site, WorkOrder.status, WorkOrder.escalation_level,
                          WorkOrder.respond_by, WorkOrder.accepted_at, WorkOrder.resolve_by)
         .where(wo.overdue_condition(now) & (WorkOrder.escalation_level < 2)))
    if site_ids is not None:
        q = q.where(WorkOrder.site.in_(list(site_ids)))
    done = []
    for row in q:
        missed = wo.order_missed(row, now)
        target = escalation_level_for(missed, now, esc)
        for level in range(row.escalation_level + 1, target + 1):
            n = (WorkOrder.update(escalation_level=level, escalated_at=now)
                 .where((WorkOrder.id == row.id) & (WorkOrder.escalation_level == level - 1)
                        & WorkOrder.status.in_(wo.OPEN_STATUSES)).execute())
            if not n:
                break
            kind = "respond" if missed == row.respond_by and row.status in ("open", "assigned") else "resolve"
            wo.add_event(row.id, "escalate", row.status, row.status, None,
                   note=("上报主管 / escalated to the supervisor" if level == 1 else "上报经理 / escalated to the manager"),
                   data={"level": level, "overdue": kind, "missed_limit": missed.isoformat(),
                         "since": level_reached_at(missed, level, esc).isoformat()}, at=now)
            notify_events.order_escalated(row.id, level, kind, missed, now)
            done.append((row.id, level))
    return done
