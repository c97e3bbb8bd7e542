"""Log in for a bearer token, and log out."""
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, g, redirect, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import declares, requires
from api import auth
from api.audit import audit
from api.db import write_tx
from api.domain import permissions
from api.errors import TooManyRequests, Unauthorized
from api.models import User
from api.resources.auth.schemas import LoginIn, LoginOut, SessionIn
from api.resources.common import Shown

SESSION_COOKIE = "patrol_session"

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Logging in and out.")


@blp.route("/login")
class Login(MethodView):
    public = True

    @blp.arguments(LoginIn)
    @blp.response(200, LoginOut)
    @blp.alt_response(401, description="Wrong username or password (the same answer for both).")
    @blp.alt_response(429, description="Too many failed logins for this account or address.")
    @blp.doc(security=[])
    @declares("auth.login")
    def post(self, data):
        """Exchange a username and password for a bearer token."""
        user, token = _log_in(data["username"], data["password"])
        # with the actions the caller may take, as GET /me gives them (clients keep no role lists)
        return {"token": token, "user": Shown(user, {"actions": permissions.allowed(user)})}


def _log_in(username, password):
    """(user, token) for a right username and password; 401 (or 429 when throttled) otherwise."""
    auth.check_throttle(username)
    user = User.get_or_none(User.username == username)
    if not auth.check_password(user, password) or not user.active:
        with write_tx():
            auth.record_failure(username)
        raise Unauthorized("Wrong username or password.")
    with write_tx():
        auth.clear_failures(username)
        token = auth.issue_token(user, request.headers.get("User-Agent", ""))
        audit("login", "user", user.id, user=user)
    g.user = user
    return user, token


def safe_next(target):
    """``target`` when it is an http(s) page of the host this request came to (any port: the console runs
    beside the API), else None: the login form must not be usable to send people elsewhere."""
    try:
        parts = urlsplit(target or "")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    allowed = {request.host.rsplit(":", 1)[0].strip("[]").lower()}
    console = current_app.config.get("PATROL_CONSOLE_URL") or ""
    if console:
        allowed.add((urlsplit(console).hostname or "").lower())
    return target if parts.hostname.lower() in allowed else None


def _with_query(url, **params):
    """``url`` with these query parameters set (a None value removes the parameter)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in params]
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


@blp.route("/session")
class Session(MethodView):
    public = True

    @blp.arguments(SessionIn, location="form")
    @blp.response(303, description="To ``next``, with the session cookie set (or ``login=failed`` on the URL).")
    @blp.doc(security=[])
    @declares("auth.login")
    def post(self, data):
        """A browser's login (the console's login form posts here): the token goes into an HttpOnly,
        SameSite=Strict cookie for this host, never into a URL; the browser goes back to ``next``. A post from a
        page of another site is refused (403, ``api/csrf.py``): nobody can log a browser in as someone else."""
        target = safe_next(data.get("next")) or "/"
        try:
            _user, token = _log_in(data["username"], data["password"])
        except TooManyRequests:
            return redirect(_with_query(target, login="throttled"), code=303)
        except Unauthorized:
            return redirect(_with_query(target, login="failed"), code=303)
        resp = redirect(_with_query(target, login=None), code=303)
        resp.set_cookie(SESSION_COOKIE, token, max_age=current_app.config.get("PATROL_TOKEN_TTL_HOURS", 720) * 3600,
                        httponly=True, samesite="Strict", secure=request.is_secure, path="/")
        return resp


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    @requires("auth.logout")
    def post(self):
        """Revoke the token used for this call."""
        with write_tx():
            auth.revoke_token(g.token)
            audit("logout", "user", g.user.id)
        return None
