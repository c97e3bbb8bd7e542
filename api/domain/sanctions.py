"""Sanctions recorded on the ledger line, and the supervisor's share of a fault verified.

- 004 4.2.3 違規責任人每月累計扣分達11~15分，除按扣分進行處罰以外，另對其做出行政警告、行政罰款、行政記過等行政處分:
  in the sanction tier a manager records which sanction it was (warning, fine with its amount, demerit);
- 004 4.2.4 每月累計扣分達20分以上，作開除處理: in the dismissal tier the dismissal is recorded, and then
  that it was carried out (who, when);
- 003 第十九條 隱瞞投訴、漏記或漏報者除在本部門公開檢討外，情節嚴重的，當月只發放基本工資，造成惡劣影響的作解聘處理:
  after a fault notice for a hidden or missed complaint, a public self-criticism, basic wage only that
  month, or dismissal — a consequence, not more points;
- 004 4.2.6 若員工違規相關直屬上司負有管理責任並經查實: someone above the supervisor verifies the share and says
  what they found; verified, the 70/30 split applies to the notice.

The tier is the person's (company-wide, by policy) points of the month on the ledger. Sanctions land in
the month's ledger (``attach``): the fine in the line's total, basic wage only as a flag payroll carries.
A closed month takes no new sanction. Callers own the transaction (``write_tx``) and the audit.
"""
from decimal import Decimal

from peewee import IntegrityError

from api.db import db, locked, relock
from api.domain import deductions as dd
from api.domain.errors import Conflict, Forbidden, Invalid, NotFound
from api.domain.ledger import ZERO, fen
from api.domain.permissions import require
from api.domain.policy import current_policy
from api.domain.workorders import member_of_site
from api.models import (SANCTION_KINDS, Deduction, Sanction, ServiceRequest, SupervisorVerification, User,
                        utcnow)

NAMES = {"warning": ("行政警告", "administrative warning"), "fine": ("行政罚款", "administrative fine"),
         "demerit": ("行政记过", "administrative demerit"), "dismissal": ("开除/解聘", "dismissal"),
         "basic_wage_only": ("当月只发基本工资", "basic wage only this month"),
         "self_criticism": ("本部门公开检讨", "public self-criticism in the department")}
TIER_KINDS = {"warning": "sanction", "fine": "sanction", "demerit": "sanction", "dismissal": "dismissal"}
COMPLAINT_KINDS = ("self_criticism", "basic_wage_only", "dismissal")
COMPLAINT_FAULTS = ("request:hidden", "request:late_registration")


def record(site, month, staff_id, kind, by, reason, amount=None, request_id=None, now=None, policy=None):
    """Record a sanction for a person's month at a site. Returns the Sanction."""
    policy = policy or current_policy()
    now = now or utcnow()
    require(by, "sanction.create")
    dd.check_month(month, field="month")
    errors = {}
    if kind not in SANCTION_KINDS:
        errors["kind"] = "One of warning, fine, demerit, dismissal, basic_wage_only, self_criticism."
    if not (reason or "").strip():
        errors["reason"] = "Say what was decided and why."
    staff = User.get_or_none(User.id == staff_id)
    if staff is None or not member_of_site(staff_id, site.id):
        errors["staff_id"] = "No such staff member at this site."
    if kind == "fine" and (amount is None or Decimal(amount) <= 0):
        errors["amount"] = "An administrative fine needs its amount in yuan."
    elif kind != "fine" and amount:
        errors["amount"] = "Only an administrative fine has an amount."
    if errors:
        raise Invalid(errors)
    dd.lock_month(site.id, month)
    if dd.is_closed(site.id, month):
        raise Conflict(f"The {month} ledger of this site is closed: record the sanction in an open month.")
    if request_id is None:
        if kind not in TIER_KINDS:
            raise Invalid({"request_id": "Basic wage only and self-criticism follow a hidden or missed complaint: "
                                         "name the request."})
        line = next((ln for ln in dd.compute_month(site, month, policy)["lines"] if ln["staff_id"] == staff_id), None)
        points = line["company_points"] if line else 0
        tier = line["tier"] if line else "none"
        needed = TIER_KINDS[kind]
        if tier != needed:
            raise Conflict(f"{points} points this month are not in the {needed} tier: this sanction does not apply.")
    else:
        request = ServiceRequest.get_or_none((ServiceRequest.id == request_id) & (ServiceRequest.site == site.id))
        if request is None:
            raise Invalid({"request_id": "No such service request at this site."})
        if kind not in COMPLAINT_KINDS:
            raise Invalid({"kind": "For a hidden or missed complaint: self_criticism, basic_wage_only or dismissal."})
        if not Deduction.select().where((Deduction.request_id == request_id) & (Deduction.staff == staff_id)
                                        & Deduction.problem_key.in_(COMPLAINT_FAULTS)
                                        & (Deduction.status == "active")).exists():
            raise Conflict("No fault notice for hiding or missing this complaint names this person: issue it first.")
    try:
        with db.atomic():
            return Sanction.create(site=site.id, month=month, staff=staff_id, kind=kind,
                                   amount=fen(amount) if kind == "fine" else ZERO, reason=reason.strip(),
                                   request=request_id, decided_by=by.id, decided_at=now)
    except IntegrityError:
        raise Conflict("This sanction is already recorded for this person and month.")


def carry_out(sanction_id, by, note, site_ids, now=None):
    """Record that a dismissal was carried out (who, when)."""
    now = now or utcnow()
    require(by, "sanction.carry_out")
    s = locked(Sanction, (Sanction.id == sanction_id) & Sanction.site.in_(list(site_ids)))
    if s is None:
        raise NotFound("No such sanction.")
    if s.kind != "dismissal":
        raise Conflict("Only a dismissal is carried out.")
    if s.carried_out_at is not None:
        raise Conflict("This dismissal was already carried out.")
    s.carried_out_by = by.id
    s.carried_out_at = now
    s.carried_out_note = (note or "").strip()
    s.save()
    return s


def verify_supervisor(d, by, verified, finding, now=None):
    """经查实: someone above the supervisor records whether the supervisor shares the fault and what they
    found; verified, the notice is split 70/30. Once per notice, while its month is open."""
    now = now or utcnow()
    require(by, "deduction.verify_supervisor_share", d)
    if not (finding or "").strip():
        raise Invalid({"finding": "Write down what was found."})
    d = relock(d)
    if d.supervisor_id is None:
        raise Conflict("This staff member has no direct supervisor on record.")
    if by.id in (d.supervisor_id, d.staff_id):
        raise Forbidden("The supervisor's share is verified by someone else.")
    if d.status != "active" or d.reverses_id is not None:
        raise Conflict("Only an active fault notice is verified.")
    dd.lock_month(d.site_id, d.month)
    if dd.is_closed(d.site_id, d.month):
        raise Conflict(f"The {d.month} ledger of this site is closed.")
    if SupervisorVerification.select().where(SupervisorVerification.deduction == d.id).exists():
        raise Conflict("The supervisor's share of this notice was already verified.")
    v = SupervisorVerification.create(deduction=d.id, verified=bool(verified), finding=finding.strip(),
                                      verified_by=by.id, verified_at=now)
    d.supervisor_shares = bool(verified)
    d.save()
    return v


def _plain(s):
    zh, en = NAMES.get(s.kind, (s.kind, s.kind))
    return {"id": s.id, "kind": s.kind, "name": zh, "name_en": en, "amount": fen(s.amount), "reason": s.reason,
            "request_id": s.request_id, "decided_by_id": s.decided_by_id, "decided_at": s.decided_at,
            "carried_out_by_id": s.carried_out_by_id, "carried_out_at": s.carried_out_at,
            "carried_out_note": s.carried_out_note}


def attach(body, site, month):
    """Put the month's sanctions on the ledger lines: the administrative fine in the total, basic wage
    only as a flag. Returns ``body``."""
    by_staff = {}
    for s in Sanction.select().where((Sanction.site == site.id) & (Sanction.month == month)).order_by(Sanction.id):
        by_staff.setdefault(s.staff_id, []).append(_plain(s))
    added = ZERO
    for ln in body["lines"]:
        mine = by_staff.get(ln["staff_id"], [])
        ln["sanctions"] = mine
        ln["sanction_fine"] = sum((x["amount"] for x in mine if x["kind"] == "fine"), ZERO)
        ln["basic_wage_only"] = any(x["kind"] == "basic_wage_only" for x in mine)
        ln["total"] += ln["sanction_fine"]
        added += ln["sanction_fine"]
    body["totals"]["sanction_fine"] = added
    body["totals"]["total"] += added
    return body


def snapshot(s):
    out = _plain(s)
    return {k: (str(v) if isinstance(v, Decimal) else v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in dict(out, site_id=s.site_id, month=s.month, staff_id=s.staff_id).items()}
