"""Complaints beyond their time limits (seed 003): valid/invalid, the reply in the owner's way, the
incoming-mail register, the general property manager; repair revisits passed on and reported (seed 002)."""
from flask import Response, g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import can, declares, requires, sites_in_scope
from api.db import relock, write_tx
from api.domain import complaints as cp
from api.idempotency import idempotent
from api.models import IncomingMail, RevisitReferral, ServiceRequest
from api.resources.complaints.schemas import (MailArgs, MailIn, MailList, MailOut, MonthArgs, ReasonIn, RecordOut,
                                              ReferralList, ReplyIn, RevisitReportOut, SiteArg, StatsOut, ValidityIn)
from api.resources.ledger.routes import resolve_site
from api.resources.requests.routes import _load

blp = Blueprint("complaints", __name__, url_prefix="",
                description="Complaint validity, replies, the incoming-mail register; repair-revisit reports.")


def _record_out(rec):
    return rec


def _audited(req, action, rec_or_obj, after):
    audit(action, "request", req.id, req.site_id, after=after)
    return rec_or_obj


@blp.route("/requests/<int:request_id>/validity")
class Validity(MethodView):
    @idempotent
    @blp.arguments(ValidityIn)
    @blp.response(200, RecordOut)
    @declares("complaint.judge")
    def post(self, data, request_id):
        """有效/无效投诉: judge a complaint valid or invalid, with the reason (service desk)."""
        with write_tx():
            req = _load(request_id)
            rec = cp.judge(req, g.user, data["valid"], data["reason"])
            _audited(req, "complaint.judge", rec, {"valid": rec.valid, "reason": rec.validity_reason})
        return rec


@blp.route("/requests/<int:request_id>/reply")
class Reply(MethodView):
    @idempotent
    @blp.arguments(ReplyIn)
    @blp.response(200, RecordOut)
    @blp.alt_response(409, description="Not solved yet, already replied, or a letter not in the register.")
    @declares("complaint.reply")
    def post(self, data, request_id):
        """The reply once solved, the way the owner complained: visit, letter (in writing) or call."""
        with write_tx():
            req = relock(_load(request_id))  # locked before its status is checked (a reopen may be racing)
            rec = cp.reply(req, g.user, data["method"], data.get("text", ""))
            _audited(req, "complaint.reply", rec, {"method": rec.reply_method, "text": rec.reply_text[:500]})
        return rec


@blp.route("/requests/<int:request_id>/incoming-mail")
class RegisterMail(MethodView):
    @idempotent
    @blp.arguments(MailIn)
    @blp.response(201, MailOut)
    @blp.alt_response(409, description="Not a letter, or already registered.")
    @declares("complaint.register_mail")
    def post(self, data, request_id):
        """Log a written complaint in the incoming-mail register (收文登记本), numbered per site and year."""
        with write_tx():
            req = _load(request_id)
            mail = cp.register_mail(req, g.user, data["sender"], data["subject"], data["reported_to"])
            _audited(req, "complaint.mail_register", mail, {"mail_no": f"{mail.year}-{mail.number:04d}",
                                                            "reported_to": mail.reported_to})
        return mail


@blp.route("/requests/<int:request_id>/general-manager")
class GeneralManager(MethodView):
    @idempotent
    @blp.arguments(ReasonIn)
    @blp.response(200, RecordOut)
    @blp.alt_response(409, description="Not a special complaint with the duty manager, or already referred.")
    @declares("complaint.refer_general_manager")
    def post(self, data, request_id):
        """Beyond the duty manager's authority: on to the general property manager (暂行规定 5B, level 3)."""
        with write_tx():
            req = relock(_load(request_id))  # locked before its status is checked
            rec = cp.refer_to_general_manager(req, g.user, data["reason"])
            _audited(req, "complaint.general_manager", rec, {"level": 3, "reason": rec.gm_reason})
        return rec


@blp.route("/incoming-mail")
class MailRegister(MethodView):
    @blp.arguments(MailArgs, location="query")
    @blp.response(200, MailList)
    @requires("request.view")
    def get(self, args):
        """The incoming-mail register of the caller's sites (one year if asked), newest first."""
        q = IncomingMail.select().where(IncomingMail.site.in_(sites_in_scope(args.get("site_id"))))
        if args.get("year"):
            q = q.where(IncomingMail.year == args["year"])
        return {"items": list(q.order_by(IncomingMail.id.desc()).limit(1000))}


@blp.route("/complaints/stats")
class Stats(MethodView):
    @blp.arguments(MonthArgs, location="query")
    @blp.response(200, StatsOut)
    @requires("complaint.stats")
    def get(self, args):
        """The month's complaints counted apart: valid, invalid (with reasons), unjudged; replies; letters."""
        return cp.stats(resolve_site(args.get("site_id")), args["month"])


@blp.route("/reports/repair-revisits")
class RevisitReport(MethodView):
    @blp.arguments(MonthArgs, location="query")
    @blp.response(200, RevisitReportOut)
    @requires("report.repair_revisits")
    def get(self, args):
        """维修回访月报 (seed 002): revisits, satisfaction, late, still due, rework, the unsatisfied passed on."""
        return cp.revisit_report(resolve_site(args.get("site_id")), args["month"])


@blp.route("/reports/repair-revisits.xlsx")
class RevisitReportXlsx(MethodView):
    @blp.arguments(MonthArgs, location="query")
    @blp.response(200, description="The month's repair-revisit report as an Excel workbook.",
                  content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    @requires("report.repair_revisits")
    def get(self, args):
        """The month's repair-revisit report as .xlsx for the department manager."""
        site = resolve_site(args.get("site_id"))
        body = cp.revisit_workbook(site, cp.revisit_report(site, args["month"]))
        return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename=repair-revisits-{site.code}-"
                                                        f"{args['month']}.xlsx", "Cache-Control": "no-store"})


@blp.route("/repair-revisits/referrals")
class Referrals(MethodView):
    @blp.arguments(SiteArg, location="query")
    @blp.response(200, ReferralList)
    @requires("report.repair_revisits")
    def get(self, args):
        """Unsatisfied revisits passed to a department head: a supervisor sees those passed to them."""
        q = (RevisitReferral.select().join(ServiceRequest)
             .where(ServiceRequest.site.in_(sites_in_scope(args.get("site_id")))))
        if not can("referral.view_all"):
            q = q.where(RevisitReferral.head == g.user.id)
        return {"items": list(q.order_by(RevisitReferral.id.desc()).limit(500))}
