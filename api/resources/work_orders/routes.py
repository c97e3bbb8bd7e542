"""Work orders: create from findings or by hand, list with deadlines, move through the lifecycle."""
from datetime import date
from zoneinfo import ZoneInfo

from flask import Response, g, render_template
from flask.views import MethodView
from flask_smorest import Blueprint
from peewee import JOIN

from api.audit import audit
from api.auth import check_site, declares, get_visible, requires, site_ids, sites_in_scope
from api.db import lock_key, relock, write_tx
from api.domain import exports, workorder_escalation, workorders as wo
from api.domain.workorder_detail import order_detail
from api.domain.policy import current_policy
from api.domain.reports import local_range
from api.errors import Invalid, NotFound
from api.idempotency import idempotent
from api.models import Finding, User, WorkOrder, Zone, utcnow
from api.pagination import paginate_desc_by_id
from api.resources.work_orders.schemas import (EscalateOut, TransitionIn, WorkOrderCreatedOut,
                                               WorkOrderDetailOut, WorkOrderExportArgs, WorkOrderIn, WorkOrderListArgs,
                                               WorkOrderPage)

blp = Blueprint("work_orders", __name__, url_prefix="/work-orders",
                description="Work orders (工单): dispatch, deadlines, revisits and rework.")


def visible_order(order_id):
    """An order of the caller's sites that the caller may open (field staff: theirs only); else 404."""
    order = get_visible(WorkOrder, order_id, "work order")
    if not wo.field_staff_may_see(order, g.user):
        raise NotFound("No such work order.")
    return order


def _snapshot(order):
    return {"status": order.status, "assignee_id": order.assignee_id, "reopen_count": order.reopen_count,
            "escalation_level": order.escalation_level}


def _created(orders):
    first = orders[0]
    first.created_ids = [o.id for o in orders]
    return first


def _earlier(client_id):
    earlier = wo.orders_for_client_id(client_id)
    if earlier:
        check_site(earlier[0].site_id, "work order")
        return _created(earlier)
    return None


def _listed(args, sites):
    """The orders a list or an export asks for (filters, search, registration days), newest first."""
    now = utcnow()
    q = (WorkOrder.select(WorkOrder, User, Zone)
         .join(User, join_type=JOIN.LEFT_OUTER, on=(WorkOrder.assignee == User.id), attr="assignee")
         .switch(WorkOrder).join(Zone, join_type=JOIN.LEFT_OUTER, on=(WorkOrder.zone == Zone.id), attr="zone")
         .where(WorkOrder.site.in_(sites)))
    q = wo.field_staff_filter(q, g.user)
    status = args.get("status")
    if status == "active":
        q = q.where(WorkOrder.status.in_(wo.ACTIVE))
    elif status:
        q = q.where(WorkOrder.status == status)
    for key, field in (("priority", WorkOrder.priority), ("zone_id", WorkOrder.zone),
                       ("assignee_id", WorkOrder.assignee), ("trade", WorkOrder.trade)):
        if args.get(key) is not None:
            q = q.where(field == args[key])
    if args.get("overdue") is True:
        q = q.where(wo.overdue_condition(now))
    elif args.get("overdue") is False:
        q = q.where(~wo.overdue_condition(now))
    if args.get("escalated") is not None:
        q = q.where((WorkOrder.escalation_level > 0) if args["escalated"] else (WorkOrder.escalation_level == 0))
    if args.get("revisit_due"):
        q = q.where((WorkOrder.status == "done"))
    text = (args.get("q") or "").strip()
    if text:
        number = text.lstrip("#")
        match = (WorkOrder.title.contains(text) | WorkOrder.description.contains(text)
                 | Zone.name.contains(text) | User.name.contains(text))
        q = q.where((WorkOrder.id == int(number)) | match if number.isdigit() and len(number) < 10 else match)
    if args.get("since") or args.get("until"):
        tz = ZoneInfo(current_policy()["timezone"])
        first = args.get("since") or date(2000, 1, 1)
        last = args.get("until") or date(2999, 12, 31)
        start, end = local_range(first, last, tz)
        q = q.where((WorkOrder.created_at >= start) & (WorkOrder.created_at < end))
    return q


@blp.route("")
class WorkOrders(MethodView):
    @blp.arguments(WorkOrderListArgs, location="query")
    @blp.response(200, WorkOrderPage)
    @requires("work_order.view")
    def get(self, args):
        """Work orders of the caller's sites, newest first (field staff see only their own)."""
        sites = sites_in_scope(args.get("site_id"))
        rows, cursor = paginate_desc_by_id(_listed(args, sites), WorkOrder.id, args["limit"], args.get("cursor"))
        return {"items": rows, "next_cursor": cursor}

    @idempotent
    @blp.arguments(WorkOrderIn)
    @blp.response(201, WorkOrderCreatedOut)
    @blp.alt_response(200, schema=WorkOrderCreatedOut, description="A retry with a known client_id.")
    @blp.alt_response(409, description="A finding is resolved, dismissed or already on an open order.")
    @requires("work_order.create")
    def post(self, data):
        """Create a work order by hand or from findings (one covering them all, or one per finding)."""
        client_id = data.pop("client_id", None)
        if client_id:
            earlier = _earlier(client_id)
            if earlier:
                return earlier, 200
        site_id = data.pop("site_id", None)
        if site_id is None and data["finding_ids"]:
            f = Finding.get_or_none(Finding.id == data["finding_ids"][0])
            site_id = f.site_id if f else None
        if site_id is None:
            raise Invalid({"site_id": "Say which site (or give findings)."})
        try:
            check_site(site_id, "site")
        except NotFound:
            raise Invalid({"site_id": "No such site."})
        finding_ids = data.pop("finding_ids")
        one_per = data.pop("one_per_finding")
        kw = dict(trade=data.get("trade"), title=data.get("title"), description=data.get("description", ""),
                  priority=data.get("priority"), zone=data.get("zone_id"), assignee=data.get("assignee_id"),
                  scheduled_for=data.get("scheduled_for"))
        with write_tx():
            if client_id:
                lock_key(f"work_order.client_id:{client_id}")  # two racing retries: one makes it
                earlier = _earlier(client_id)
                if earlier:
                    return earlier, 200
            if finding_ids:
                orders = wo.create_from_findings(site=site_id, created_by=g.user, finding_ids=finding_ids,
                                                 one_per_finding=one_per, client_id=client_id, **kw)
            else:
                orders = [wo.create_work_order(site=site_id, created_by=g.user, client_id=client_id, **kw)]
            for o in orders:
                audit("work_order.create", "work_order", o.id, o.site_id, after=_snapshot(o))
        return _created(orders)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/export.xlsx")
class Export(MethodView):
    @blp.arguments(WorkOrderExportArgs, location="query")
    @blp.response(200, description="Excel workbook: one row per order, in words.", content_type=XLSX)
    @requires("work_order.export")
    def get(self, args):
        """The orders a list asks for (any status, search, days) as an Excel workbook (at most 5,000)."""
        sites = sites_in_scope(args.get("site_id"))
        rows = list(_listed(args, sites).order_by(WorkOrder.id.desc()).limit(5000))
        tz = ZoneInfo(current_policy()["timezone"])
        return Response(exports.work_orders_xlsx(rows, tz), mimetype=XLSX, headers={
            "Content-Disposition": "attachment; filename=work-orders.xlsx", "Cache-Control": "no-store"})


@blp.route("/<int:order_id>/print.html")
class Print(MethodView):
    @blp.response(200, description="A printable dispatch note (派工单) for teams without phones.",
                  content_type="text/html")
    @requires("work_order.print")
    def get(self, order_id):
        """The order as a printable 派工单: what, where, deadlines, and room for signatures."""
        order = get_visible(WorkOrder, order_id, "work order")
        return Response(render_template("work_order_print.html", **exports.work_order_sheet(order)),
                        mimetype="text/html", headers={"Cache-Control": "no-store"})


@blp.route("/escalate")
class Escalate(MethodView):
    @blp.response(200, EscalateOut)
    @requires("work_order.escalate")
    def post(self):
        """Move overdue orders up a level (supervisor, then manager); safe to run from cron anywhere."""
        with write_tx():
            steps = workorder_escalation.escalate_overdue(utcnow(), site_ids())
        return {"escalated": [{"id": i, "level": lvl} for i, lvl in steps]}


@blp.route("/<int:order_id>")
class WorkOrderOne(MethodView):
    @blp.response(200, WorkOrderDetailOut)
    @requires("work_order.view")
    def get(self, order_id):
        """One work order with its events, findings, photos, deadlines and countdowns."""
        visible_order(order_id)
        return order_detail(order_id)


@blp.route("/<int:order_id>/transitions")
class Transitions(MethodView):
    @idempotent
    @blp.arguments(TransitionIn)
    @blp.response(200, WorkOrderDetailOut)
    @blp.alt_response(403, description="Not yours to move (technicians move only their own orders).")
    @blp.alt_response(409, description="Not allowed from the order's current status.")
    @declares("work_order.*")
    def post(self, data, order_id):
        """Assign, accept, start, finish (with after-photos), verify (the revisit), reopen or cancel."""
        with write_tx():
            # the row locked before its status is checked: concurrent moves wait, then see the new status
            order = relock(visible_order(order_id))
            before = _snapshot(order)
            wo.transition(order, data["action"], g.user, assignee_id=data.get("assignee_id"),
                          note=data.get("note", ""), photo_ids=data.get("photo_ids") or [],
                          satisfied=data.get("satisfied"), actor_site_ids=site_ids())
            audit(f"work_order.{data['action']}", "work_order", order.id, order.site_id, before=before,
                  after=_snapshot(order))
        return order_detail(order_id)
