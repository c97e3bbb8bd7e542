"""Who may do what: the one permission table, and ``can()`` / ``require()`` that read it.

Every action the product has is a row of ``TABLE``: the role groups that may take it (from
``api.domain.vocabulary``), and for some an object rule, a small predicate on the object acted on
("the order's own assignee", "the penalised person"). Change a permission here and only here: the
API enforces it, ``GET /me`` serves the caller's actions, ``allowed_actions`` on orders and requests
come from it, and ``tests/hardening/test_authz_matrix.py`` is generated from it.

Where each action is enforced (one layer per action, never two):

* a write whose domain function takes the actor (``by``/``actor``/``user``) checks there, with the
  object it locked, because the worker and the command line call the domain too and an object rule
  must be checked on the row as locked, not on a copy read before the lock;
* every other route declares its action with ``api.auth.requires`` and is checked there, before
  its handler runs; a route whose domain function checks declares it with ``api.auth.performs``.

Visibility (another site's rows, or field staff seeing only their own) answers 404, not 403: the
``*.view_all`` rows below say who sees beyond their own, and the lists filter with them.
Rules a company sets in its policy (who decides an appeal at each level) stay in the policy.

Pure: no Flask, no database.
"""
from api.domain.errors import Forbidden
from api.domain.vocabulary import (DESK_ROLES, FIELD_ROLES, MANAGING, REQUEST_TRANSITIONS, REVISITING, ROLES,
                                   SUPERVISING, WORK_ORDER_TRANSITIONS)

EVERYONE = ROLES
INSPECTING = FIELD_ROLES + SUPERVISING  # those who walk rounds and submit inspections
REPORTING = ("service",) + SUPERVISING
ADMIN = ("admin",)
MANAGED_ACCOUNTS = FIELD_ROLES + ("service", "supervisor")  # the accounts a manager opens and changes


def N_(message):
    """Marks a message for the catalogue (``patrol i18n update`` finds it); translated when shown."""
    return message


ROLE_REFUSED = N_("Your role ({role}) may not do this.")


class Rule:
    """Who may take one action: ``roles``; or anyone of ``also_roles`` that ``also(actor, obj)``
    admits; never anyone ``unless(actor, obj)`` refuses. ``public``: no login needed."""

    __slots__ = ("roles", "also", "also_roles", "unless", "message", "public")

    def __init__(self, roles=(), also=None, unless=None, message=ROLE_REFUSED, public=False, also_roles=ROLES):
        self.roles, self.also, self.unless, self.message, self.public = tuple(roles), also, unless, message, public
        self.also_roles = tuple(also_roles)


# --- object rules ------------------------------------------------------------------------------

def _assignee(actor, order):
    return order is not None and order.assignee_id is not None and order.assignee_id == actor.id


def _penalised(actor, deduction):
    return deduction is not None and deduction.staff_id == actor.id


def _managed_account(actor, account):
    return account is not None and account.role in MANAGED_ACCOUNTS


def _appellant(actor, appeal):
    return appeal is not None and actor.id in (appeal.deduction.staff_id, appeal.filed_by_id)


def _sender(actor, photo):
    return photo is not None and photo.uploaded_by_id == actor.id


def _action_owner(actor, action):
    return action is not None and action.owner_id == actor.id


def _handler_or_creator(actor, req):
    return req is not None and actor.id in (req.handler_id, req.created_by_id)


def _wo(action):
    """A work-order transition: assign, verify, reopen and cancel by role; accept, start and finish
    by the order's own assignee (or anyone supervising)."""
    if action in ("accept", "start", "finish"):
        return Rule(SUPERVISING, also=_assignee,
                    message=N_("Only the assigned person (or a supervisor) may do this to the work order."))
    if action in ("verify", "reopen"):
        return Rule(REVISITING,
                    message=N_("Only customer service or a supervisor may record the revisit or reopen an order."))
    return Rule(SUPERVISING, message=N_("Only a supervisor may {action} a work order.").replace("{action}", action))


TABLE = {
    # --- signing in, and what every logged-in person reads ---
    "auth.login": Rule(public=True),
    "auth.logout": Rule(EVERYONE),
    "me.view": Rule(EVERYONE),
    "console.use": Rule(DESK_ROLES),  # the console is the desk's; field staff use the phone app
    "vocabulary.view": Rule(EVERYONE),
    "org.view": Rule(EVERYONE),  # sites, zones, buildings, units, schedules, checkpoints
    "checklist.view": Rule(EVERYONE),
    "policy.view": Rule(EVERYONE),  # the rules everyone is held to are no secret
    "holiday.view": Rule(EVERYONE),
    "sync.pull": Rule(EVERYONE),
    "photo.upload": Rule(EVERYONE),
    "photo.view": Rule(EVERYONE),
    "photo.attach_original": Rule(also=_sender, message=N_(
        "Only the person who sent a photo sends its full original.")),  # later, on Wi-Fi
    # a departed guard's queue on a shared phone (api/domain/queue_handover.py says when)
    "queue.send_on_behalf": Rule(SUPERVISING, message=N_("Only a supervisor may send another person's queued entries.")),
    "voice.upload": Rule(EVERYONE),  # a guard's voice with an emergency or a failed item
    "voice.view": Rule(EVERYONE),  # only the finding's sites hear it (others: 404)
    "draft.keep": Rule(EVERYONE),  # a form's unsent input, the caller's own
    "push.subscribe": Rule(EVERYONE),
    "notification_prefs.edit": Rule(EVERYONE),
    # --- rounds, inspections and findings ---
    "task.view": Rule(INSPECTING),
    "task.summary": Rule(SUPERVISING),
    "round.view": Rule(INSPECTING),
    "inspection.submit": Rule(INSPECTING, message=N_("Your role ({role}) does not submit inspections.")),
    "inspection.view": Rule(EVERYONE),
    "inspection.view_all": Rule(SUPERVISING),  # others see their own inspections only
    "finding.report": Rule(EVERYONE),
    "finding.view": Rule(EVERYONE),
    "finding.view_all": Rule(("technician",) + DESK_ROLES),  # guards and cleaners: what they reported
    "finding.dismiss": Rule(SUPERVISING, message=N_("Only supervisors and managers may dismiss findings.")),
    "checkpoint.labels": Rule(SUPERVISING),
    # --- work orders ---
    "work_order.view": Rule(EVERYONE),
    "work_order.view_all": Rule(DESK_ROLES),  # field staff: the orders assigned to them (or their zones')
    "work_order.create": Rule(SUPERVISING),
    "work_order.export": Rule(SUPERVISING),
    "work_order.print": Rule(SUPERVISING),
    "work_order.escalate": Rule(SUPERVISING),
    **{f"work_order.{a}": _wo(a) for a in WORK_ORDER_TRANSITIONS},
    # --- the service desk (owners' details never reach field staff) ---
    "request.view": Rule(DESK_ROLES),
    "request.create": Rule(DESK_ROLES),
    "request.escalate": Rule(DESK_ROLES),
    **{f"request.{a}": Rule(DESK_ROLES, message=N_("Only the service desk, supervisors and managers handle requests."))
       for a in REQUEST_TRANSITIONS},
    "request.revisit": Rule(DESK_ROLES, message=N_("Only the service desk records revisits.")),
    "request.reveal_owner": Rule(MANAGING, also=_handler_or_creator, message=N_(
        "Only the request's handler, its creator and managers see the owner's details.")),
    "request.raise_fault": Rule(SUPERVISING, message=N_("Only a supervisor or manager raises a fault notice.")),
    "request.stats": Rule(SUPERVISING),
    "complaint.judge": Rule(DESK_ROLES, message=N_("Only the service desk judges a complaint.")),
    "complaint.reply": Rule(DESK_ROLES, message=N_("Only the service desk replies to a complaint.")),
    "complaint.register_mail": Rule(DESK_ROLES, message=N_("Only the service desk keeps the incoming-mail register.")),
    "complaint.refer_general_manager": Rule(MANAGING, message=N_(
        "The duty manager refers a complaint to the general property manager.")),
    "complaint.stats": Rule(SUPERVISING),
    "report.repair_revisits": Rule(SUPERVISING),
    "referral.view_all": Rule(MANAGING),  # a supervisor sees the revisits passed to them
    # --- fault notices, appeals, the ledger ---
    "deduction.view": Rule(EVERYONE),
    "deduction.view_all": Rule(SUPERVISING),  # everyone else: their own notices only
    "deduction.create": Rule(SUPERVISING),
    "deduction.appeal": Rule(SUPERVISING, also=_penalised, message=N_(
        "Only the penalised person or a supervisor may appeal this notice.")),
    # who decides at each level is the policy's (appeals.levels); this is who may decide at all
    "appeal.decide": Rule(SUPERVISING),
    "appeal.escalate": Rule(also=_appellant, message=N_(
        "Only the penalised person (or whoever filed the appeal) takes it up a level.")),
    "appeal.view": Rule(SUPERVISING),
    "deduction.verify_supervisor_share": Rule(MANAGING, message=N_("A manager verifies a supervisor's share of a fault.")),
    "ledger.view": Rule(SUPERVISING),
    "ledger.close": Rule(MANAGING, message=N_("Only a manager closes a month.")),
    "ledger.handover": Rule(MANAGING, message=N_("Only a manager sends the ledger to finance.")),
    "sanction.view": Rule(SUPERVISING),
    "sanction.create": Rule(MANAGING, message=N_("Only a manager records a sanction.")),
    "sanction.carry_out": Rule(MANAGING, message=N_("Only a manager records that a dismissal was carried out.")),
    "performance.view": Rule(SUPERVISING),
    "performance.record": Rule(SUPERVISING, message=N_("Only a supervisor or manager records performance checks.")),
    "performance.publish": Rule(SUPERVISING, message=N_("Only a supervisor or manager publishes the results.")),
    "corrective.view": Rule(SUPERVISING),
    "corrective.create": Rule(SUPERVISING, message=N_(
        "Only a supervisor or manager registers corrective and preventive actions.")),
    "corrective.done": Rule(SUPERVISING, also=_action_owner, message=N_(
        "The action's owner or a supervisor marks it done.")),
    "corrective.verify": Rule(SUPERVISING, unless=_action_owner, message=N_(
        "A supervisor or manager other than the owner verifies the action.")),
    # --- reports ---
    "report.summary": Rule(REPORTING),
    "report.view": Rule(SUPERVISING),
    # --- the organisation, policy and configuration ---
    "user.list": Rule(REPORTING),
    "user.view": Rule(MANAGING),
    "org.edit": Rule(MANAGING),  # zones, buildings, units, schedules, checkpoints, staff; a site's details
    "site.create": Rule(ADMIN),
    "site.view_all": Rule(ADMIN),  # every site, without being a member
    "org.edit_all": Rule(ADMIN),
    "org.manage_account": Rule(ADMIN, also=_managed_account, also_roles=MANAGING),  # give/change a role  # every site's organisation and every account (a manager: their sites')
    "org.import": Rule(MANAGING),
    "org.export": Rule(MANAGING),
    "policy.change": Rule(MANAGING, message=N_("Only a manager changes the policy.")),
    "holiday.edit": Rule(MANAGING),
    "audit.view": Rule(MANAGING),
    "audit.view_unsited": Rule(ADMIN),  # entries tied to no site
    "notification.manage": Rule(MANAGING),  # channels, the outbox, resending
}


def rule(action):
    try:
        return TABLE[action]
    except KeyError:
        raise KeyError(f"{action!r} is not in the permission table (api/domain/permissions.py)") from None


def can(actor, action, obj=None):
    """May ``actor`` (a user: ``.role``, ``.id``) take ``action`` (on ``obj``)? Without ``obj``, an
    object rule counts as met: "may do it to some object" (what ``GET /me`` lists)."""
    r = rule(action)
    if r.public:
        return True
    if actor is None:
        return False
    if obj is not None and r.unless is not None and r.unless(actor, obj):
        return False
    if actor.role in r.roles:
        return True
    if r.also is None or actor.role not in r.also_roles:
        return False
    return obj is None or bool(r.also(actor, obj))


def require(actor, action, obj=None):
    """``can()`` or refuse with the action's message (403). An action with an object rule may be
    required twice in one function: without the object before anything is read (so a role that may
    never do it learns nothing of the row), then with the row once it is locked."""
    if not can(actor, action, obj):
        raise Forbidden(rule(action).message, params={"role": getattr(actor, "role", None)}
                        if "{role}" in rule(action).message else None)


def allowed(actor, prefix=""):
    """Every action (starting with ``prefix``) the actor may take on some object, sorted."""
    return sorted(a for a in TABLE if a.startswith(prefix) and can(actor, a))


def work_order_actions(order, actor, status=None):
    """The transitions ``actor`` may take on ``order`` in ``status`` (default: its own, now): the state
    machine and the table together."""
    status = status or order.status
    return [a for a, (frm, _to) in WORK_ORDER_TRANSITIONS.items()
            if status in frm and can(actor, f"work_order.{a}", order)]


def request_actions(req, actor):
    """The desk actions ``actor`` may take on ``req`` now (plus ``revisit`` once done)."""
    out = [a for a, (frm, _to) in REQUEST_TRANSITIONS.items()
           if req.status in frm and can(actor, f"request.{a}", req)]
    if req.status == "done" and can(actor, "request.revisit", req):
        out.append("revisit")
    return out


def who_may(action):
    """Who a client is told may take an action: the table's roles, or ``"assignee"`` where the order's
    own assignee may too (anyone supervising as well)."""
    r = rule(action)
    return "assignee" if r.also is _assignee else list(r.roles)


def machine_actors():
    """For ``GET /vocabulary``'s state machines: machine -> action -> ``who_may``."""
    return {"work_order": {a: who_may(f"work_order.{a}") for a in WORK_ORDER_TRANSITIONS},
            "request": {a: who_may(f"request.{a}") for a in REQUEST_TRANSITIONS},
            "deduction": {"void": who_may("appeal.decide")},  # an upheld appeal voids the notice
            "appeal": {"decide": who_may("appeal.decide")}}
