"""Staff fault notices (员工过失通知单) and their appeals."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import can, check_site, declares, get_visible, requires, site_ids, sites_in_scope
from api.db import lock_key, relock, write_tx
from api.domain import appeals
from api.domain import deductions as dd
from api.errors import Invalid, NotFound
from api.idempotency import idempotent
from api.models import Appeal, Deduction, Finding, User
from api.pagination import paginate_desc_by_id
from api.resources.deductions.schemas import (AppealIn, AppealListArgs, AppealOut, AppealPage, DecisionIn,
                                              DeductionIn, DeductionListArgs, DeductionOut, DeductionPage)

blp = Blueprint("deductions", __name__, url_prefix="",
                description="Fault notices (扣分), appeals (申诉) and the managers' appeal queue.")


def _with_amount(d):
    d.amount = d.points * d.yuan_per_point
    return d


def visible_deduction(deduction_id):
    """Supervisors see their sites' notices; everyone else only their own (others' are 404)."""
    d = get_visible(Deduction, deduction_id, "deduction")
    if not can("deduction.view_all") and d.staff_id != g.user.id:
        raise NotFound("No such deduction.")
    return _with_amount(d)


@blp.route("/deductions")
class Deductions(MethodView):
    @blp.arguments(DeductionListArgs, location="query")
    @blp.response(200, DeductionPage)
    @requires("deduction.view")
    def get(self, args):
        """Fault notices of the caller's sites, newest first (staff see only their own)."""
        sites = sites_in_scope(args.get("site_id"))
        q = Deduction.select(Deduction, User).join(User, on=(Deduction.staff == User.id), attr="staff").where(
            Deduction.site.in_(sites))
        if not can("deduction.view_all"):
            q = q.where(Deduction.staff == g.user.id)
        for key, field in (("month", Deduction.month), ("staff_id", Deduction.staff), ("status", Deduction.status)):
            if args.get(key) is not None:
                q = q.where(field == args[key])
        rows, cursor = paginate_desc_by_id(q, Deduction.id, args["limit"], args.get("cursor"))
        return {"items": [_with_amount(d) for d in rows], "next_cursor": cursor}

    @idempotent
    @blp.arguments(DeductionIn)
    @blp.response(201, DeductionOut)
    @blp.alt_response(200, schema=DeductionOut, description="A retry with a known client_id.")
    @blp.alt_response(409, description="The month it falls in is closed.")
    @requires("deduction.create")
    def post(self, data):
        """Issue a fault notice from a finding, a complaint request or by hand (supervisors)."""
        client_id = data.pop("client_id", None)
        if client_id:
            earlier = Deduction.get_or_none(Deduction.client_id == client_id)
            if earlier:
                check_site(earlier.site_id, "deduction")
                return _with_amount(earlier), 200
        site_id = data.pop("site_id", None)
        if site_id is None and data.get("finding_id") is not None:
            f = Finding.get_or_none(Finding.id == data["finding_id"])
            site_id = f.site_id if f else None
        if site_id is None:
            raise Invalid({"site_id": "Say which site (or give the finding)."})
        if site_id not in site_ids():
            raise Invalid({"site_id": "No such site."})
        with write_tx():
            if client_id:
                lock_key(f"deduction.client_id:{client_id}")  # two racing retries: one makes it
                earlier = Deduction.get_or_none(Deduction.client_id == client_id)
                if earlier:
                    check_site(earlier.site_id, "deduction")
                    return _with_amount(earlier), 200
            d = dd.create_deduction(site=site_id, created_by=g.user, client_id=client_id,
                                    actor_site_ids=site_ids(), **data)
            audit("deduction.create", "deduction", d.id, d.site_id, after=dd.snapshot(d))
        return _with_amount(Deduction.get_by_id(d.id))


@blp.route("/deductions/<int:deduction_id>")
class DeductionOne(MethodView):
    @blp.response(200, DeductionOut)
    @requires("deduction.view")
    def get(self, deduction_id):
        """One fault notice with its evidence photos and appeal."""
        return visible_deduction(deduction_id)


def _appeal_out(appeal, reversal=None):
    appeal.deduction = _with_amount(Deduction.get_by_id(appeal.deduction_id))
    appeal.reversal = _with_amount(reversal) if reversal else None
    return appeal


@blp.route("/deductions/<int:deduction_id>/appeal")
class FileAppeal(MethodView):
    @idempotent
    @blp.arguments(AppealIn)
    @blp.response(201, AppealOut)
    @blp.alt_response(409, description="Already appealed, or not an active notice.")
    @declares("deduction.appeal")
    def post(self, data, deduction_id):
        """Appeal a notice: the penalised person, or a supervisor for them."""
        with write_tx():
            d = _with_amount(relock(visible_deduction(deduction_id)))  # one appeal: the second waits, then sees it
            appeal = appeals.file(d, g.user, data["reason"], data.get("kind", "ordinary"))
            audit("deduction.appeal", "deduction", d.id, d.site_id, before=dd.snapshot(d),
                  after=dict(appeals.snapshot(appeal), appeal_id=appeal.id, appeal_status="pending",
                             reason=appeal.reason))
        return _appeal_out(appeal)


@blp.route("/deductions/<int:deduction_id>/appeal/decision")
class DecideAppeal(MethodView):
    @idempotent
    @blp.arguments(DecisionIn)
    @blp.response(200, AppealOut)
    @blp.alt_response(409, description="No pending appeal on this notice.")
    @declares("appeal.decide")
    def post(self, data, deduction_id):
        """Decide an appeal at its level (004 4.3: department head, office director, office manager): upheld
        voids the notice, or reverses it if its month is closed."""
        with write_tx():
            # locked before the appeal's status is checked: concurrent decisions reverse it once
            d = _with_amount(relock(visible_deduction(deduction_id)))
            before = dd.snapshot(d)
            appeal, reversal = appeals.decide(d, g.user, data["upheld"], data["reason"])
            after = dict(dd.snapshot(Deduction.get_by_id(d.id)), appeal_status=appeal.status,
                         appeal_level=appeal.level, reversal_id=reversal.id if reversal else None)
            audit("deduction.appeal_decision", "deduction", d.id, d.site_id, before=before, after=after)
            if reversal:
                audit("deduction.reverse", "deduction", reversal.id, reversal.site_id, after=dd.snapshot(reversal))
                for c in reversal.corrections:
                    audit("ledger.correction", "ledger_correction", c.id, c.site_id, after=dd.correction_snapshot(c))
        return _appeal_out(appeal, reversal)


@blp.route("/appeals")
class Appeals(MethodView):
    @blp.arguments(AppealListArgs, location="query")
    @blp.response(200, AppealPage)
    @requires("appeal.view")
    def get(self, args):
        """The appeal queue (default: pending), newest first: department heads and managers."""
        sites = sites_in_scope(args.get("site_id"))
        q = Appeal.select(Appeal).join(Deduction).where(Deduction.site.in_(sites))
        if args.get("level") is not None:
            q = q.where(Appeal.level == args["level"])
        if args["status"] != "all":
            q = q.where(Appeal.status == args["status"])
        rows, cursor = paginate_desc_by_id(q, Appeal.id, args["limit"], args.get("cursor"))
        return {"items": [_appeal_out(a) for a in rows], "next_cursor": cursor}
