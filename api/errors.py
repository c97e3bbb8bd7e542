"""The one JSON error shape every 4xx/5xx uses, and the mapping of domain errors to it.

Every error body is ``{"code": 422, "status": "Unprocessable Entity", "message": "...",
"errors": {"json": {"field": ["why"]}}}``; ``errors`` is present when there are field errors,
keyed by location (json, query, form, files, headers) as flask-smorest/webargs do.
"""
import logging

from flask import jsonify
from peewee import DataError, IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from api.i18n import request_language, translate, translate_tree
from api.domain.errors import (  # noqa: F401  (re-exported: the one place errors meet HTTP)
    BadRequest, Conflict, DomainError, Forbidden, Invalid, NotFound, PayloadTooLarge, TooManyRequests,
    Unauthorized)

log = logging.getLogger(__name__)


class InsufficientStorage(DomainError):
    """The disk (or the object store) is full: nothing was kept; try again once space is freed."""

    status = 507


DISK_FULL = "The server's disk is full; nothing was saved. Try again later (the administrator is needed)."


def error_body(status, message=None, errors=None):
    """The error shape, its message and field errors in the caller's language."""
    lang = request_language()
    body = {
        "code": status,
        "status": HTTP_STATUS_CODES.get(status, "Error"),
        "message": translate(message or HTTP_STATUS_CODES.get(status, "Error"), lang),
    }
    if errors:
        body["errors"] = translate_tree(errors, lang)
    return body


def _value_refused():
    resp = jsonify(error_body(422, "A value is out of range or too long; nothing was changed."))
    resp.status_code = 422
    return resp


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def _domain(err):
        resp = jsonify(error_body(err.status, err.message, err.errors))
        resp.status_code = err.status
        for k, v in err.headers.items():
            resp.headers[k] = v
        return resp

    @app.errorhandler(HTTPException)
    def _http(err):
        data = getattr(err, "data", None) or {}
        message = data.get("message")
        errors = data.get("messages") or data.get("errors")
        if err.code == 422 and (not message or message == err.description):
            message = "Validation failed."
        # werkzeug's descriptions are long English paragraphs: the status phrase says it, translated
        message = message or HTTP_STATUS_CODES.get(err.code, err.description)
        if err.code == 413:
            message = "The upload is larger than the server accepts."
        resp = jsonify(error_body(err.code, message, errors))
        resp.status_code = err.code
        headers = data.get("headers") or {}
        for k, v in headers.items():
            resp.headers[k] = v
        if err.code == 405 and hasattr(err, "valid_methods") and err.valid_methods:
            resp.headers["Allow"] = ", ".join(err.valid_methods)
        return resp

    @app.errorhandler(OverflowError)
    def _overflow(err):
        # an id or number too big for the database column (SQLite raises this when binding it)
        log.warning("number out of range: %s", err)
        return _value_refused()

    @app.errorhandler(DataError)
    def _data_error(err):
        # PostgreSQL: integer out of range, string longer than its column, ...
        log.warning("value refused by the database: %s", err)
        return _value_refused()

    @app.errorhandler(OSError)
    def _os_error(err):
        import errno

        if getattr(err, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
            log.error("disk full: %s", err)
            resp = jsonify(error_body(507, DISK_FULL))
            resp.status_code = 507
            return resp
        return _unexpected(err)

    @app.errorhandler(IntegrityError)
    def _integrity(err):
        # the last line of defence: a unique key hit by a concurrent write the route did not expect
        log.warning("write refused by a database constraint: %s", err)
        resp = jsonify(error_body(409, "This conflicts with a change made a moment ago; reload and try again."))
        resp.status_code = 409
        return resp

    @app.errorhandler(RecursionError)
    def _too_deep(err):
        # json.loads recurses once per nesting level: "[[[[...]]]]" from a client is bad input
        log.warning("request nested too deeply: %s", err)
        resp = jsonify(error_body(400, "The request body is nested too deeply."))
        resp.status_code = 400
        return resp

    @app.errorhandler(Exception)
    def _unexpected(err):  # pragma: no cover - reached only by bugs
        log.exception("unhandled error")
        resp = jsonify(error_body(500, "Internal error; nothing was changed."))
        resp.status_code = 500
        return resp
