"""The month's ledger sent to finance (seed 004 4.1.5 管理處每月1-5日匯總上月員工處罰情況報送公司財務部與工資掛鉤).

A manager records the hand-over: who sent it, to whom in finance, when, and whether it was by the
policy's day (``deductions.ledger_due_day``). Sending closes the month first if it is still open
(the payroll finance receives is the frozen snapshot), and happens once per site and month. Callers
own the transaction (``write_tx``) and the audit.
"""
from datetime import timezone

from peewee import IntegrityError

from api.db import db
from api.domain import deductions as dd
from api.domain.errors import Conflict, Invalid
from api.domain.ledger import jsonable
from api.domain.permissions import require
from api.domain.policy import current_policy
from api.domain.workorders import site_tz
from api.models import LedgerHandover, LedgerMonth, utcnow


def send_to_finance(site, month, by, sent_to, note="", now=None, policy=None):
    """Record the hand-over (closing the month if needed). Returns ``(handover, closed_now)``."""
    policy = policy or current_policy()
    now = now or utcnow()
    require(by, "ledger.handover")
    dd.check_month(month)
    if not (sent_to or "").strip():
        raise Invalid({"sent_to": "Say who in finance received it."})
    dd.lock_month(site.id, month)
    if LedgerHandover.select().where((LedgerHandover.site == site.id) & (LedgerHandover.month == month)).exists():
        raise Conflict(f"The {month} ledger of this site was already sent to finance.")
    closed_now = None
    if not dd.is_closed(site.id, month):
        closed_now = dd.close_month(site, month, by, now=now, policy=policy)
    ledger = dd.ledger_for(site, month, policy, now)
    due = dd.ledger_due_date(month, policy)
    local_day = now.replace(tzinfo=timezone.utc).astimezone(site_tz(site)).date()
    try:
        with db.atomic():
            h = LedgerHandover.create(site=site.id, month=month, sent_by=by.id, sent_at=now, sent_to=sent_to.strip(),
                                      note=(note or "").strip(), on_time=local_day <= due,
                                      totals=jsonable(ledger["totals"]))
    except IntegrityError:  # sent by someone else a moment ago
        raise Conflict(f"The {month} ledger of this site was already sent to finance.")
    return h, closed_now


def handover_of(site, month):
    return LedgerHandover.get_or_none((LedgerHandover.site == site.id) & (LedgerHandover.month == month))


def snapshot(h):
    return {"id": h.id, "site_id": h.site_id, "month": h.month, "sent_by_id": h.sent_by_id,
            "sent_at": h.sent_at.isoformat(), "sent_to": h.sent_to, "note": h.note, "on_time": h.on_time,
            "totals": h.totals}


def closed_by_month(site, month):
    return LedgerMonth.get_or_none((LedgerMonth.site == site.id) & (LedgerMonth.month == month))
