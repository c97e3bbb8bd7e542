"""Findings: what failed items and ad-hoc reports say is wrong; list, read, report, dismiss."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from peewee import JOIN

from api.audit import audit
from api.auth import can, declares, requires, site_ids
from api.domain.findings import dismiss_finding, get_finding, photo_ids_by_finding, report_adhoc
from api.idempotency import idempotent
from api.models import Checkpoint, Finding, User, Zone
from api.pagination import encode_cursor, id_after
from api.resources.findings.schemas import AdhocIn, DismissIn, FindingOut, FindingPage, FindingQuery

blp = Blueprint("findings", __name__, url_prefix="/findings", description="Findings.")


def visible_findings(sites=None):
    """Guards and cleaners see what they reported; everyone else sees their sites' findings."""
    query = (Finding.select(Finding, Zone, Checkpoint, User)
             .join(Zone, on=(Finding.zone == Zone.id))
             .switch(Finding).join(Checkpoint, JOIN.LEFT_OUTER, on=(Finding.checkpoint == Checkpoint.id))
             .switch(Finding).join(User, on=(Finding.reported_by == User.id)))
    if sites is None:
        query = query.where(Finding.site.in_(site_ids()))
    if not can("finding.view_all"):
        query = query.where(Finding.reported_by == g.user.id)
    return query


def _page(query, sites, limit, cursor):
    """Newest first by id: one indexed, limited query per site, merged (``site IN (...) ORDER BY id``
    would sort every matching row at a million rows)."""
    after = id_after(cursor)
    if after is not None:
        query = query.where(Finding.id < after)
    query = query.order_by(Finding.id.desc()).limit(limit + 1)
    rows = sorted((r for s in sites for r in query.where(Finding.site == s)), key=lambda r: r.id, reverse=True)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].id) if more and rows else None)


def with_photos(findings):
    photos = photo_ids_by_finding([f.id for f in findings])
    return [{"finding": f, "photo_ids": photos[f.id]} for f in findings]


def _one(finding_id):
    finding = visible_findings().where(Finding.id == finding_id).first()
    if finding is None:
        get_finding(finding_id, [])  # raises the same 404 as a finding that does not exist
    return finding


@blp.route("")
class Findings(MethodView):
    @blp.arguments(FindingQuery, location="query")
    @blp.response(200, FindingPage)
    @requires("finding.view")
    def get(self, args):
        """Findings newest first, filtered by site, zone, checklist, status, trade and time."""
        sites = [s for s in site_ids() if args.get("site_id") in (None, s)]
        query = visible_findings(sites)
        for name, column in (("zone_id", Finding.zone),
                             ("checkpoint_id", Finding.checkpoint), ("checklist_key", Finding.checklist_key),
                             ("status", Finding.status), ("trade", Finding.trade), ("source", Finding.source)):
            if args.get(name) is not None:
                query = query.where(column == args[name])
        if args.get("since") is not None:
            query = query.where(Finding.created_at >= args["since"])
        if args.get("until") is not None:
            query = query.where(Finding.created_at < args["until"])
        rows, nxt = _page(query, sites, args["limit"], args["cursor"])
        return {"items": with_photos(rows), "next_cursor": nxt}

    @blp.arguments(AdhocIn)
    @blp.response(201, FindingOut)
    @blp.alt_response(200, schema=FindingOut, description="A retry: the report stored under this client_id.")
    @blp.alt_response(409, description="This client_id was already used for a different report.")
    @requires("finding.report")
    def post(self, data):
        """Report something wrong that is on no checklist (an ad-hoc finding)."""
        data = dict(data, client_id=str(data["client_id"]))
        finding, created = report_adhoc(g.user, data, site_ids=site_ids(), audit_fn=audit)
        return with_photos([_one(finding.id)])[0], (201 if created else 200)


@blp.route("/<int:finding_id>")
class FindingOne(MethodView):
    @blp.response(200, FindingOut)
    @requires("finding.view")
    def get(self, finding_id):
        """One finding with its photos, place, reporter and inspection."""
        return with_photos([_one(finding_id)])[0]


@blp.route("/<int:finding_id>/dismiss")
class FindingDismiss(MethodView):
    @idempotent
    @blp.arguments(DismissIn)
    @blp.response(200, FindingOut)
    @blp.alt_response(409, description="The finding is already being worked on or resolved.")
    @declares("finding.dismiss")
    def post(self, data, finding_id):
        """Dismiss an open finding as no real problem, with a reason (supervisors and up; audited)."""
        finding = get_finding(finding_id, site_ids())
        dismiss_finding(finding, g.user, data["reason"], audit_fn=audit)
        return with_photos([_one(finding_id)])[0]
