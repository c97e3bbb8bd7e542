"""Checklists: the current version of each, and every stored version (immutable)."""
import json

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import requires
from api.domain.checklist_versions import current_versions, find_version, load_body
from api.resources.checklists.schemas import ChecklistSummaryOut, ChecklistVersionOut

blp = Blueprint("checklists", __name__, url_prefix="/checklists",
                description="Checklists (from checklists/*.yaml) and their immutable versions.")

_ITEM_FIELDS = ("key", "text", "text_en", "trade", "photo_required_on_fail", "priority", "points", "resolve_hours")
_documents = {}  # (version id, version, content hash) -> (json bytes, etag); versions never change


def version_document(number, digest, body):
    """A stored version as the API shows it: the body format plus its number and content hash."""
    return {"key": body["key"], "name": body["name"], "name_en": body["name_en"], "trade": body["trade"],
            "applies_to": list(body["applies_to"]), "version": number, "content_hash": digest,
            "items": [{f: item.get(f) for f in _ITEM_FIELDS} for item in body["items"]]}


def _document(version_id, number, digest):
    key = (version_id, number, digest)
    cached = _documents.get(key)
    if cached is None:
        doc = version_document(number, digest, load_body(version_id, digest))
        if len(_documents) > 5000:
            _documents.clear()
        cached = _documents[key] = (json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                                    f"{digest}.{number}")
    return cached


def _respond(row, cache_control):
    data, etag = _document(*row)
    if request.if_none_match.contains_weak(etag):  # If-None-Match compares weakly (RFC 9110)
        resp = current_app.response_class(status=304)
    else:
        resp = current_app.response_class(data, mimetype="application/json")
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = cache_control
    return resp


@blp.route("")
class Checklists(MethodView):
    @blp.response(200, ChecklistSummaryOut(many=True))
    @requires("checklist.view")
    def get(self):
        """Every checklist with its current version number."""
        return [{"key": v.key, "name": v.name, "name_en": v.name_en, "trade": v.body["trade"],
                 "applies_to": v.body["applies_to"], "current_version": v.version,
                 "content_hash": v.content_hash, "item_count": len(v.body["items"])}
                for v in current_versions().values()]


@blp.route("/<key>")
class ChecklistCurrent(MethodView):
    @blp.response(200, ChecklistVersionOut)
    @blp.alt_response(304, description="Not modified: the If-None-Match ETag is still current.")
    @requires("checklist.view")
    def get(self, key):
        """The current version of a checklist with its items; strong ETag, 304 on If-None-Match."""
        return _respond(find_version(key), "private, no-cache")


@blp.route("/<key>/versions/<int:number>")
class ChecklistVersionOne(MethodView):
    @blp.response(200, ChecklistVersionOut)
    @blp.alt_response(304, description="Not modified: versions never change.")
    @requires("checklist.view")
    def get(self, key, number):
        """One stored version of a checklist (what an old inspection was made with)."""
        return _respond(find_version(key, number), "private, max-age=86400, immutable")
