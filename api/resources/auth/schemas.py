"""Login request and answer."""
from marshmallow import fields, validate

from api.resources.common import OutSchema, StrictSchema


class LoginIn(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class SessionIn(LoginIn):
    next = fields.String(load_default="", validate=validate.Length(max=2000), metadata={
        "description": "Where to send the browser afterwards: a page of this host (any port), e.g. the console."})


class UserOut(OutSchema):
    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    role = fields.String()
    trade = fields.String(allow_none=True)
    supervisor_id = fields.Integer(allow_none=True)
    site_ids = fields.List(fields.Integer())


class MeOut(UserOut):
    actions = fields.List(fields.String(), metadata={
        "description": "Every action the caller may take (on some object: an order's own assignee, the "
                       "penalised person...), from the permission table; clients show what these allow "
                       "instead of keeping role lists."})


class LoginOut(OutSchema):
    token = fields.String()
    user = fields.Nested(MeOut)
