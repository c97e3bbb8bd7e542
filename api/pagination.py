"""Keyset (cursor) pagination that stays fast at a million rows; cursors are signed."""
import hashlib

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from marshmallow import Schema, fields, validate
from peewee import AutoField, IntegerField

from api.errors import BadRequest


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


# the salt keeps a cursor from being accepted where something else signed with the same key is
CURSOR_SALT = "patrol.pagination-cursor"


def cursor_serializer(secret_key):
    """Signs and checks cursors (itsdangerous, HMAC-SHA256) with a secret key."""
    return URLSafeSerializer(secret_key, salt=CURSOR_SALT, signer_kwargs={"digest_method": hashlib.sha256})


def _serializer():
    key = current_app.config["SECRET_KEY"]
    cached = _SERIALIZERS.get(key)
    if cached is None:
        cached = _SERIALIZERS[key] = cursor_serializer(key)
    return cached


_SERIALIZERS = {}


def encode_cursor(value):
    """A signed, URL-safe cursor holding ``value`` (anything JSON can hold)."""
    return _serializer().dumps(value)


def decode_cursor(cursor):
    """The value inside a cursor; a cursor that was tampered with is a 400, never a 500."""
    if not cursor:
        return None
    try:
        value = _serializer().loads(cursor)
    except (BadData, ValueError, TypeError, UnicodeDecodeError):
        raise bad_cursor()
    if value is None:  # a cursor that holds nothing is no cursor this API wrote
        raise bad_cursor()
    return value


def bad_cursor():
    """The error for a cursor this API did not write (or that holds what this list does not page by)."""
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
        raise bad_cursor()
    return after


def paginate_by_id(query, id_field, limit, cursor, newest_first=True):
    """One page ordered by an integer or string id (newest first unless ``newest_first`` is false):
    ``(rows, next_cursor)``."""
    after = id_after(cursor, integer=isinstance(id_field, (AutoField, IntegerField)))
    if after is not None:
        query = query.where(id_field < after if newest_first else id_field > after)
    rows = list(query.order_by(id_field.desc() if newest_first else id_field).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(getattr(rows[-1], id_field.name)) if more and rows else None)


def paginate_desc_by_id(query, id_field, limit, cursor):
    """Newest first by an integer or string id: ``(rows, next_cursor)``."""
    return paginate_by_id(query, id_field, limit, cursor)
