"""Staff for pickers (assignees, penalised staff)."""
from marshmallow import fields, validate

from api.models import ROLES, TRADES
from api.resources.common import OutSchema, QuerySchema


class UserListArgs(QuerySchema):
    site_id = fields.Integer()
    role = fields.String(validate=validate.OneOf(ROLES))
    trade = fields.String(validate=validate.OneOf(TRADES))
    active = fields.Boolean(load_default=True)


class StaffOut(OutSchema):
    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    role = fields.String()
    trade = fields.String(allow_none=True)
    supervisor_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    site_ids = fields.List(fields.Integer(), attribute="visible_site_ids")
