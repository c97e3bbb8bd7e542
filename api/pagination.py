"""Keyset (cursor) pagination that stays fast at a million rows; cursors are signed."""
import base64
import hashlib
import hmac
import json

from flask import current_app
from marshmallow import Schema, fields, validate
from peewee import AutoField, IntegerField

from api.errors import BadRequest


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


def _sig(raw):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, raw, hashlib.sha256).hexdigest()[:16]


def encode_cursor(value):
    raw = json.dumps(value, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + _sig(raw)


def decode_cursor(cursor):
    """The value inside a cursor; a cursor that was tampered with is a 400, never a 500."""
    if not cursor:
        return None
    try:
        data, sig = cursor.rsplit(".", 1)
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        if not hmac.compare_digest(sig, _sig(raw)):
            raise ValueError("bad signature")
        value = json.loads(raw)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise _bad_cursor()
    if value is None:  # a cursor that holds nothing is no cursor this API wrote
        raise _bad_cursor()
    return value


def _bad_cursor():
    return BadRequest("The pagination cursor is not valid; start again without it.",
                      errors={"query": {"cursor": ["Not a valid cursor."]}})


def id_after(cursor, integer=True):
    """The id inside a cursor (None without one); anything else inside, even correctly signed, is a 400."""
    after = decode_cursor(cursor)
    if after is None:
        return None
    ok = (isinstance(after, int) and not isinstance(after, bool) and -2 ** 63 < after < 2 ** 63) if integer \
        else (isinstance(after, str) and len(after) <= 200)
    if not ok:
        raise _bad_cursor()
    return after


def paginate_desc_by_id(query, id_field, limit, cursor):
    """Newest first by an integer or string id: ``{items, next_cursor}``."""
    after = id_after(cursor, integer=isinstance(id_field, (AutoField, IntegerField)))
    if after is not None:
        query = query.where(id_field < after)
    rows = list(query.order_by(id_field.desc()).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(getattr(rows[-1], id_field.name)) if more and rows else None)
