"""Staff for pickers (assignees, penalised staff)."""
from marshmallow import fields, validate

from api.domain.orgrows import StaffRow
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
    employee_no = fields.String(allow_none=True)
    department = fields.String()
    post = fields.String()
    active = fields.Boolean()
    site_ids = fields.List(fields.Integer(), attribute="visible_site_ids")


class StaffBody(StaffRow):
    """A staff member as the API, the Excel sheet and ``patrol import staff`` all take it."""


class StaffPatch(StaffRow):
    """Only the fields to change (the password is only used when an account is made)."""


class StaffRowOut(StaffRow):
    id = fields.Integer()
    site_ids = fields.List(fields.Integer())
