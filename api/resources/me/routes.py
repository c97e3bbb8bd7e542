"""The caller."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import requires
from api.resources.auth.schemas import UserOut

blp = Blueprint("me", __name__, url_prefix="/me", description="Who am I.")


@blp.route("")
class Me(MethodView):
    @blp.response(200, UserOut)
    @requires("me.view")
    def get(self):
        """The logged-in user with the sites they belong to."""
        return g.user
