"""Units (单元/房号) of buildings."""
from marshmallow import fields

from api.domain.orgrows import UnitRow
from api.resources.org_crud import OrgListArgs, page_schema


class UnitBody(UnitRow):
    """A unit as the API, the Excel sheet and ``patrol import units`` all take it."""


class UnitPatch(UnitRow):
    """Only the fields to change."""


class UnitRowOut(UnitRow):
    id = fields.Integer()
    site_id = fields.Integer()
    building_id = fields.Integer()


class UnitListArgs(OrgListArgs):
    building_id = fields.Integer(load_default=None)


UnitPage = page_schema(UnitRowOut, "UnitRowPage")
