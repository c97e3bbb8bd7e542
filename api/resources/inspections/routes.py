"""Inspections: submit a walked checklist (safe to retry), list and read them back."""
import uuid
from datetime import datetime

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import can, declares, requires, site_ids
from api.domain.inspections import inspection_detail, submit_inspection
from api.errors import NotFound
from api.models import Inspection
from api.pagination import bad_cursor, decode_cursor, encode_cursor
from api.resources.inspections.schemas import InspectionIn, InspectionOut, InspectionPage, InspectionQuery

blp = Blueprint("inspections", __name__, url_prefix="/inspections", description="Inspections.")

# schema instances made once: given a class, webargs builds a new schema (and its nested ones)
# on every request, a measurable share of a submission's time
INSPECTION_IN, INSPECTION_QUERY = InspectionIn(), InspectionQuery()


def visible_inspections():
    """Field staff see their own inspections; supervisors and up see their sites'."""
    query = Inspection.select().where(Inspection.site.in_(site_ids()))
    if not can("inspection.view_all"):
        query = query.where(Inspection.inspector == g.user.id)
    return query


def _page(query, sites, limit, cursor):
    """Newest received first, keyset on (received_at, id). One indexed, limited query per site,
    merged: ``site IN (...) ORDER BY`` would sort every matching row at a million rows."""
    after = decode_cursor(cursor)
    if after is not None:
        try:
            at, last_id = datetime.fromisoformat(after[0]), str(after[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise bad_cursor()
        # the first conjunct is a plain range on the index; the second breaks ties by id
        query = query.where((Inspection.received_at <= at)
                            & ((Inspection.received_at < at) | (Inspection.id < last_id)))
    query = query.order_by(Inspection.received_at.desc(), Inspection.id.desc()).limit(limit + 1)
    rows = [r for s in sites for r in query.where(Inspection.site == s)]
    rows.sort(key=lambda r: (r.received_at, r.id), reverse=True)
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor([rows[-1].received_at.isoformat(), rows[-1].id]) if more and rows else None
    return {"items": rows, "next_cursor": nxt}


@blp.route("")
class Inspections(MethodView):
    @blp.arguments(INSPECTION_IN)
    @blp.response(201, InspectionOut)
    @blp.alt_response(200, schema=InspectionOut, description="A retry: the inspection stored under this id.")
    @blp.alt_response(409, description="This id was already used for a different inspection.")
    @declares("inspection.submit")
    def post(self, data):
        """Submit an inspection; the same id and body again answer 200 with the stored one."""
        inspection, created = submit_inspection(
            g.user, data, site_ids=site_ids(), clock_skew_minutes=current_app.config["PATROL_CLOCK_SKEW_MINUTES"],
            audit_fn=audit)
        return inspection_detail(inspection), (201 if created else 200)

    @blp.arguments(INSPECTION_QUERY, location="query")
    @blp.response(200, InspectionPage)
    @requires("inspection.view")
    def get(self, args):
        """Inspections newest first (by server receive time), filtered; cursor pagination."""
        sites = [s for s in site_ids() if args.get("site_id") in (None, s)]
        query = Inspection.select()
        if not can("inspection.view_all"):
            query = query.where(Inspection.inspector == g.user.id)
        for name, column in (("zone_id", Inspection.zone),
                             ("checkpoint_id", Inspection.checkpoint), ("checklist_key", Inspection.checklist_key),
                             ("inspector_id", Inspection.inspector)):
            if args.get(name) is not None:
                query = query.where(column == args[name])
        if args.get("since") is not None:
            query = query.where(Inspection.received_at >= args["since"])
        if args.get("until") is not None:
            query = query.where(Inspection.received_at < args["until"])
        return _page(query, sites, args["limit"], args["cursor"])


@blp.route("/<string:inspection_id>")
class InspectionOne(MethodView):
    @blp.response(200, InspectionOut)
    @requires("inspection.view")
    def get(self, inspection_id):
        """One inspection with its results, their photo ids and the findings it opened."""
        try:
            key = str(uuid.UUID(inspection_id))
        except ValueError:
            raise NotFound("No such inspection.")
        inspection = visible_inspections().where(Inspection.id == key).first()
        if inspection is None:
            raise NotFound("No such inspection.")
        return inspection_detail(inspection)
