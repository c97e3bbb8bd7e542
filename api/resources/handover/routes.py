"""The month's ledger sent to finance (报送财务部, seed 004 4.1.5): recorded once, closing the month."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import declares, requires
from api.db import write_tx
from api.domain import deductions as dd
from api.domain import handover as ho
from api.domain.errors import NotFound
from api.domain.policy import current_policy
from api.resources.handover.schemas import HandoverIn, HandoverOut
from api.resources.ledger.routes import resolve_site
from api.resources.ledger.schemas import LedgerSiteArg

blp = Blueprint("handover", __name__, url_prefix="/ledger",
                description="The ledger handed over to finance by the 5th: who sent it, when, to whom.")


def _out(h):
    h.due_date = dd.ledger_due_date(h.month, current_policy())
    return h


@blp.route("/<string:month>/handover")
class Handover(MethodView):
    @blp.arguments(LedgerSiteArg, location="query")
    @blp.response(200, HandoverOut)
    @blp.alt_response(404, description="Not sent to finance yet.")
    @requires("ledger.view")
    def get(self, args, month):
        """Whether (and when, by whom, to whom) the month's ledger went to finance."""
        dd.check_month(month)
        h = ho.handover_of(resolve_site(args.get("site_id")), month)
        if h is None:
            raise NotFound("Not sent to finance yet.")
        return _out(h)

    @blp.arguments(LedgerSiteArg, location="query")
    @blp.arguments(HandoverIn)
    @blp.response(201, HandoverOut)
    @blp.alt_response(409, description="Already sent, or the month has not ended.")
    @declares("ledger.handover")
    def post(self, args, data, month):
        """Record that the month's ledger went to finance (managers); the month is closed first if open."""
        dd.check_month(month)
        site = resolve_site(args.get("site_id"))
        with write_tx():
            h, closed = ho.send_to_finance(site, month, g.user, data["sent_to"], data.get("note", ""))
            if closed is not None:
                audit("ledger.close", "ledger_month", closed.id, site.id, before={"month": month, "closed": False},
                      after={"month": month, "closed": True, "totals": closed.snapshot["totals"],
                             "people": len(closed.snapshot["lines"]), "by": "handover"})
            audit("ledger.handover", "ledger_handover", h.id, site.id, after=ho.snapshot(h))
        return _out(h)
