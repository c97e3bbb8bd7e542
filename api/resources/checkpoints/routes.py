"""Checkpoints of the caller's sites, and the QR/NFC scan that finds one by its code."""
import os

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import check_site, get_visible, requires, site_ids
from api.domain.checklist_versions import current_versions
from api.domain.checklists import checklists_for
from api.errors import NotFound
from api.models import Checkpoint, Site, Zone
from api.resources import org_crud
from api.resources.checkpoints.schemas import (CheckpointBody, CheckpointOut, CheckpointPatch, CheckpointQuery,
                                              CheckpointRowOut, LabelArgs, ScannedCheckpointOut, SiteCheckpointQuery)

blp = Blueprint("checkpoints", __name__, url_prefix="",
                description="Checkpoints: the places on a round, each with a QR/NFC code.")


def _with_checklists(checkpoints):
    versions = current_versions()
    for cp in checkpoints:
        cp.checklists = checklists_for(cp.checklist_keys, versions)
    return checkpoints


def _listing(ids, include_inactive=False):
    query = (Checkpoint.select(Checkpoint, Zone).join(Zone).where(Checkpoint.site.in_(ids)))
    if not include_inactive:
        query = query.where(Checkpoint.active == True)  # noqa: E712
    return _with_checklists(list(query.order_by(Checkpoint.site, Checkpoint.sort_order, Checkpoint.id)))


@blp.route("/sites/<int:site_id>/checkpoints")
class SiteCheckpoints(MethodView):
    @blp.arguments(SiteCheckpointQuery, location="query", as_kwargs=True)
    @blp.response(200, CheckpointOut(many=True))
    @requires("org.view")
    def get(self, site_id, include_inactive=False):
        """The checkpoints of one of the caller's sites, in round order."""
        get_visible(Site, site_id, "site", site_attr="id")
        return _listing([site_id], include_inactive)


@blp.arguments(CheckpointQuery, location="query", as_kwargs=True)
@blp.response(200, CheckpointOut(many=True))
@requires("org.view")
def list_checkpoints(self, site_id=None, include_inactive=False):
    """The checkpoints of the caller's sites (or of one, with ``site_id``)."""
    if site_id is not None:
        check_site(site_id, "site")
        return _listing([site_id], include_inactive)
    return _listing(site_ids(), include_inactive)


org_crud.register_crud(blp, "checkpoints", body=CheckpointBody, patch=CheckpointPatch, row_out=CheckpointRowOut,
                       nouns="checkpoints", collection="/checkpoints", id_name="checkpoint_id",
                       list_view=list_checkpoints, docs={
                           "create": "Create a checkpoint (manager of its site, or admin); the same body again "
                                     "answers the stored one (200). Its checklists apply to tasks made from now on.",
                           "get": "One checkpoint of the caller's sites as its row (codes; another site's answers 404).",
                           "patch": "Change some fields; changed checklists apply to new tasks, never to "
                                    "inspections already made.",
                           "deactivate": "Retire a checkpoint: no new tasks, its history stays."})


@blp.route("/checkpoints/labels")
class CheckpointLabels(MethodView):
    @blp.arguments(LabelArgs, location="query")
    @blp.response(200, description="A printable HTML page of QR labels.", content_type="text/html")
    @requires("checkpoint.labels")
    def get(self, args):
        """A printable A4 sheet (3 x 7 stickers) of QR labels for a site's active checkpoints, or just the
        ones in ``ids`` (e.g. the new ones); the QR codes point to ``<public url>/m/#/scan/<code>``."""
        from api.commands.checkpoints import label_rows, render_labels

        site = get_visible(Site, args["site_id"], "site", site_attr="id")
        site_row, cps = label_rows(site, ids=args.get("ids"))
        if not cps:
            raise NotFound("No active checkpoints to label.")
        base = (current_app.config.get("PATROL_PUBLIC_URL") or os.environ.get("PATROL_PUBLIC_URL")
                or request.host_url)
        body = render_labels(site_row, cps, base)
        return Response(body, mimetype="text/html", headers={"Cache-Control": "no-store"})


@blp.route("/checkpoints/by-code/<code>")
class CheckpointByCode(MethodView):
    @blp.response(200, ScannedCheckpointOut)
    @requires("org.view")
    def get(self, code):
        """The QR scan: the checkpoint with its zone, site and the checklists (current versions)
        that apply; another site's code answers 404 like an unknown one."""
        code = code.strip()
        cp = None if len(code) > 64 else (
            Checkpoint.select(Checkpoint, Zone, Site).join(Zone).switch(Checkpoint).join(Site)
            .where((Checkpoint.code == code) & (Checkpoint.active == True))  # noqa: E712
            .first())
        if cp is None:
            raise NotFound("No such checkpoint.")
        check_site(cp.site_id, "checkpoint")
        return _with_checklists([cp])[0]
