"""The caller's form drafts: a console form's unsent input, kept across a refresh and until the next day."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api import clock
from api.auth import requires
from api.domain import drafts
from api.resources.drafts.schemas import DraftIn, DraftOut

blp = Blueprint("drafts", __name__, url_prefix="/drafts",
                description="Unsent form input, per user (gone once sent, or after a week).")


@blp.route("/<string:form>")
class Draft(MethodView):
    @blp.response(200, DraftOut)
    @blp.alt_response(404, description="No draft of this form (never typed, sent, or stale).")
    @requires("draft.keep")
    def get(self, form):
        """The caller's draft of ``form``."""
        return drafts.get(g.user, form, clock.now())

    @blp.arguments(DraftIn)
    @blp.response(200, DraftOut)
    @requires("draft.keep")
    def put(self, data, form):
        """Keep the caller's draft of ``form`` (replaces the last one)."""
        return drafts.save(g.user, form, data["values"], clock.now())

    @blp.response(204)
    @requires("draft.keep")
    def delete(self, form):
        """Forget the caller's draft of ``form`` (the form was sent or cleared); safe to repeat."""
        drafts.discard(g.user, form)
        return None
