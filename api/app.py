"""The application factory."""
import logging
import uuid

from flask import Flask, Request, current_app, g, request
from flask.sessions import SessionInterface
from flask_smorest import Api
from werkzeug.routing import IntegerConverter

from api.config import Config
from api.db import db, init_db, is_sqlite
from api.errors import register_error_handlers


class _NoCookieSessions(SessionInterface):
    """Flask's ``session`` is never used by this API; it stays an empty, read-only NullSession."""

    def open_session(self, app, request):
        return None

    def save_session(self, app, session, response):
        return None


class _Request(Request):
    """Uploaded files up to 8 MB (a phone photo) stay in memory instead of a temporary file."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        import tempfile

        return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="rb+")


class _DatabaseInt(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2 ** 31 - 1)
        super().__init__(url_map, *args, **kwargs)

    def to_python(self, value):
        if len(value) > 12:  # longer than any id: a 404, before int() meets 4,300 digits
            from werkzeug.routing import ValidationError

            raise ValidationError()
        return super().to_python(value)


def create_app(test_config=None):
    """Build the Flask app; ``test_config`` is a mapping that overrides the environment."""
    app = Flask(__name__)
    app.request_class = _Request
    app.config.from_mapping(Config(test_config).as_dict())
    hops = int(app.config.get("PATROL_TRUSTED_PROXIES") or 0)
    if hops > 0:
        # the real caller's address and scheme from the trusted proxies' X-Forwarded-* headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # bearer tokens only: no cookie session to open and sign on every request (a measurable share
    # of a cheap request's time)
    app.session_interface = _NoCookieSessions()
    logging.basicConfig(level=logging.INFO)
    # settings, checklists and policy are checked here, once: a problem stops the start with its
    # file:line, instead of reaching a client as an error about the server's files
    from api.home import StartupProblems, problems
    found = problems(app.config)
    if found:
        raise StartupProblems(found)

    init_db(app.config["DATABASE_URL"], app.config["PATROL_SQLITE_SYNCHRONOUS"])
    from api.domain import policy as _policy
    _policy.configure(app.config["PATROL_CHECKLISTS_DIR"])  # and its versions read afresh from this binding

    # <int:...> in a URL stops at the largest database integer: a bigger one is a plain 404
    app.url_map.converters["int"] = _DatabaseInt
    api = Api(app, spec_kwargs={
        "info": {"description": (__import__("api").__doc__ or "").strip()},
    })
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]

    from api.resources import register_resources
    register_resources(api)

    from api import docs
    app.register_blueprint(docs.bp)
    from api.phone import bp as phone_bp
    app.register_blueprint(phone_bp)

    register_error_handlers(app)

    from api.domain.policy import PolicyUnavailable

    @app.errorhandler(PolicyUnavailable)
    def _policy_unavailable(err):
        # the server's own files or database are at fault: logged here, never shown to the client
        logging.getLogger("api.policy").error("policy unavailable: %s", err)
        from flask import jsonify
        from api.errors import error_body
        resp = jsonify(error_body(503, "The server is not set up correctly; an administrator was told."))
        resp.status_code = 503
        return resp
    from api.compress import init_compression
    init_compression(app)
    from api.storage import make_storage
    app.extensions["patrol_storage"] = make_storage(app.config)

    @app.before_request
    def _before():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        if not request.path.startswith("/api/"):
            return None
        from api.hostile import refuse_unreadable_json
        refuse_unreadable_json(request)
        db.connect(reuse_if_open=True)
        view = current_app.view_functions.get(request.endpoint)
        if view is None or request.method == "OPTIONS":
            return None
        if getattr(view, "public", False) or getattr(getattr(view, "view_class", None), "public", False):
            return None
        if request.path.startswith("/api/v1/openapi.json"):
            return None
        from api.auth import authenticate
        authenticate()
        return None

    @app.after_request
    def _after(resp):
        resp.headers["X-Request-Id"] = g.get("request_id", "")
        from api import headers
        headers.apply(resp)
        if request.path.startswith("/api/"):
            resp.vary.add("Accept-Language")  # messages are in the caller's language
        return resp

    @app.teardown_request
    def _teardown(exc):
        # SQLite keeps one connection per worker (reconnecting cost a quarter of throughput);
        # a pooled PostgreSQL connection goes back to the pool.
        if not db.is_closed() and not is_sqlite():
            db.close()

    return app
