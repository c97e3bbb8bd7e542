"""Reports for the console: today's figures, pass rates, zone ranking and work-order performance."""
from datetime import timedelta, timezone

from flask import Response, render_template
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import requires
from api.domain import reports
from api.domain import workorders as wo
from api.domain.deadlines import month_of
from api.models import utcnow
from api.resources.ledger.routes import resolve_site
from api.resources.reports.schemas import (PassRateArgs, PassRateOut, RoundsReportArgs, SummaryArgs, SummaryOut,
                                           WorkOrderReportArgs, WorkOrderReportOut, ZoneRankingArgs,
                                           ZoneRankingOut)

blp = Blueprint("reports", __name__, url_prefix="/reports", description="Key figures, aggregated on the server.")


def _today(site):
    return utcnow().replace(tzinfo=timezone.utc).astimezone(wo.site_tz(site)).date()


def _range(site, args):
    until = args.get("until") or _today(site)
    since = args.get("since") or until - timedelta(days=29)
    return since, until


@blp.route("/summary")
class Summary(MethodView):
    @blp.arguments(SummaryArgs, location="query")
    @blp.response(200, SummaryOut)
    @requires("report.summary")
    def get(self, args):
        """The Today page: rounds done/due/missed, open findings, open/overdue orders, SLA, rework."""
        site = resolve_site(args.get("site_id"))
        now = utcnow()
        return reports.summary(site, args.get("date") or _today(site), now)


@blp.route("/pass-rate")
class PassRate(MethodView):
    @blp.arguments(PassRateArgs, location="query")
    @blp.response(200, PassRateOut)
    @requires("report.view")
    def get(self, args):
        """Checklist pass rate by checklist or zone, per day, week or month."""
        site = resolve_site(args.get("site_id"))
        since, until = _range(site, args)
        series = reports.pass_rate([site.id], since, until, wo.site_tz(site), args["group"], args["interval"])
        return {"site_id": site.id, "since": since, "until": until, "group": args["group"],
                "interval": args["interval"], "series": series}


@blp.route("/zone-ranking")
class ZoneRanking(MethodView):
    @blp.arguments(ZoneRankingArgs, location="query")
    @blp.response(200, ZoneRankingOut)
    @requires("report.view")
    def get(self, args):
        """片区评比: the site's zones ranked for a month."""
        site = resolve_site(args.get("site_id"))
        month = args.get("month") or month_of(utcnow(), wo.site_tz(site))
        return {"site_id": site.id, "month": month, "zones": reports.zone_ranking(site, month)}


@blp.route("/work-orders")
class WorkOrderReport(MethodView):
    @blp.arguments(WorkOrderReportArgs, location="query")
    @blp.response(200, WorkOrderReportOut)
    @requires("report.view")
    def get(self, args):
        """SLA compliance, mean time to respond/resolve and rework rate by trade, zone or person."""
        site = resolve_site(args.get("site_id"))
        since, until = _range(site, args)
        start, end = reports.local_range(since, until, wo.site_tz(site))
        return {"site_id": site.id, "since": since, "until": until, "by": args["by"],
                "overall": reports.work_order_figures([site.id], start, end),
                "groups": reports.work_order_figures([site.id], start, end, by=args["by"])}


@blp.route("/rounds.html")
class RoundsPrint(MethodView):
    @blp.arguments(RoundsReportArgs, location="query")
    @blp.response(200, description="The day's round report, ready to print.", content_type="text/html")
    @requires("report.view")
    def get(self, args):
        """The day's rounds as walked (GET /rounds: the same timing, order and proof) as a printable
        report: one table per round, who walked it, the gap between scans, and room for a signature."""
        from api.domain.rounds import rounds_of
        from api.domain.vocabulary import label
        from api.models import Inspection, User
        from api.resources.tasks.routes import _day_tasks

        site = resolve_site(args.get("site_id"))
        day, _now, tasks = _day_tasks(args.get("date"), site.id)
        rounds = rounds_of(tasks)
        tz = wo.site_tz(site)
        ids = [p["inspection_id"] for r in rounds for p in r["points"] if p["inspection_id"]]
        walkers = {i.id: (i.inspector.name, i.failed_count) for i in
                   Inspection.select(Inspection, User).join(User).where(Inspection.id.in_(ids))} if ids else {}

        def local(dt):
            return dt.replace(tzinfo=timezone.utc).astimezone(tz).strftime("%H:%M") if dt else ""

        for r in rounds:
            previous = None
            for p in sorted(r["points"], key=lambda p: (p["walked_at"] is None, p["walked_at"] or p["due_at"])):
                p["time"] = local(p["walked_at"])
                p["gap_text"] = (f"{round((p['walked_at'] - previous).total_seconds() / 60)} 分钟"
                                 if p["walked_at"] and previous else "")
                previous = p["walked_at"] or previous
                p["timing_text"] = label("round_timing", p["timing"]) + ("，顺序颠倒" if p["out_of_order"] else "")
                p["walker"], p["failed"] = walkers.get(p["inspection_id"], ("", None))
            r["local_time"] = local(r["due_at"])
            r["walkers"] = sorted({p["walker"] for p in r["points"] if p["walker"]})
        html = render_template("round_report.html", site=site, day=day.isoformat(), rounds=rounds,
                               printed_at=utcnow().replace(tzinfo=timezone.utc).astimezone(tz).strftime("%Y-%m-%d %H:%M"))
        return Response(html, mimetype="text/html", headers={"Cache-Control": "no-store"})
