"""The phone's first and every later sync in one request: who, where, which checklists, today's tasks."""
import hashlib
import json

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from peewee import JOIN

from api.auth import can, requires, site_ids
from api.domain import permissions, vocabulary
from api.domain import workorders as wo
from api.domain.checklist_versions import current_versions
from api.domain.policy import current_policy
from api.domain.schedules import local_today, tasks_for
from api.errors import Forbidden
from api.models import Site, User, WorkOrder, Zone, utcnow
from api.resources.checklists.routes import _document
from api.resources.checkpoints.routes import _listing
from api.resources.common import Shown
from api.resources.sync.schemas import SyncOut, SyncQuery

blp = Blueprint("sync", __name__, url_prefix="/sync",
                description="Everything the phone keeps for working offline, in one answer.")

_OUT = SyncOut()
# the label kinds the phone shows, in both languages: switching language works offline, and the ETag
# does not depend on Accept-Language
PHONE_LABELS = {lang: vocabulary.labels(lang, ("priority", "wo_status", "task_status", "trade"))
                for lang in vocabulary.LANGS}


def _checklists(have):
    out = {}
    for key, v in sorted(current_versions().items()):
        data, etag = _document(v.version_id, v.version, v.content_hash)
        out[key] = {"etag": etag, "document": None if etag in have else json.loads(data)}
    return out


def _work_orders(sites):
    if can("work_order.view_all"):  # desk staff: no list of "my orders"
        return None
    q = (WorkOrder.select(WorkOrder, User, Zone)
         .join(User, join_type=JOIN.LEFT_OUTER, on=(WorkOrder.assignee == User.id), attr="assignee")
         .switch(WorkOrder).join(Zone, join_type=JOIN.LEFT_OUTER, on=(WorkOrder.zone == Zone.id), attr="zone")
         .where(WorkOrder.site.in_(sites) & (WorkOrder.assignee == g.user.id) & WorkOrder.status.in_(wo.ACTIVE))
         .order_by(WorkOrder.id.desc()).limit(100))
    return list(q)


@blp.route("")
class Sync(MethodView):
    @blp.arguments(SyncQuery, location="query")
    @blp.response(200, SyncOut)
    @blp.alt_response(304, description="Nothing changed since the ETag given in If-None-Match.")
    @requires("sync.pull")
    def get(self, args):
        """Me, my sites, their checkpoints, every checklist's current version (only the ETag of those
        named in ``have``), the day's tasks and a technician's orders. ETag over the whole answer:
        If-None-Match answers 304 when nothing changed."""
        mine = site_ids()
        sites = list(Site.select().where(Site.id.in_(mine)).order_by(Site.id))
        now = utcnow()
        day = args["date"] or local_today(sites[0].timezone if sites else "Asia/Shanghai", now)
        try:
            tasks = {"date": day, "items": tasks_for(sites, day, g.user.role, now)}
        except Forbidden:  # the service desk walks no rounds
            tasks = None
        have = {e.strip().strip('"') for e in args["have"].split(",") if e.strip()}
        policy = current_policy()
        parts = {"me": Shown(g.user, {"actions": permissions.allowed(g.user)}), "sites": sites, "checkpoints": _listing(mine), "tasks": tasks,
                 "photo_policy": policy["photos"], "work_orders": _work_orders(mine),
                 "phone_policy": {"presence": policy["presence"], "phone": policy["phone"]},
                 "labels": PHONE_LABELS}
        checklists = _checklists(set())
        # the ETag is over everything (whichever checklists the phone said it holds), so the next
        # sync's If-None-Match matches whatever ``have`` it sends
        full = json.dumps(_OUT.dump(dict(parts, checklists=checklists)), ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
        etag = hashlib.sha256(full).hexdigest()[:32]
        if request.if_none_match.contains_weak(etag):
            resp = current_app.response_class(status=304)
        else:
            lean = {k: ({"etag": c["etag"], "document": None} if c["etag"] in have else c)
                    for k, c in checklists.items()}
            data = full if not have else json.dumps(_OUT.dump(dict(parts, checklists=lean)), ensure_ascii=False,
                                                    separators=(",", ":")).encode("utf-8")
            resp = current_app.response_class(data, mimetype="application/json")
        resp.set_etag(etag)
        resp.headers["Cache-Control"] = "private, no-cache"
        return resp
