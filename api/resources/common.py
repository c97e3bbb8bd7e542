"""Schemas and helpers shared by several resources."""
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate


class StrictSchema(Schema):
    """Writes refuse unknown fields instead of silently dropping them."""

    class Meta:
        unknown = RAISE


class QuerySchema(Schema):
    """Query strings ignore parameters they do not know (caches, cache-busters)."""

    class Meta:
        unknown = EXCLUDE


class OutSchema(Schema):
    """Responses: field order is declaration order."""


class Shown:
    """A row as an answer shows it: its own attributes, plus what a domain view function computed
    for the caller (``api/domain/views.py``), read by the schema as plain fields."""

    def __init__(self, row, view):
        self.row = row
        self.__dict__.update(view)

    def __getattr__(self, name):
        return getattr(self.row, name)


def Text(max_len=2000, **kw):
    return fields.String(validate=validate.Length(max=max_len), **kw)


class UtcDateTime(fields.DateTime):
    """Serialises naive UTC datetimes from the database as ISO 8601 with 'Z'."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(microsecond=value.microsecond).isoformat(timespec="seconds") + "Z"
        return super()._serialize(value, attr, obj, **kwargs)


class AwareDateTime(fields.AwareDateTime):
    """Input datetimes must carry a time zone; they are stored as naive UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        from datetime import timezone

        dt = super()._deserialize(value, attr, data, **kwargs)
        try:
            return dt.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:  # e.g. 0001-01-01T00:00+14:00 has no UTC equivalent
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
