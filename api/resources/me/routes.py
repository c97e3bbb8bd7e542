"""The caller."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import requires
from api.domain import permissions
from api.resources.auth.schemas import MeOut
from api.resources.common import Shown

blp = Blueprint("me", __name__, url_prefix="/me", description="Who am I.")


@blp.route("")
class Me(MethodView):
    @blp.response(200, MeOut)
    @requires("me.view")
    def get(self):
        """The logged-in user with the sites they belong to and the actions they may take."""
        return Shown(g.user, {"actions": permissions.allowed(g.user)})
