"""Buildings (楼栋) with the zone each belongs to (a unit's service requests go to that zone)."""
from marshmallow import fields

from api.domain.orgrows import BuildingRow
from api.resources.org_crud import OrgListArgs, page_schema


class BuildingBody(BuildingRow):
    """A building as the API, the Excel sheet and ``patrol import buildings`` all take it."""


class BuildingPatch(BuildingRow):
    """Only the fields to change."""


class BuildingRowOut(BuildingRow):
    id = fields.Integer()
    site_id = fields.Integer()
    zone_id = fields.Integer(allow_none=True)


class BuildingListArgs(OrgListArgs):
    zone_id = fields.Integer(load_default=None)


BuildingPage = page_schema(BuildingRowOut, "BuildingRowPage")
