"""A form draft: the values of a form's fields, as the console keeps them."""
from marshmallow import fields

from api.resources.common import OutSchema, StrictSchema, UtcDateTime


class DraftIn(StrictSchema):
    values = fields.Dict(keys=fields.String(), required=True, metadata={
        "description": "The form's fields by name (text, numbers, true/false, lists, ISO dates); at most 16 KB."})


class DraftOut(OutSchema):
    form = fields.String()
    values = fields.Dict()
    updated_at = UtcDateTime()
