"""The vocabulary (词汇表): roles, trades, priorities, statuses, state machines and their labels."""
import hashlib
import json

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import requires
from api.domain import permissions, reports, vocabulary as vocab
from api.i18n import request_language
from api.resources.vocabulary.schemas import VocabularyArgs, VocabularyOut

blp = Blueprint("vocabulary", __name__, url_prefix="/vocabulary",
                description="The one vocabulary every client shows: values, state machines and labels.")


@blp.route("")
class Vocabulary(MethodView):
    @blp.arguments(VocabularyArgs, location="query")
    @blp.response(200, VocabularyOut)
    @blp.alt_response(304, description="The vocabulary has not changed since the ETag sent.")
    @requires("vocabulary.view")
    def get(self, args):
        """Every enum value with its label in the caller's language (``lang`` or ``Accept-Language``);
        cacheable: send ``If-None-Match`` with the ETag and get 304 while nothing changed."""
        lang = args.get("lang") or request_language()
        doc = dict(vocab.document(lang, permissions.machine_actors()), figures=reports.figure_definitions(lang))
        tag = '"%s"' % hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32]
        headers = {"ETag": tag, "Cache-Control": "private, max-age=300", "Vary": "Accept-Language",
                   "Content-Language": "zh-CN" if lang == "zh" else "en"}
        if tag in [t.strip() for t in (request.headers.get("If-None-Match") or "").split(",")]:
            return Response(status=304, headers=headers)
        return doc, 200, headers
