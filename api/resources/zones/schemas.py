"""Zones (片区) of a site with their responsible staff per trade (片区责任人)."""
from marshmallow import fields

from api.domain.orgrows import ZoneRow
from api.resources.org_crud import OrgListArgs, page_schema


class ZoneBody(ZoneRow):
    """A zone as the API, the Excel sheet and ``patrol import zones`` all take it."""


class ZonePatch(ZoneRow):
    """Only the fields to change."""


class ZoneRowOut(ZoneRow):
    id = fields.Integer()
    site_id = fields.Integer()
    responsible = fields.Dict(metadata={'description': 'trade -> {id, name}: 片区责任人'})


class ZoneListArgs(OrgListArgs):
    pass


ZonePage = page_schema(ZoneRowOut, "ZoneRowPage")
