"""The appeal chain (申诉逐级上报, seed 004 4.3): take a rejected appeal up a level."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import declares
from api.audit import audit
from api.db import write_tx
from api.domain import appeals
from api.idempotency import idempotent
from api.resources.deductions.routes import _appeal_out, visible_deduction
from api.resources.deductions.schemas import AppealOut, EscalateIn

blp = Blueprint("appeal_chain", __name__, url_prefix="",
                description="Appeals up the chain: department head, office director, office manager.")


@blp.route("/deductions/<int:deduction_id>/appeal/escalate")
class EscalateAppeal(MethodView):
    @idempotent
    @blp.arguments(EscalateIn)
    @blp.response(200, AppealOut)
    @blp.alt_response(409, description="Not rejected, or already at the top level.")
    @declares("appeal.escalate")
    def post(self, data, deduction_id):
        """Take a rejected appeal up one level (the penalised person, or whoever filed it)."""
        with write_tx():
            d = visible_deduction(deduction_id)
            before = appeals.snapshot(d.appeals.first()) if d.appeals.first() else None
            appeal = appeals.escalate(d, g.user, data["reason"])
            audit("deduction.appeal_escalate", "appeal", appeal.id, d.site_id, before=before,
                  after=dict(appeals.snapshot(appeal), reason=data["reason"]))
        return _appeal_out(appeal)
