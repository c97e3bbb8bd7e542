"""The performance-scoring scheme (绩效考核): entries, the month's results, publication."""
from marshmallow import fields, validate

from api.models import PERFORMANCE_CATEGORIES, PERFORMANCE_PERIODS
from api.resources.common import OutSchema, QuerySchema, StrictSchema, UtcDateTime
from api.resources.ledger.schemas import Money


class EntryIn(StrictSchema):
    site_id = fields.Integer(required=True)
    staff_id = fields.Integer(required=True)
    period = fields.String(required=True, validate=validate.OneOf(PERFORMANCE_PERIODS),
                           metadata={"description": "daily 日检 / weekly 周检 (a Monday) / monthly 月检 (the last day)"})
    day = fields.Date(required=True)
    category = fields.String(required=True, validate=validate.OneOf(PERFORMANCE_CATEGORIES))
    points = fields.Integer(required=True, strict=True, metadata={
        "description": "Negative: a violation (违规); positive: outstanding work (业绩突出)"})
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class EntryOut(OutSchema):
    id = fields.Integer()
    site_id = fields.Integer()
    staff_id = fields.Integer()
    month = fields.String()
    period = fields.String()
    day = fields.Date()
    category = fields.String()
    points = fields.Integer()
    note = fields.String()
    entered_by_id = fields.Integer()
    entered_at = UtcDateTime()


class SiteArg(QuerySchema):
    site_id = fields.Integer()


class CategoryOut(OutSchema):
    max = fields.Integer()
    deducted = fields.Integer()
    rewarded = fields.Integer()
    score = fields.Integer()


class PersonOut(OutSchema):
    staff_id = fields.Integer()
    name = fields.String()
    entries = fields.Integer()
    categories = fields.Dict(keys=fields.String(), values=fields.Nested(CategoryOut))
    score = fields.Integer(metadata={"description": "Of 100 with the default categories"})
    penalty_points = fields.Integer()
    reward_points = fields.Integer()
    penalty_yuan = Money()
    reward_yuan = Money()
    net_yuan = Money(metadata={"description": "reward - penalty"})


class MonthEntryOut(OutSchema):
    id = fields.Integer()
    staff_id = fields.Integer()
    period = fields.String()
    day = fields.Date()
    category = fields.String()
    points = fields.Integer()
    note = fields.String()
    entered_by_id = fields.Integer()


class ResultsOut(OutSchema):
    site_id = fields.Integer()
    month = fields.String()
    published = fields.Boolean()
    published_at = UtcDateTime(allow_none=True)
    published_by_id = fields.Integer(allow_none=True)
    publish_from = fields.Date(metadata={"description": "The month's last day: published from then on"})
    people = fields.List(fields.Nested(PersonOut))
    entries = fields.List(fields.Nested(MonthEntryOut))
