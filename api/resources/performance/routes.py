"""The performance-scoring scheme of seed 004 (绩效考核): daily/weekly/monthly checks, published results."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import declares, requires, site_ids
from api.db import write_tx
from api.domain import deductions as dd
from api.domain import performance as pf
from api.domain.errors import Invalid
from api.idempotency import idempotent
from api.models import Site
from api.resources.ledger.routes import resolve_site
from api.resources.performance.schemas import EntryIn, EntryOut, ResultsOut, SiteArg

blp = Blueprint("performance", __name__, url_prefix="/performance",
                description="Performance scores (绩效考核): six categories, checks, publication, rewards.")


@blp.route("/entries")
class Entries(MethodView):
    @idempotent
    @blp.arguments(EntryIn)
    @blp.response(201, EntryOut)
    @blp.alt_response(409, description="The month was published, or the scheme is not run.")
    @declares("performance.record")
    def post(self, data):
        """Record one check's result (supervisors): negative points a violation, positive outstanding work."""
        if data["site_id"] not in site_ids():
            raise Invalid({"site_id": "No such site."})
        with write_tx():
            e = pf.add_entry(Site.get_by_id(data["site_id"]), data["staff_id"], data["period"], data["day"],
                             data["category"], data["points"], data["note"], g.user)
            audit("performance.entry", "performance_entry", e.id, e.site_id,
                  after={"staff_id": e.staff_id, "period": e.period, "day": e.day.isoformat(),
                         "category": e.category, "points": e.points, "note": e.note})
        return e


@blp.route("/<string:month>")
class Results(MethodView):
    @blp.arguments(SiteArg, location="query")
    @blp.response(200, ResultsOut)
    @requires("performance.view")
    def get(self, args, month):
        """The month's scores per person and category, penalties, rewards (published: frozen)."""
        dd.check_month(month)
        return pf.month_results(resolve_site(args.get("site_id")), month)


@blp.route("/<string:month>/publish")
class Publish(MethodView):
    @blp.arguments(SiteArg, location="query")
    @blp.response(200, ResultsOut)
    @blp.alt_response(409, description="Before the month's last day, or already published.")
    @declares("performance.publish")
    def post(self, args, month):
        """Publish the month's results to the staff (on or after its last day), once."""
        dd.check_month(month)
        site = resolve_site(args.get("site_id"))
        with write_tx():
            pm = pf.publish(site, month, g.user)
            audit("performance.publish", "performance_month", pm.id, site.id, after={"month": month,
                                                                                   "people": pm.results})
        return pf.month_results(site, month)
