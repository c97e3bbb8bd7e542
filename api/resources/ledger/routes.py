"""The monthly ledger (扣分台账): view, close, payroll exports and the public-posting notice."""
from flask import Response, g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import check_site, declares, requires, site_ids
from api.db import write_tx
from api.domain import deductions as dd
from api.domain import exports
from api.domain.policy import policy_for_month
from api.errors import Invalid
from api.models import Site
from api.resources.ledger.schemas import LedgerOut, LedgerSiteArg

blp = Blueprint("ledger", __name__, url_prefix="/ledger",
                description="The monthly ledger: per-person points and money, closing, payroll and posting.")


def resolve_site(site_id):
    """The site asked for, or the caller's only site."""
    if site_id is None:
        mine = site_ids()
        if len(mine) != 1:
            raise Invalid({"site_id": "Say which site."}, location="query")
        site_id = mine[0]
    check_site(site_id, "site")
    return Site.get_by_id(site_id)


def _ledger(month, args):
    dd.check_month(month)
    site = resolve_site(args.get("site_id"))
    return site, dd.ledger_for(site, month)


def _file(body, mimetype, name):
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"})


@blp.route("/<string:month>")
class Ledger(MethodView):
    @blp.arguments(LedgerSiteArg, location="query")
    @blp.response(200, LedgerOut)
    @requires("ledger.view")
    def get(self, args, month):
        """A month's ledger: lines, totals, the posting list and whether it is closed."""
        return _ledger(month, args)[1]


@blp.route("/<string:month>/close")
class Close(MethodView):
    @blp.arguments(LedgerSiteArg, location="query")
    @blp.response(200, LedgerOut)
    @blp.alt_response(409, description="Already closed, or the month has not ended.")
    @declares("ledger.close")
    def post(self, args, month):
        """Close (freeze) a month (managers): afterwards nothing in it changes."""
        dd.check_month(month)
        site = resolve_site(args.get("site_id"))
        with write_tx():
            lm = dd.close_month(site, month, g.user)
            audit("ledger.close", "ledger_month", lm.id, site.id, before={"month": month, "closed": False},
                  after={"month": month, "closed": True, "totals": lm.snapshot["totals"],
                         "people": len(lm.snapshot["lines"])})
        return dd.ledger_for(site, month)


@blp.route("/<string:month>/payroll.csv")
class PayrollCsv(MethodView):
    @blp.arguments(LedgerSiteArg, location="query")
    @blp.response(200, description="UTF-8 CSV with BOM: one line per person and a totals line.",
                  content_type="text/csv")
    @requires("ledger.view")
    def get(self, args, month):
        """The month's payroll deductions as CSV (opens in Excel with Chinese intact)."""
        site, ledger = _ledger(month, args)
        ctx = exports.payroll_context(site, month, ledger, policy_for_month(month))
        return _file(exports.payroll_csv(ledger, ctx), "text/csv; charset=utf-8", f"payroll-{site.code}-{month}.csv")


@blp.route("/<string:month>/payroll.xlsx")
class PayrollXlsx(MethodView):
    @blp.arguments(LedgerSiteArg, location="query")
    @blp.response(200, description="Excel workbook: one line per person and a totals line.",
                  content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    @requires("ledger.view")
    def get(self, args, month):
        """The month's payroll deductions as an Excel workbook."""
        site, ledger = _ledger(month, args)
        ctx = exports.payroll_context(site, month, ledger, policy_for_month(month))
        return _file(exports.payroll_xlsx(ledger, ctx),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"payroll-{site.code}-{month}.xlsx")


@blp.route("/<string:month>/posting.html")
class Posting(MethodView):
    @blp.arguments(LedgerSiteArg, location="query")
    @blp.response(200, description="A printable notice page (Chinese with English subtitles).",
                  content_type="text/html")
    @requires("ledger.view")
    def get(self, args, month):
        """The printable public-posting notice (违规公布) for the month."""
        site, ledger = _ledger(month, args)
        policy = policy_for_month(month)  # the policy in force in that month
        return Response(exports.posting_html(ledger, policy, exports.payroll_context(site, month, ledger, policy)),
                        mimetype="text/html")
