"""Log in for a bearer token, and log out."""
from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api import auth
from api.audit import audit
from api.db import write_tx
from api.errors import Unauthorized
from api.models import User
from api.resources.auth.schemas import LoginIn, LoginOut

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Logging in and out.")


@blp.route("/login")
class Login(MethodView):
    public = True

    @blp.arguments(LoginIn)
    @blp.response(200, LoginOut)
    @blp.alt_response(401, description="Wrong username or password (the same answer for both).")
    @blp.alt_response(429, description="Too many failed logins for this account or address.")
    @blp.doc(security=[])
    def post(self, data):
        """Exchange a username and password for a bearer token."""
        auth.check_throttle(data["username"])
        user = User.get_or_none(User.username == data["username"])
        if not auth.check_password(user, data["password"]) or not user.active:
            with write_tx():
                auth.record_failure(data["username"])
            raise Unauthorized("Wrong username or password.")
        with write_tx():
            auth.clear_failures(data["username"])
            token = auth.issue_token(user, request.headers.get("User-Agent", ""))
            audit("login", "user", user.id, user=user)
        g.user = user
        return {"token": token, "user": user}


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self):
        """Revoke the token used for this call."""
        with write_tx():
            auth.revoke_token(g.token)
            audit("logout", "user", g.user.id)
        return None
