"""Sanctions on the ledger (行政警告/罚款/记过, 开除 carried out, 003 第十九条) and the supervisor's share verified."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import declares, requires, site_ids, sites_in_scope
from api.db import write_tx
from api.domain import deductions as dd
from api.domain import sanctions as sa
from api.domain.errors import Invalid
from api.idempotency import idempotent
from api.models import Sanction, Site
from api.resources.deductions.routes import visible_deduction
from api.resources.sanctions.schemas import (CarryOutIn, SanctionIn, SanctionList, SanctionListArgs, SanctionOut,
                                             VerificationIn, VerificationOut)

blp = Blueprint("sanctions", __name__, url_prefix="",
                description="Sanctions recorded on the ledger line; the supervisor's share of a fault verified.")


@blp.route("/sanctions")
class Sanctions(MethodView):
    @blp.arguments(SanctionListArgs, location="query")
    @blp.response(200, SanctionList)
    @requires("sanction.view")
    def get(self, args):
        """The sanctions of the caller's sites (one month if asked)."""
        q = Sanction.select().where(Sanction.site.in_(sites_in_scope(args.get("site_id"))))
        if args.get("month"):
            q = q.where(Sanction.month == args["month"])
        return {"items": list(q.order_by(Sanction.id.desc()).limit(500))}

    @idempotent
    @blp.arguments(SanctionIn)
    @blp.response(201, SanctionOut)
    @blp.alt_response(409, description="Not in the tier, month closed, or already recorded.")
    @declares("sanction.create")
    def post(self, data):
        """Record a sanction (managers): in the sanction or dismissal tier, or after a hidden complaint."""
        if data["site_id"] not in site_ids():
            raise Invalid({"site_id": "No such site."})
        with write_tx():
            s = sa.record(Site.get_by_id(data["site_id"]), data["month"], data["staff_id"], data["kind"], g.user,
                          data["reason"], data.get("amount"), data.get("request_id"))
            audit("sanction.record", "sanction", s.id, s.site_id, after=sa.snapshot(s))
        return s


@blp.route("/sanctions/<int:sanction_id>/carry-out")
class CarryOut(MethodView):
    @idempotent
    @blp.arguments(CarryOutIn)
    @blp.response(200, SanctionOut)
    @blp.alt_response(409, description="Not a dismissal, or already carried out.")
    @declares("sanction.carry_out")
    def post(self, data, sanction_id):
        """Record that a dismissal was carried out: who, when (managers)."""
        with write_tx():
            s = sa.carry_out(sanction_id, g.user, data.get("note", ""), site_ids())
            audit("sanction.carry_out", "sanction", s.id, s.site_id, after=sa.snapshot(s))
        return s


@blp.route("/deductions/<int:deduction_id>/supervisor-verification")
class Verify(MethodView):
    @idempotent
    @blp.arguments(VerificationIn)
    @blp.response(201, VerificationOut)
    @blp.alt_response(409, description="Already verified, month closed, or no supervisor on record.")
    @declares("deduction.verify_supervisor_share")
    def post(self, data, deduction_id):
        """经查实: a manager records whether the direct supervisor shares the fault and what was found."""
        with write_tx():
            d = visible_deduction(deduction_id)
            before = dd.snapshot(d)
            v = sa.verify_supervisor(d, g.user, data["verified"], data["finding"])
            audit("deduction.supervisor_verification", "deduction", d.id, d.site_id, before=before,
                  after=dict(dd.snapshot(v.deduction), verified=v.verified, finding=v.finding,
                             verified_by_id=v.verified_by_id))
        return v
