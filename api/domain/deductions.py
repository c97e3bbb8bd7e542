"""Staff fault notices (员工过失通知单) and closing the monthly ledger (appeals: ``api/domain/appeals.py``).

A deduction belongs to the month of ``occurred_at`` in the site's time zone. A closed month never
changes: a new deduction dated in it is refused (409), and an appeal upheld after closing books a
reversing entry (negative points, ``reverses`` = the original) into the next open month, together
with the corrections (``LedgerCorrection``) the recomputed closed month calls for: an extra fine no
longer due, a supervisor's share of a repeat that is no longer one. The closed month's snapshot is
never edited. Callers own the transaction (``write_tx``) and the audit.

Closing a month and adding or voiding a notice in it take the same per-(site, month) lock (a
transaction-scoped advisory lock on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises
writers), so a notice either lands before the snapshot and is in it, or is refused.
"""
import re
from datetime import date, timezone
from decimal import Decimal

from peewee import SQL, Case, IntegrityError, fn

from api.sql import compiled, slot
from api.db import db, is_postgres
from api.domain.deadlines import month_of, next_month
from api.domain.ledger import (ZERO, Correction, Row, company_books_fine, correction_amounts, jsonable,
                               ledger_from_tallies, reversal_split)
from api.domain.photos import link_sites, visible_photo_ids
from api.domain.policy import current_policy, policy_for_month
from api.domain.privacy import scrub
from api.models.org import above
from api.domain.workorders import member_of_site, site_tz
from api.domain.errors import Conflict, Forbidden, Invalid
from api.domain.permissions import require
from api.models import (Appeal, Deduction, DeductionPhoto, Finding, LedgerCorrection, LedgerMonth, ServiceRequest,
                        Site, User, WorkOrder, utcnow)

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_month(month, field="month"):
    if not isinstance(month, str) or not MONTH_RE.match(month):
        raise Invalid({field: "A month as YYYY-MM, e.g. 2026-03."}, location="path" if field == "month" else "json")
    return month


def lock_month(site_id, month):
    """Hold the (site, month) ledger lock until the transaction ends (PostgreSQL; SQLite's writers are
    already serialised by ``write_tx``). Two 32-bit keys: site id and YYYYMM, no hashing, no collisions."""
    if is_postgres():
        db.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (int(site_id), int(month[:4]) * 100 + int(month[5:7])))


def lock_open_month(site_id, after_month):
    """The next open month after ``after_month``, locked (a month closed while we waited is skipped)."""
    month = next_open_month(site_id, after_month)
    lock_month(site_id, month)
    while is_closed(site_id, month):
        month = next_open_month(site_id, month)
        lock_month(site_id, month)
    return month


def is_closed(site_id, month):
    return LedgerMonth.select().where((LedgerMonth.site == site_id) & (LedgerMonth.month == month)).exists()


def next_open_month(site_id, after_month):
    """The first month after ``after_month`` whose ledger is still open at this site."""
    closed = {m.month for m in LedgerMonth.select(LedgerMonth.month).where(
        (LedgerMonth.site == site_id) & (LedgerMonth.month > after_month))}
    month = next_month(after_month)
    while month in closed:
        month = next_month(month)
    return month


def ledger_due_date(month, policy):
    """The ledger goes to finance by this day of the following month (每月 1–5 日)."""
    nxt = next_month(month)
    return date(int(nxt[:4]), int(nxt[5:7]), policy["deductions"]["ledger_due_day"])


def _site(site):
    return site if isinstance(site, Site) else Site.get_by_id(site)


def create_deduction(*, site, created_by, staff_id=None, points=None, reason=None, problem_key=None,
                     occurred_at=None, finding_id=None, request_id=None, work_order_id=None, photo_ids=(),
                     supervisor_shares=False, client_id=None, now=None, policy=None, actor_site_ids=None):
    """A fault notice from a finding, a complaint request or by hand; defaults come from the source."""
    given_policy = policy
    policy = policy or current_policy()
    now = now or utcnow()
    site = _site(site)
    errors = {}
    finding = request = None
    if finding_id is not None:
        finding = Finding.get_or_none((Finding.id == finding_id) & (Finding.site == site.id))
        if finding is None:
            errors["finding_id"] = "No such finding at this site."
        else:
            if staff_id is None:
                responsible = finding.zone.responsible_for(finding.trade)
                staff_id = responsible.id if responsible else None
                if staff_id is None:
                    errors["staff_id"] = "The zone has nobody responsible for this trade: choose the staff member."
            points = points if points is not None else (finding.points or None)
            if problem_key is None:
                problem_key = (f"{finding.checklist_key}:{finding.item_key}" if finding.checklist_key and finding.item_key
                               else f"adhoc:{finding.trade}:{finding.title}"[:120])
            reason = reason or (finding.title + (f"：{finding.note}" if finding.note else ""))
            occurred_at = occurred_at or finding.created_at
    if request_id is not None:
        request = ServiceRequest.get_or_none((ServiceRequest.id == request_id) & (ServiceRequest.site == site.id))
        if request is None:
            errors["request_id"] = "No such service request at this site."
        else:
            problem_key = problem_key or f"request:{request.kind}"
            reason = reason or f"投诉/报修处理过失：{request.description[:200]}"
            reason = scrub(reason, [request.owner_name])  # the penalised person reads it
            occurred_at = occurred_at or request.received_at
    if work_order_id is not None and not WorkOrder.select().where(
            (WorkOrder.id == work_order_id) & (WorkOrder.site == site.id)).exists():
        errors["work_order_id"] = "No such work order at this site."
    staff = None
    if staff_id is None:
        errors.setdefault("staff_id", "Say who is penalised.")
    else:
        staff = User.get_or_none((User.id == staff_id) & (User.active == True))  # noqa: E712
        if staff is None or not member_of_site(staff.id, site.id):
            errors["staff_id"] = "No such active staff member at this site."
        elif getattr(created_by, "role", None) and above(staff.role, created_by.role):
            raise Forbidden("Nobody gives fault points to someone above them.")
    if points is None:
        errors["points"] = "How many points (the finding carries none)."
    elif not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        errors["points"] = "Points are a whole number above zero."
    if not reason:
        errors["reason"] = "Say what the fault was."
    if not problem_key:
        errors["problem_key"] = "Name the problem (the same key across a month counts repeats)."
    occurred_at = occurred_at or now
    if occurred_at > now:
        errors["occurred_at"] = "A fault cannot be dated in the future."
    ids = list(dict.fromkeys(photo_ids or []))
    if ids:
        visible = visible_photo_ids(ids, actor_site_ids if actor_site_ids is not None else [site.id])
        unknown = [p for p in ids if p not in visible]
        if unknown:
            errors["photo_ids"] = f"No such photo: {', '.join(unknown)}."
    if errors:
        raise Invalid(errors)
    month = month_of(occurred_at, site_tz(site))
    lock_month(site.id, month)
    if is_closed(site.id, month):
        raise Conflict(f"The {month} ledger of this site is closed: nothing dated in it can be added. "
                       f"Date the notice in an open month, or correct it there.")
    d = Deduction.create(site=site, staff=staff, supervisor=staff.supervisor_id, supervisor_shares=bool(supervisor_shares),
                         points=points, reason=reason,
                         yuan_per_point=(given_policy or policy_for_month(month)).yuan_per_point, problem_key=problem_key[:120],
                         month=month, occurred_at=occurred_at, finding=finding, work_order=work_order_id,
                         request_id=request_id, created_by=created_by, created_at=now, client_id=client_id)
    for pid in ids:
        link_sites(pid, [site.id])
        DeductionPhoto.insert(deduction=d, photo=pid).on_conflict_ignore().execute()
    return d


def snapshot(d):
    """A deduction as the audit log keeps it (before/after)."""
    return {"id": d.id, "staff_id": d.staff_id, "points": d.points, "yuan_per_point": str(d.yuan_per_point),
            "month": d.month, "status": d.status, "problem_key": d.problem_key,
            "supervisor_shares": d.supervisor_shares, "reverses_id": d.reverses_id}


# --- the ledger ------------------------------------------------------------------------

def ledger_row(d):
    return Row(id=d.id, staff_id=d.staff_id, points=d.points, yuan_per_point=Decimal(d.yuan_per_point),
               problem_key=d.problem_key, supervisor_id=d.supervisor_id, supervisor_shares=d.supervisor_shares,
               status=d.status, reverses_id=d.reverses_id)


def _people(ids):
    return {u.id: {"name": u.name, "username": u.username}
            for u in User.select(User.id, User.name, User.username).where(User.id.in_(list(ids)))} if ids else {}


def _tallies(without_reversed):
    """One row per (person, problem, supervisor, rate) of a site's month: a covering index
    (models/deductions.py) hands them over in this order, so the database neither reads the table
    nor sorts. Built by peewee once per process."""
    def build():
        D = Deduction
        q = (D.select(D.staff, D.problem_key, D.supervisor, D.yuan_per_point, fn.COUNT(SQL("*")), fn.SUM(D.points),
                      fn.SUM(Case(None, [(D.supervisor_shares, D.points)], 0)))
             .where((D.site == slot("site")) & (D.month == slot("month")) & (D.status == "active")
                    & D.reverses.is_null()))
        if without_reversed:
            Rev = D.alias()
            q = q.where(D.id.not_in(Rev.select(Rev.reverses).where(
                (Rev.site == slot("site")) & Rev.reverses.is_null(False) & (Rev.status == "active"))))
        return q.group_by(D.staff, D.problem_key, D.supervisor, D.yuan_per_point)

    return compiled(("month_tallies", without_reversed), build)


def compute_month(site, month, policy=None, without_reversed=False):
    """The live ledger of a site's month, from per-person, per-problem aggregates of its notices.

    ``without_reversed``: as if the notices reversed since (appeals upheld after closing) had been voided.
    """
    policy = policy or policy_for_month(month)
    D = Deduction
    # the rows are Tally-shaped tuples: handed over as the driver gives them (rates made Decimal once each)
    tallies = _tallies(without_reversed).execute(site=site.id, month=month).fetchall()
    reversals = [ledger_row(d) for d in D.select(D.id, D.staff, D.points, D.yuan_per_point, D.problem_key, D.supervisor,
                                           D.supervisor_shares, D.status, D.reverses)
                 .where((D.site == site.id) & (D.month == month) & (D.status == "active") & D.reverses.is_null(False))]
    corrections = [Correction(c.staff_id, c.corrects_month, Decimal(c.amount), c.reason, Decimal(c.extra_fine))
                   for c in LedgerCorrection.select().where((LedgerCorrection.site == site.id)
                                                            & (LedgerCorrection.month == month))
                   .order_by(LedgerCorrection.id)]
    ids = ({t[0] for t in tallies} | {t[2] for t in tallies if t[2]}
           | {r.staff_id for r in reversals} | {r.supervisor_id for r in reversals if r.supervisor_id}
           | {c.staff_id for c in corrections})
    company = company_points(site, month, {t[0] for t in tallies}, policy, without_reversed)
    from api.domain import performance, sanctions  # sanctions (004 4.2.3) and the second scheme's results

    body = sanctions.attach(ledger_from_tallies(tallies, reversals, policy, _people(ids), corrections, company),
                            site, month)
    return performance.attach(body, site, month, policy)


def company_points(site, month, staff_ids, policy, without_reversed=False):
    """Per person: (points this month at every site, whether this site books their extra fine), when
    policy counts points per person across the company (seed 004 4.2.2 違規責任人每月累計扣分);
    ``None`` when it counts them per management office (``deductions.count_points_per: site``)."""
    if policy["deductions"].get("count_points_per", "person") != "person" or not staff_ids:
        return None
    D = Deduction
    q = (D.select(D.staff, D.site, fn.SUM(D.points).alias("pts"))
         .where((D.month == month) & (D.status == "active") & D.reverses.is_null() & D.staff.in_(list(staff_ids)))
         .group_by(D.staff, D.site))
    if without_reversed:
        Rev = D.alias()
        q = q.where(D.id.not_in(Rev.select(Rev.reverses).where(Rev.reverses.is_null(False) & (Rev.status == "active"))))
    by_person = {}
    for r in q.namedtuples():
        by_person.setdefault(r.staff, {})[r.site] = int(r.pts or 0)
    return {uid: (sum(by_site.values()), company_books_fine(by_site, site.id)) for uid, by_site in by_person.items()}


def book_corrections(d, month, by, now, policy):
    """After ``d``'s appeal was upheld in its closed month: book into ``month`` what the recomputed
    closed month differs from its snapshot by, beyond what reversing entries and earlier corrections
    of that month already gave back. Returns the new ``LedgerCorrection`` rows."""
    site = d.site
    closed = LedgerMonth.get((LedgerMonth.site == d.site_id) & (LedgerMonth.month == d.month))
    # rows of a closed month never change, so without a snapshot the month as it stands is the one closed
    at_close = (_decimals(closed.snapshot) if closed.snapshot else compute_month(site, d.month, policy))["lines"]
    recomputed = compute_month(site, d.month, policy, without_reversed=True)["lines"]
    pct = policy["deductions"]["supervisor_split"]["supervisor_percent"]
    booked = {}

    def add(uid, amount, fine=ZERO):
        paid, paid_fine = booked.get(uid, (ZERO, ZERO))
        booked[uid] = (paid + amount, paid_fine + fine)

    Original = Deduction.alias()
    for rev in (Deduction.select().join(Original, on=(Deduction.reverses == Original.id))
                .where((Original.site == d.site_id) & (Original.month == d.month) & (Deduction.status == "active"))):
        for uid, amount in reversal_split(ledger_row(rev), pct).items():
            add(uid, amount)
    for c in LedgerCorrection.select().where((LedgerCorrection.site == d.site_id)
                                             & (LedgerCorrection.corrects_month == d.month)):
        add(c.staff_id, Decimal(c.amount), Decimal(c.extra_fine))
    out = []
    for uid, (amount, fine) in correction_amounts(at_close, recomputed, booked).items():
        out.append(LedgerCorrection.create(
            site=d.site_id, month=month, corrects_month=d.month, staff=uid, amount=amount, extra_fine=fine,
            reason=correction_reason(d, amount, fine), deduction=d, created_by=by, created_at=now))
    return out


def correction_reason(d, amount, fine):
    """Why a correction is booked, in Chinese with an English subtitle, as payroll shows it."""
    zh, en = [], []
    if fine:
        zh.append(f"加罚 {fine:+.2f} 元")
        en.append(f"extra fine {fine:+.2f}")
    if amount - fine:
        zh.append(f"连带分摊 {amount - fine:+.2f} 元")
        en.append(f"supervisor share {amount - fine:+.2f}")
    return (f"更正 {d.month}：第 {d.id} 号过失单申诉成立，重算后{'，'.join(zh)} / "
            f"correction of {d.month}: notice {d.id} upheld on appeal, recomputed: {', '.join(en)}")


def correction_snapshot(c):
    return {"id": c.id, "staff_id": c.staff_id, "month": c.month, "corrects_month": c.corrects_month,
            "amount": str(c.amount), "extra_fine": str(c.extra_fine), "reason": c.reason, "deduction_id": c.deduction_id}


_MONEY = {"amount", "supervisor_covers", "own_amount", "extra_fine", "supervisor_share", "total", "correction",
          "sanction_fine", "perf_penalty", "perf_reward", "net"}


def _decimals(value):
    if isinstance(value, dict):
        return {k: (Decimal(v) if k in _MONEY and isinstance(v, str) else _decimals(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


def ledger_for(site, month, policy=None, now=None):
    """A month's ledger: frozen from its snapshot once closed, computed live while open."""
    policy = policy or policy_for_month(month)
    now = now or utcnow()
    check_month(month)
    closed = LedgerMonth.get_or_none((LedgerMonth.site == site.id) & (LedgerMonth.month == month))
    body = _decimals(closed.snapshot) if closed and closed.snapshot else compute_month(site, month, policy)
    corrections = []
    if closed is not None:
        corrections = [{"staff_id": c.staff_id, "name": c.staff.name, "booked_in": c.month, "amount": c.amount,
                        "extra_fine": c.extra_fine, "reason": c.reason}
                       for c in LedgerCorrection.select(LedgerCorrection, User)
                       .join(User, on=(LedgerCorrection.staff == User.id))
                       .where((LedgerCorrection.site == site.id) & (LedgerCorrection.corrects_month == month))
                       .order_by(LedgerCorrection.id)]
        if _has_reversals(site.id, month):
            # the money stays as closed (corrections are paid in a later month), but nobody stays on
            # the public posting for a notice whose appeal was upheld
            body = dict(body, posting_at_close=body["posting"],
                        posting=compute_month(site, month, policy, without_reversed=True)["posting"])
    due = ledger_due_date(month, policy)
    today = now.replace(tzinfo=timezone.utc).astimezone(site_tz(site)).date()
    pending = (Appeal.select().join(Deduction).where((Deduction.site == site.id) & (Deduction.month == month)
                                                     & (Appeal.status == "pending")).count())
    return dict(body, site_id=site.id, site_name=site.name, site_name_en=site.name_en, month=month,
                closed=closed is not None, closed_at=closed.closed_at if closed else None,
                closed_by_id=closed.closed_by_id if closed else None, due_to_finance=due,
                overdue_to_finance=closed is None and today > due, pending_appeals=pending,
                corrections=corrections)


def _has_reversals(site_id, month):
    Original = Deduction.alias()
    return (Deduction.select().join(Original, on=(Deduction.reverses == Original.id))
            .where((Original.site == site_id) & (Original.month == month) & (Deduction.status == "active")).exists())


def close_month(site, month, by, now=None, policy=None):
    """Freeze a month (manager): the ledger as it stands is kept as the snapshot, once."""
    policy = policy or policy_for_month(month)
    now = now or utcnow()
    require(by, "ledger.close")
    check_month(month)
    lock_month(site.id, month)
    if month >= month_of(now, site_tz(site)):
        raise Conflict(f"{month} has not ended yet at this site; it can be closed from the 1st of the next month.")
    if is_closed(site.id, month):
        raise Conflict(f"{month} is already closed at this site.")
    body = compute_month(site, month, policy)
    try:
        with db.atomic():
            return LedgerMonth.create(site=site, month=month, closed_at=now, closed_by=by, snapshot=jsonable(body))
    except IntegrityError:  # closed by someone else a moment ago
        raise Conflict(f"{month} is already closed at this site.")
