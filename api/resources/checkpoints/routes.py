"""Checkpoints of the caller's sites, and the QR/NFC scan that finds one by its code."""
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import check_site, get_visible, site_ids
from api.domain.checklists import checklists_for, current_versions
from api.errors import NotFound
from api.models import Checkpoint, Site, Zone
from api.resources.checkpoints.schemas import (CheckpointOut, CheckpointQuery, ScannedCheckpointOut,
                                              SiteCheckpointQuery)

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
    def get(self, site_id, include_inactive=False):
        """The checkpoints of one of the caller's sites, in round order."""
        get_visible(Site, site_id, "site", site_attr="id")
        return _listing([site_id], include_inactive)


@blp.route("/checkpoints")
class Checkpoints(MethodView):
    @blp.arguments(CheckpointQuery, location="query", as_kwargs=True)
    @blp.response(200, CheckpointOut(many=True))
    def get(self, site_id=None, include_inactive=False):
        """The checkpoints of the caller's sites (or of one, with ``site_id``)."""
        if site_id is not None:
            check_site(site_id, "site")
            return _listing([site_id], include_inactive)
        return _listing(site_ids(), include_inactive)


@blp.route("/checkpoints/by-code/<code>")
class CheckpointByCode(MethodView):
    @blp.response(200, ScannedCheckpointOut)
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
