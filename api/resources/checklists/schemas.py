"""Checklists as the API shows them (the checklist version body format, plus version and hash)."""
from marshmallow import fields

from api.resources.common import OutSchema


class ChecklistSummaryOut(OutSchema):
    key = fields.String()
    name = fields.String()
    name_en = fields.String()
    trade = fields.String()
    applies_to = fields.List(fields.String())
    current_version = fields.Integer()
    content_hash = fields.String()
    item_count = fields.Integer()


class ItemOut(OutSchema):
    key = fields.String()
    text = fields.String()
    text_en = fields.String()
    trade = fields.String()
    photo_required_on_fail = fields.Boolean()
    priority = fields.String()
    points = fields.Integer()
    resolve_hours = fields.Integer(allow_none=True)


class ChecklistVersionOut(OutSchema):
    key = fields.String()
    name = fields.String()
    name_en = fields.String()
    trade = fields.String()
    applies_to = fields.List(fields.String())
    version = fields.Integer()
    content_hash = fields.String()
    items = fields.List(fields.Nested(ItemOut))
