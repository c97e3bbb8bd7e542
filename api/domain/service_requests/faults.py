"""Staff fault notices (员工过失通知单) raised from a request: hidden, registered late, run overdue."""
from peewee import IntegrityError

from api.db import db
from api.domain.errors import Conflict, Invalid
from api.domain.service_requests.desk import add_event
from api.domain.service_requests.limits import missed_limit
from api.domain.service_requests.terms import FAULT_NAMES, FAULTS, KIND_NAMES
from api.models import utcnow


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
    add_event(req, "fault", actor, note, {"deduction_id": d.id, "fault": fault, "staff_id": staff_id,
                                       "points": points}, at=now)
    return d
