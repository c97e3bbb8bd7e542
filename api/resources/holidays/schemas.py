"""The holiday calendar: a year's days (holiday / make-up workday) and the November warning."""
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from api.models import HOLIDAY_KINDS
from api.resources.common import OutSchema, QuerySchema, StrictSchema, UtcDateTime


class DayIn(StrictSchema):
    date = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(HOLIDAY_KINDS),
                         metadata={"description": "holiday (放假) or workday (调休上班, a weekend day worked)"})
    name = fields.String(load_default="", validate=validate.Length(max=60), metadata={"description": "e.g. 春节"})


class YearIn(StrictSchema):
    days = fields.List(fields.Nested(DayIn), required=True, validate=validate.Length(max=366),
                       metadata={"description": "The whole year's schedule; an empty list goes back to the shipped one."})


class DayOut(OutSchema):
    date = fields.Date()
    kind = fields.String()
    name = fields.String()


class YearOut(OutSchema):
    year = fields.Integer()
    source = fields.String(metadata={"description": "entered (by a manager), shipped (chinese_calendar) or none"})
    days = fields.List(fields.Nested(DayOut))
    entered_at = UtcDateTime(allow_none=True)
    entered_by_id = fields.Integer(allow_none=True)


class ImportFile(QuerySchema):
    file = Upload(required=True, metadata={"description": ".csv (UTF-8) or .xlsx: columns date, kind, name"})


class StatusOut(OutSchema):
    today = fields.Date()
    year = fields.Integer()
    year_known = fields.Boolean()
    next_year = fields.Integer()
    next_year_known = fields.Boolean()
    warn = fields.Boolean(metadata={"description": "From November, next year's schedule is missing (or this year's)"})
    missing_years = fields.List(fields.Integer())
    message = fields.String()
