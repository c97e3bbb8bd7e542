"""What a caller is shown of a work order or a service request: the rules that decide what an answer
says (the caller's allowed actions, the owner's privacy, countdowns, lateness), kept out of the
serialisers so the API, exports and tests read the same rule. Pure: values in, a dict out.

``api/resources/*/schemas.py`` put these dicts on the wire; they decide nothing themselves.
"""
from datetime import timedelta

from api.domain import permissions
from api.domain.deadlines import overdue_kind, seconds_left
from api.domain.service_requests.limits import missed_limit
from api.domain.service_requests.privacy import mask_name, mask_phone, scrub_owner
from api.domain.vocabulary import REQUEST_ACTIVE, WORK_ORDER_OPEN, WORK_ORDER_STATUSES


def work_order_view(order, viewer, now):
    """Allowed actions for ``viewer`` (None: none) now and in every status (the phone's next step after
    one it queued offline), the overdue flag and the countdowns at ``now``."""
    by_status = {s: permissions.work_order_actions(order, viewer, s) if viewer is not None else []
                 for s in WORK_ORDER_STATUSES}
    return {
        "allowed_actions": by_status[order.status],
        "actions_by_status": {s: a for s, a in by_status.items() if a},
        "overdue": overdue_kind(order, now),
        "respond_seconds_left": seconds_left(order.respond_by, now) if order.status in ("open", "assigned") else None,
        "resolve_seconds_left": seconds_left(order.resolve_by, now) if order.status in WORK_ORDER_OPEN else None,
        "revisit_seconds_left": seconds_left(order.revisit_due, now) if order.status == "done" else None,
    }


def owner_view(req, reveal):
    """The owner's name, phone and words: as written when ``reveal`` (the caller may see them and asked,
    audited), else masked, and the owner's name and any phone number scrubbed from the free text."""
    if reveal:
        return {"owner_name": req.owner_name, "owner_phone": req.owner_phone, "owner_masked": False,
                "description": req.description, "owner_ask": req.owner_ask}
    return {"owner_name": mask_name(req.owner_name), "owner_phone": mask_phone(req.owner_phone),
            "owner_masked": True,
            "description": scrub_owner(req.description, req.owner_name, req.owner_phone),
            "owner_ask": scrub_owner(req.owner_ask, req.owner_name, req.owner_phone)}


def event_note(note, req, reveal):
    """A note in the request's history: the owner's name scrubbed unless revealed."""
    return note if reveal else scrub_owner(note, req.owner_name)


def registered_late(req, policy):
    """Registered later than the policy allows after the owner called or came (漏记/迟报)."""
    return req.created_at - req.received_at > timedelta(hours=policy["complaints"]["register_within_hours"])


def request_view(req, viewer, now, policy, reveal=False):
    """Everything a request's answer says that a rule decides, for ``viewer`` at ``now``."""
    return {
        **owner_view(req, reveal),
        "allowed_actions": permissions.request_actions(req, viewer) if viewer is not None else [],
        "overdue": missed_limit(req.status, req.respond_by, req.responded_at, req.due_at, now) is not None,
        "due_seconds_left": seconds_left(req.due_at, now) if req.due_at and req.status in REQUEST_ACTIVE else None,
        "registered_late": registered_late(req, policy),
        "revisit_overdue": req.status == "done" and req.revisit_due is not None and req.revisit_due < now,
    }
