"""Root causes and corrective/preventive actions (纠正预防措施): the month's analysis, the register, its report."""
from flask import Response, g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import declares, requires, site_ids
from api.db import write_tx
from api.domain import corrective_actions as ca
from api.domain.errors import Invalid
from api.idempotency import idempotent
from api.models import Site
from api.resources.corrective_actions.schemas import (ActionIn, ActionList, ActionOut, AnalysisOut, MonthArgs, NoteIn,
                                                      VerifyIn)
from api.resources.ledger.routes import resolve_site

blp = Blueprint("corrective_actions", __name__, url_prefix="/corrective-actions",
                description="Root causes and corrective/preventive actions, each with an owner, a due date and a check.")


def _snap(a):
    return {"id": a.id, "month": a.month, "source_kind": a.source_kind, "source_ref": a.source_ref, "kind": a.kind,
            "owner_id": a.owner_id, "due_date": a.due_date.isoformat(), "status": a.status}


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@blp.route("/analysis")
class Analysis(MethodView):
    @blp.arguments(MonthArgs, location="query")
    @blp.response(200, AnalysisOut)
    @requires("corrective.view")
    def get(self, args):
        """The month to analyse: fault notices by problem, overdue orders and requests, and their actions."""
        out = ca.analysis(resolve_site(args.get("site_id")), args["month"])
        for key in ("overdue_orders", "overdue_requests"):
            out[key] = [{k: _iso(v) for k, v in row.items()} for row in out[key]]
        return out


@blp.route("")
class Actions(MethodView):
    @blp.arguments(MonthArgs, location="query")
    @blp.response(200, ActionList)
    @requires("corrective.view")
    def get(self, args):
        """The month's register of actions (overdue ones flagged)."""
        return {"items": ca.register(resolve_site(args.get("site_id")), args["month"])}

    @idempotent
    @blp.arguments(ActionIn)
    @blp.response(201, ActionOut)
    @declares("corrective.create")
    def post(self, data):
        """Register a root cause and its corrective or preventive action, with an owner and a due date."""
        if data["site_id"] not in site_ids():
            raise Invalid({"site_id": "No such site."})
        site = Site.get_by_id(data.pop("site_id"))
        month = data.pop("month")
        with write_tx():
            a = ca.create(site, month, g.user, **data)
            audit("corrective_action.create", "corrective_action", a.id, a.site_id, after=_snap(a))
        return a


@blp.route("/<int:action_id>/done")
class Done(MethodView):
    @idempotent
    @blp.arguments(NoteIn)
    @blp.response(200, ActionOut)
    @declares("corrective.done")
    def post(self, data, action_id):
        """The owner (or a supervisor) marks the action carried out."""
        with write_tx():
            a = ca.mark_done(action_id, g.user, data["note"], site_ids())
            audit("corrective_action.done", "corrective_action", a.id, a.site_id, after=_snap(a))
        return a


@blp.route("/<int:action_id>/verify")
class Verify(MethodView):
    @idempotent
    @blp.arguments(VerifyIn)
    @blp.response(200, ActionOut)
    @declares("corrective.verify")
    def post(self, data, action_id):
        """Someone other than the owner checks it: effective (verified) or not (open again)."""
        with write_tx():
            a = ca.verify(action_id, g.user, data["effective"], data["note"], site_ids())
            audit("corrective_action.verify", "corrective_action", a.id, a.site_id, after=_snap(a))
        return a


@blp.route("/report.xlsx")
class Report(MethodView):
    @blp.arguments(MonthArgs, location="query")
    @blp.response(200, description="The month's register as an Excel workbook.",
                  content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    @requires("corrective.view")
    def get(self, args):
        """The month's root causes and actions as .xlsx (owner, due date, done, verified, overdue)."""
        site = resolve_site(args.get("site_id"))
        body = ca.workbook(site, args["month"], ca.register(site, args["month"]))
        return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename=corrective-actions-{site.code}-"
                                                        f"{args['month']}.xlsx", "Cache-Control": "no-store"})
