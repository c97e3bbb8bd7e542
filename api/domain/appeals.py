"""The appeal chain (申诉, seed 004 4.3).

- 4.3.2 若部門主管做出不公正處理，可向管理主任提出申訴; 4.3.3 若管理處主任做出不公正處理，可向管理處經理提出申訴:
  an appeal is decided first by the department head (部门主管), and a rejected appeal may be taken up
  one level at a time: the office director (管理处主任), then the office manager (管理处经理). Who may
  decide at each level is policy (``appeals.levels``); nobody decides the same appeal at two levels,
  nor an appeal about their own notice or against themselves.
- 4.3.1 若相關檢查考核人員採取不正當的手段對員工進行打擊報復，受罰人員可向相關部門提出申訴: an appeal
  about retaliation by the inspector who issued the notice is against that inspector, starts above
  their department (``appeals.retaliation_starts_at``) and is never decided by them.
- Upheld at any level, the notice is void: in an open month it is voided; in a closed month the
  existing reversal path books a reversing entry (and the corrections) into the next open month, once.

Every state change loads the appeal under a row lock (``api.db.locked``) before checking its status,
so two deciders at once make one decision. Callers own the transaction (``write_tx``) and the audit.
"""
from peewee import IntegrityError

from api.db import db, locked, relock
from api.domain import deductions as dd
from api.domain.deadlines import month_bounds, month_of
from api.domain.ledger import repeated_problems
from api.domain.policy import current_policy
from api.domain.errors import Conflict, Forbidden, Invalid
from api.domain.permissions import require
from api.domain.workorders import site_tz
from api.models import Appeal, AppealStep, Deduction, utcnow
from api.notify import events as notify_events

KINDS = ("ordinary", "retaliation")
LEVEL_NAMES = {"department_head": ("部门主管", "department head"), "office_director": ("管理处主任", "office director"),
               "office_manager": ("管理处经理", "office manager")}


# --- the first decision (a notice's one appeal, filed and decided) ----------------------------

def file_appeal(d, by, reason, now=None):
    """The penalised person (or a supervisor for them) appeals; one appeal per notice."""
    require(by, "deduction.appeal", d)
    if d.status != "active" or d.points <= 0 or d.reverses_id is not None:
        raise Conflict("Only an active fault notice can be appealed.")
    if Appeal.select().where(Appeal.deduction == d).exists():
        raise Conflict("This notice has already been appealed.")
    if not (reason or "").strip():
        raise Invalid({"reason": "Say why the notice is wrong."})
    try:
        with db.atomic():  # a savepoint: an appeal filed a moment ago by someone else loses cleanly
            appeal = Appeal.create(deduction=d, filed_by=by, reason=reason.strip(), filed_at=now or utcnow())
    except IntegrityError:
        raise Conflict("This notice has already been appealed.")
    notify_events.appeal_filed(d, appeal, now)
    return appeal


def _month_start_utc(month, tz):
    return month_bounds(month, tz)[0]


def _shared_in_its_month(d, policy):
    """Whether the supervisor bore part of this notice in its month (by choice or by the repeat rule)."""
    if d.supervisor_shares:
        return True
    rows = [dd.ledger_row(x) for x in Deduction.select().where((Deduction.site == d.site_id) & (Deduction.month == d.month)
                                                      & (Deduction.staff == d.staff_id))]
    times = policy["deductions"]["same_problem_brings_in_supervisor"]
    return d.problem_key in repeated_problems(rows, times).get(d.staff_id, {})


def reverse(d, by, now, policy, month):
    site = d.site
    tz = site_tz(site)
    current = month_of(now, tz)
    occurred = now if month == current else _month_start_utc(month, tz)
    return Deduction.create(
        site=d.site_id, staff=d.staff_id, supervisor=d.supervisor_id, supervisor_shares=_shared_in_its_month(d, policy),
        points=-d.points, yuan_per_point=d.yuan_per_point,
        reason=f"申诉成立，冲销 {d.month} 第 {d.id} 号过失单 / appeal upheld: reverses notice {d.id} of {d.month}",
        problem_key=d.problem_key, month=month, occurred_at=occurred, finding=d.finding_id, work_order=d.work_order_id,
        request_id=d.request_id, reverses=d, created_by=by, created_at=now)


def levels(policy):
    return [lv["level"] for lv in policy["appeals"]["levels"]]


def level_key(appeal, policy):
    return levels(policy)[appeal.level - 1]


def level_roles(level, policy):
    return policy["appeals"]["levels"][level - 1]["roles"]


def deciders_so_far(appeal):
    return {s.by_id for s in AppealStep.select(AppealStep.by).where((AppealStep.appeal == appeal.id)
                                                                    & (AppealStep.action == "decided"))}


def check_decider(appeal, d, user, policy):
    """Refuse (403) unless ``user`` may decide ``appeal`` at its level."""
    level = LEVEL_NAMES[level_key(appeal, policy)][1]
    if user.role not in level_roles(appeal.level, policy):
        raise Forbidden(f"At this level the {level} decides.")
    if user.id == d.staff_id:
        raise Forbidden("Nobody decides an appeal about their own notice.")
    if appeal.against_id is not None and user.id == appeal.against_id:
        raise Forbidden("An appeal about retaliation is never decided by the inspector it is against.")
    if user.id in deciders_so_far(appeal):
        raise Forbidden("You decided this appeal at a lower level: a higher level is someone else.")


def file(d, by, reason, kind="ordinary", now=None, policy=None):
    """The penalised person (or a supervisor for them) appeals; a retaliation appeal is against the
    inspector who issued the notice and starts at ``retaliation_starts_at``."""
    policy = policy or current_policy()
    now = now or utcnow()
    if kind not in KINDS:
        raise Invalid({"kind": "ordinary or retaliation."})
    d = relock(d)
    appeal = file_appeal(d, by, reason, now)
    if kind == "retaliation":
        appeal.kind = "retaliation"
        appeal.against = d.created_by_id
        appeal.level = levels(policy).index(policy["appeals"]["retaliation_starts_at"]) + 1
        appeal.save()
    AppealStep.create(appeal=appeal, level=appeal.level, action="filed", by=by.id, at=now, reason=appeal.reason)
    return appeal


def decide(d, by, upheld, reason, now=None, policy=None):
    """Decide the appeal at its current level. Upheld: the notice is voided (open month) or reversed
    into the next open month (closed month), once. Returns ``(appeal, reversal or None)``."""
    policy = policy or current_policy()
    now = now or utcnow()
    require(by, "appeal.decide", d)  # who may decide at all; at which level is the policy's (check_decider)
    appeal = locked(Appeal, Appeal.deduction == d.id)
    if appeal is None:
        raise Conflict("This notice has no appeal to decide.")
    if appeal.status != "pending":
        raise Conflict(f"The appeal was already decided ({appeal.status}) at level {appeal.level}.")
    check_decider(appeal, d, by, policy)
    if not (reason or "").strip():
        raise Invalid({"reason": "Give the reason for the decision."})
    appeal.status = "upheld" if upheld else "rejected"
    appeal.decided_by = by
    appeal.decided_at = now
    appeal.decision_reason = reason.strip()
    appeal.save()
    AppealStep.create(appeal=appeal, level=appeal.level, action="decided", upheld=bool(upheld), by=by.id, at=now,
                      reason=reason.strip())
    reversal = _void(d, by, now, policy) if upheld else None
    notify_events.appeal_decided(d, appeal, now)  # the appellant's phone hears the decision at every level
    return appeal, reversal


def _void(d, by, now, policy):
    d = relock(d)
    if d.status != "active" or Deduction.select().where(Deduction.reverses == d.id).exists():
        return None  # already voided or reversed: once
    dd.lock_month(d.site_id, d.month)
    if not dd.is_closed(d.site_id, d.month):
        d.status = "voided"
        d.save()
        return None
    month = dd.lock_open_month(d.site_id, d.month)
    reversal = reverse(d, by, now, policy, month)
    reversal.corrections = dd.book_corrections(d, month, by, now, policy)
    return reversal


def escalate(d, by, reason, now=None, policy=None):
    """Take a rejected appeal up one level (the penalised person, or whoever filed it)."""
    policy = policy or current_policy()
    now = now or utcnow()
    appeal = locked(Appeal, Appeal.deduction == d.id)
    if appeal is None:
        raise Conflict("This notice has no appeal.")
    appeal.deduction = d
    require(by, "appeal.escalate", appeal)
    if appeal.status != "rejected":
        raise Conflict(f"Only a rejected appeal goes up a level (this one is {appeal.status}).")
    if appeal.level >= len(levels(policy)):
        level = LEVEL_NAMES[level_key(appeal, policy)][1]
        raise Conflict(f"The {level} has decided: there is no higher level.")
    if not (reason or "").strip():
        raise Invalid({"reason": "Say why the decision was unfair."})
    appeal.level += 1
    appeal.status = "pending"
    appeal.decided_by = None
    appeal.decided_at = None
    appeal.decision_reason = ""
    appeal.save()
    AppealStep.create(appeal=appeal, level=appeal.level, action="escalated", by=by.id, at=now, reason=reason.strip())
    return appeal


def snapshot(appeal, policy=None):
    policy = policy or current_policy()
    return {"id": appeal.id, "deduction_id": appeal.deduction_id, "status": appeal.status, "level": appeal.level,
            "level_key": level_key(appeal, policy), "kind": appeal.kind, "against_id": appeal.against_id}


def steps(appeal, policy=None):
    policy = policy or current_policy()
    names = levels(policy)
    return [{"level": s.level, "level_key": names[s.level - 1] if s.level <= len(names) else str(s.level),
             "action": s.action, "upheld": s.upheld, "by_id": s.by_id, "at": s.at, "reason": s.reason}
            for s in AppealStep.select().where(AppealStep.appeal == appeal.id).order_by(AppealStep.id)]
