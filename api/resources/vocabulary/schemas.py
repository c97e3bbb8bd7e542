"""The vocabulary document: plain mappings (its keys are the vocabulary itself)."""
from marshmallow import fields, validate

from api.domain.vocabulary import LANGS
from api.resources.common import OutSchema, QuerySchema


class VocabularyArgs(QuerySchema):
    lang = fields.String(validate=validate.OneOf(LANGS), metadata={
        "description": "zh or en; without it, the Accept-Language header decides (Chinese by default)."})


class VocabularyOut(OutSchema):
    lang = fields.String()
    roles = fields.List(fields.String())
    role_groups = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    trades = fields.List(fields.String())
    departments = fields.List(fields.String())
    priorities = fields.List(fields.String())
    machines = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "Per object: statuses and actions {from, to, who} ('assignee': the order's own assignee)."})
    sets = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    figures = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "What each report figure counts (api/domain/reports.py FIGURES), for tooltips."})
    labels = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.String()))
