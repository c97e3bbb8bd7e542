"""The one-line hooks the domain calls when something should tell someone. Each builds the
message's plain values and calls ``notify`` in the caller's transaction."""
from api.notify import base_url, console_url, notify, order_link

SUPERVISORS = ("supervisor", "manager")


def _iso(dt):
    return dt.isoformat() if dt else None


def order_params(order):
    zone = order.zone.name if order.zone_id else ""
    return {"id": order.id, "title": order.title, "site": order.site.name, "place": zone,
            "priority": order.priority, "respond_by": _iso(order.respond_by), "resolve_by": _iso(order.resolve_by)}


def order_created(order, now=None):
    """A new order: its assignee hears of it; an emergency order goes to the site's group too."""
    if order.assignee_id:
        order_assigned(order, now)
    if order.priority == "emergency":
        notify("emergency_order", site=order.site, key=f"emergency_order:{order.id}", zone_id=order.zone_id,
               roles=SUPERVISORS, params=order_params(order), link=order_link(order.id), now=now)


def order_assigned(order, now=None):
    """The assignee's phone shows the order (each assignment once)."""
    at = _iso(order.assigned_at) or ""
    notify("work_order_assigned", site=order.site, key=f"assigned:{order.id}:{order.assignee_id}:{at}",
           users=[order.assignee_id], channels=False, urgent=order.priority == "emergency",
           params=order_params(order), link=order_link(order.id), now=now)


def order_escalated(order_id, level, overdue, missed, now=None):
    from api.models import WorkOrder

    order = WorkOrder.get_by_id(order_id)
    users = [order.assignee.supervisor_id] if order.assignee_id and order.assignee.supervisor_id else []
    notify("work_order_escalated", site=order.site, key=f"wo_escalated:{order.id}:{level}:{missed.isoformat()}",
           zone_id=order.zone_id, users=users, roles=("supervisor",) if level == 1 else ("manager",),
           params=dict(order_params(order), level=level, overdue=overdue, deadline=missed.isoformat()),
           link=order_link(order.id), now=now)


def emergency_finding(finding, reporter_name="", now=None):
    """A guard's emergency report reaches the supervisors and the site's group at once."""
    if finding.priority != "emergency":
        return 0
    from api.models import Checkpoint, Site, Zone

    site = Site.get_by_id(finding.site_id)
    zone = Zone.get_or_none(Zone.id == finding.zone_id) if finding.zone_id else None
    cp = Checkpoint.get_or_none(Checkpoint.id == finding.checkpoint_id) if finding.checkpoint_id else None
    extra_place = (finding.extra or {}).get("place") or ""
    place = " ".join(x for x in ((zone.name if zone else ""), (cp.name if cp else ""),
                                 ("" if extra_place in finding.title else extra_place)) if x)
    note = finding.note or ""
    return notify("emergency_finding", site=site, key=f"emergency_finding:{finding.id}", zone_id=finding.zone_id,
                  roles=SUPERVISORS, now=now, link=f"{console_url()}/",
                  params={"id": finding.id, "title": finding.title, "site": site.name, "place": place,
                          "by": reporter_name, "note": "" if note in finding.title else note[:200]})


def request_escalated(request_id, level, missed, now=None):
    from api.domain.service_requests.privacy import location_text
    from api.models import ServiceRequest

    req = ServiceRequest.get_by_id(request_id)
    return notify("request_escalated", site=req.site, key=f"req_escalated:{req.id}:{level}:{_iso(missed) or ''}",
                  zone_id=req.zone_id, roles=("supervisor",) if level == 1 else ("manager",), now=now,
                  link=f"{console_url()}/",
                  params={"id": req.id, "kind": req.kind, "level": level, "site": req.site.name,
                          "place": location_text(req.building, req.unit, req.room, req.public_area),
                          "deadline": _iso(missed)})


def appeal_filed(deduction, appeal, now=None):
    from api.models import Site, User

    staff = User.get_by_id(deduction.staff_id)
    return notify("appeal_filed", site=Site.get_by_id(deduction.site_id), key=f"appeal_filed:{appeal.id}",
                  roles=("manager",), now=now, link=f"{console_url()}/",
                  params={"id": deduction.id, "staff": staff.name, "points": deduction.points,
                          "reason": (appeal.reason or "")[:200]})


def appeal_decided(deduction, appeal, now=None):
    from api.models import Site

    return notify("appeal_decided", site=Site.get_by_id(deduction.site_id), key=f"appeal_decided:{appeal.id}",
                  users=[deduction.staff_id, appeal.filed_by_id], channels=False, now=now, link=f"{base_url()}/m/",
                  params={"id": deduction.id, "upheld": appeal.status == "upheld",
                          "reason": (appeal.decision_reason or "")[:200]})


def emergency_findings(findings, reporter_name="", now=None):
    """Every emergency finding of an inspection, as ``emergency_finding``."""
    return sum(emergency_finding(f, reporter_name, now) for f in findings if f.priority == "emergency")
