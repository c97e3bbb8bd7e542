"""Service desk (客服台): owners' complaints, repair requests and suggestions."""
from flask import Response, g
from flask.views import MethodView
from flask_smorest import Blueprint
from peewee import JOIN

from api.audit import audit
from api.auth import check_site, declares, get_visible, requires, site_ids, sites_in_scope
from api.db import relock, write_tx
from api.domain import deductions as dd
from api.domain import permissions
from api.domain.service_requests import (desk as request_desk, faults as request_faults, stats as request_stats,
                                         terms, upkeep)
from api.domain.service_requests.detail import request_detail
from api.errors import Conflict, Invalid, NotFound
from api.idempotency import idempotent
from api.models import Deduction, ServiceRequest, Site, User, utcnow
from api.pagination import paginate_desc_by_id
from api.resources.requests.schemas import (RequestDetailOut, RequestEscalatedArgs, RequestEscalateOut,
                                            RequestFaultIn, RequestFaultOut, RequestIn, RequestListArgs,
                                            RequestPage, RequestRevealArgs, RequestRevisitDueArgs,
                                            RequestRevisitIn, RequestStatsArgs, RequestStatsOut,
                                            RequestTransitionIn, RequestTransitionOut)

blp = Blueprint("requests", __name__, url_prefix="/requests",
                description="Service desk: complaints 投诉, repair requests 报修 and suggestions 建议 from owners.")


def _snapshot(req):
    return {"status": req.status, "scope": req.scope, "trade": req.trade, "handler_id": req.handler_id,
            "escalation_level": req.escalation_level, "satisfied": req.satisfied, "reopen_count": req.reopen_count}


def _load(request_id):
    return get_visible(ServiceRequest, request_id, "request")


def _detail(request_id, reveal=False):
    req = request_detail(request_id)
    req.show_owner = reveal
    return req


def _list_query(sites):
    handler = User.alias()
    creator = User.alias()
    return (ServiceRequest.select(ServiceRequest, handler, creator)
            .join(handler, JOIN.LEFT_OUTER, on=(ServiceRequest.handler == handler.id), attr="handler")
            .switch(ServiceRequest)
            .join(creator, on=(ServiceRequest.created_by == creator.id), attr="created_by")
            .where(ServiceRequest.site.in_(sites)))


@blp.route("")
class Requests(MethodView):
    @blp.arguments(RequestListArgs, location="query")
    @blp.response(200, RequestPage)
    @requires("request.view")
    def get(self, args):
        """Requests of the caller's sites, newest first; owners' names and phones masked.

        Search by building/unit/room or by the phone's last four digits without unmasking."""
        sites = sites_in_scope(args.get("site_id"))
        now = utcnow()
        q = _list_query(sites)
        status = args.get("status")
        if status == "active":
            q = q.where(ServiceRequest.status.in_(terms.ACTIVE))
        elif status:
            q = q.where(ServiceRequest.status == status)
        for key in ("kind", "channel", "category", "trade", "building", "unit", "room", "phone_last4"):
            if args.get(key):
                q = q.where(getattr(ServiceRequest, key) == args[key].strip())
        if args.get("overdue") is True:
            q = q.where(upkeep.overdue_condition(now))
        elif args.get("overdue") is False:
            q = q.where(~upkeep.overdue_condition(now))
        if args.get("escalated") is not None:
            q = q.where((ServiceRequest.escalation_level > 0) if args["escalated"]
                        else (ServiceRequest.escalation_level == 0))
        if args.get("min_level"):
            q = q.where(ServiceRequest.escalation_level >= args["min_level"])
        if args.get("revisit_due") is not None:
            q = q.where((ServiceRequest.status == "done") if args["revisit_due"]
                        else (ServiceRequest.status != "done"))
        rows, cursor = paginate_desc_by_id(q, ServiceRequest.id, args["limit"], args.get("cursor"))
        return {"items": rows, "next_cursor": cursor}

    @idempotent
    @blp.arguments(RequestIn)
    @blp.response(201, RequestDetailOut)
    @blp.alt_response(200, schema=RequestDetailOut, description="A retry with a known client_id.")
    @requires("request.create")
    def post(self, data):
        """Register a complaint, repair request or suggestion (its time limits come from policy)."""
        try:
            check_site(data["site_id"], "site")
        except NotFound:
            raise Invalid({"site_id": "No such site."})
        now = utcnow()
        data["received_at"] = data["received_at"] or now
        new = request_desk.NewRequest(**{k: v for k, v in data.items()})
        with write_tx():
            req, created = request_desk.register(new, g.user, visible_sites=site_ids(), now=now)
            if created:
                audit("request.create", "request", req.id, req.site_id, after=_snapshot(req))
        return _detail(req.id), (201 if created else 200)


@blp.route("/escalated")
class Escalated(MethodView):
    @blp.arguments(RequestEscalatedArgs, location="query")
    @blp.response(200, RequestPage)
    @requires("request.view")
    def get(self, args):
        """Active requests escalated to a level (1 cs supervisor, 2 deputy GM): the Today page's list."""
        sites = sites_in_scope(args.get("site_id"))
        q = _list_query(sites).where(ServiceRequest.status.in_(terms.ACTIVE)
                                     & (ServiceRequest.escalation_level >= args["min_level"]))
        rows, cursor = paginate_desc_by_id(q, ServiceRequest.id, args["limit"], args.get("cursor"))
        return {"items": rows, "next_cursor": cursor}


@blp.route("/revisit-due")
class RevisitDue(MethodView):
    @blp.arguments(RequestRevisitDueArgs, location="query")
    @blp.response(200, RequestPage)
    @requires("request.view")
    def get(self, args):
        """Completed requests whose owner has not been revisited yet (they stay here until they are)."""
        sites = sites_in_scope(args.get("site_id"))
        q = _list_query(sites).where(ServiceRequest.status == "done")
        rows, cursor = paginate_desc_by_id(q, ServiceRequest.id, args["limit"], args.get("cursor"))
        return {"items": rows, "next_cursor": cursor}


@blp.route("/escalate")
class Escalate(MethodView):
    @blp.response(200, RequestEscalateOut)
    @requires("request.escalate")
    def post(self):
        """Move overdue requests up a level and complete those whose orders are verified; safe from cron."""
        with write_tx():
            done = upkeep.upkeep(utcnow(), site_ids())
        return {"escalated": [{"id": i, "level": lvl} for i, lvl in done["escalated"]],
                "completed": done["completed"]}


def _stats(args):
    check_site(args["site_id"], "site")
    site = Site.get_by_id(args["site_id"])
    month = request_stats.parse_month(args["month"])
    stats, rows = request_stats.monthly_stats(site, month)
    return site, month, stats, rows


@blp.route("/stats")
class Stats(MethodView):
    @blp.arguments(RequestStatsArgs, location="query")
    @blp.response(200, RequestStatsOut)
    @requires("request.stats")
    def get(self, args):
        """The month's statistics for the department manager: by kind, building, department and channel,
        on-time and satisfaction rates, units complaining again about the same thing."""
        return _stats(args)[2]


@blp.route("/stats.xlsx")
class StatsXlsx(MethodView):
    @blp.arguments(RequestStatsArgs, location="query")
    @blp.response(200, description="The month's statistics as an Excel workbook (owners masked).")
    @requires("request.stats")
    def get(self, args):
        """The month's statistics as .xlsx."""
        site, month, stats, rows = _stats(args)
        body = request_stats.stats_workbook(site, month, stats, rows)
        return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="requests-{site.code}-{month}.xlsx"'})


@blp.route("/<int:request_id>")
class RequestOne(MethodView):
    @blp.arguments(RequestRevealArgs, location="query")
    @blp.response(200, RequestDetailOut)
    @requires("request.view")
    def get(self, args, request_id):
        """One request with its events and work orders; ``reveal=true`` shows the owner (audited)."""
        req = _load(request_id)
        if args["reveal"]:
            permissions.require(g.user, "request.reveal_owner", req)
            with write_tx():
                audit("view_owner", "request", req.id, req.site_id)
        return _detail(request_id, reveal=args["reveal"])


@blp.route("/<int:request_id>/transitions")
class Transitions(MethodView):
    @idempotent
    @blp.arguments(RequestTransitionIn)
    @blp.response(200, RequestTransitionOut)
    @blp.alt_response(409, description="Not allowed from the request's current status.")
    @declares("request.*")
    def post(self, data, request_id):
        """handle (the desk takes it), transfer (to a department: makes a work order), complete, reopen, cancel."""
        with write_tx():
            req = relock(_load(request_id))  # locked before its status is checked
            before = _snapshot(req)
            req, order = request_desk.transition(req, data["action"], g.user, trade=data.get("trade"),
                                       priority=data.get("priority"), note=data.get("note", ""))
            audit(f"request.{data['action']}", "request", req.id, req.site_id, before=before, after=_snapshot(req))
            if order is not None:
                audit("work_order.create", "work_order", order.id, order.site_id,
                      after={"status": order.status, "request_id": req.id, "trade": order.trade})
        out = _detail(request_id)
        out.work_order_id = order.id if order is not None else None
        return out


@blp.route("/<int:request_id>/revisit")
class Revisit(MethodView):
    @idempotent
    @blp.arguments(RequestRevisitIn)
    @blp.response(200, RequestDetailOut)
    @blp.alt_response(409, description="The request is not waiting for a revisit.")
    @declares("request.revisit")
    def post(self, data, request_id):
        """Record the owner's answer (回访): satisfied closes it, not satisfied reopens it and its orders."""
        with write_tx():
            req = relock(_load(request_id))  # locked before its status is checked
            before = _snapshot(req)
            request_desk.revisit(req, g.user, satisfied=data["satisfied"], note=data.get("note", ""))
            audit("request.revisit", "request", req.id, req.site_id, before=before, after=_snapshot(req))
            if not data["satisfied"]:  # seed 002: 及时将信息传递给维修部门负责人
                from api.domain.complaints import pass_to_department_heads

                pass_to_department_heads(req, g.user, data.get("note", ""))
        return _detail(request_id)


@blp.route("/<int:request_id>/faults")
class Faults(MethodView):
    @idempotent
    @blp.arguments(RequestFaultIn)
    @blp.response(201, RequestFaultOut)
    @blp.alt_response(200, schema=RequestFaultOut, description="A retry with a known client_id.")
    @blp.alt_response(409, description="The month is closed, or the request never ran overdue.")
    @requires("request.raise_fault")
    def post(self, data, request_id):
        """A supervisor's fault notice from a request: hidden (隐瞒), registered late (漏记/迟报) or overdue."""
        req = _load(request_id)
        with write_tx():
            req = relock(req)  # notices from one request one at a time: a racing retry finds the first
            if data.get("client_id"):
                earlier = Deduction.get_or_none(Deduction.client_id == data["client_id"])
                if earlier is not None:
                    if earlier.request_id != req.id:
                        raise Conflict("This client_id was already used for another fault notice.")
                    return {"deduction_ids": [earlier.id], "request_id": req.id}, 200
            d = request_faults.raise_fault(req, g.user, staff_id=data["staff_id"], fault=data["fault"], points=data["points"],
                               note=data.get("note", ""), supervisor_shares=data["supervisor_shares"],
                               client_id=data.get("client_id"))
            audit("deduction.create", "deduction", d.id, d.site_id, after=dd.snapshot(d))
        return {"deduction_ids": [d.id], "request_id": req.id}, 201
