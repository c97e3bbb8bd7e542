"""Root causes and corrective/preventive actions."""
from marshmallow import fields, validate

from api.models import ACTION_KINDS, ACTION_SOURCES
from api.resources.common import OutSchema, QuerySchema, StrictSchema, UtcDateTime

MONTH = [validate.Length(max=7), validate.Regexp(r"^20\d{2}-(0[1-9]|1[0-2])$", error="A month as YYYY-MM, e.g. 2026-03.")]


class MonthArgs(QuerySchema):
    site_id = fields.Integer()
    month = fields.String(required=True, validate=MONTH)


class ActionIn(StrictSchema):
    site_id = fields.Integer(required=True)
    month = fields.String(required=True, validate=MONTH, metadata={"description": "The month analysed"})
    source_kind = fields.String(required=True, validate=validate.OneOf(ACTION_SOURCES))
    source_ref = fields.String(required=True, validate=validate.Length(min=1, max=120),
                               metadata={"description": "The problem key, or the order/request id"})
    root_cause = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    action = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    kind = fields.String(required=True, validate=validate.OneOf(ACTION_KINDS))
    owner_id = fields.Integer(required=True)
    due_date = fields.Date(required=True)


class NoteIn(StrictSchema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class VerifyIn(StrictSchema):
    effective = fields.Boolean(required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ActionOut(OutSchema):
    id = fields.Integer()
    site_id = fields.Integer()
    month = fields.String()
    source_kind = fields.String()
    source_ref = fields.String()
    root_cause = fields.String()
    action = fields.String()
    kind = fields.String()
    owner_id = fields.Integer()
    due_date = fields.Date()
    status = fields.String(metadata={"description": "open / done / verified"})
    overdue = fields.Boolean(dump_default=False)
    done_at = UtcDateTime(allow_none=True)
    done_note = fields.String()
    verified_by_id = fields.Integer(allow_none=True)
    verified_at = UtcDateTime(allow_none=True)
    verified_note = fields.String()
    created_by_id = fields.Integer()
    created_at = UtcDateTime()


class ActionList(OutSchema):
    items = fields.List(fields.Nested(ActionOut))


class AnalysisOut(OutSchema):
    site_id = fields.Integer()
    month = fields.String()
    problems = fields.List(fields.Dict())
    overdue_orders = fields.List(fields.Dict())
    overdue_requests = fields.List(fields.Dict())
