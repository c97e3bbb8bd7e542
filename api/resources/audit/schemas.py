"""The audit log, read-only."""
from marshmallow import fields, validate

from api.pagination import PageArgs
from api.resources.common import AwareDateTime, OutSchema, QuerySchema, UtcDateTime


class AuditArgs(QuerySchema, PageArgs):
    object_type = fields.String(validate=validate.Length(max=40))
    object_id = fields.String(validate=validate.Length(max=64))
    action = fields.String(validate=validate.Length(max=60))
    user_id = fields.Integer()
    site_id = fields.Integer()
    since = AwareDateTime()
    until = AwareDateTime()


class AuditOut(OutSchema):
    id = fields.Integer()
    at = UtcDateTime()
    user_id = fields.Integer(allow_none=True)
    role = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    site_id = fields.Integer(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    request_id = fields.String()
    ip = fields.String()


class AuditPage(OutSchema):
    items = fields.List(fields.Nested(AuditOut))
    next_cursor = fields.String(allow_none=True)
