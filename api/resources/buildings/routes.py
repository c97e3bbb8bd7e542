"""Buildings (楼栋) with the zone each belongs to (a unit's service requests go to that zone)."""
from flask_smorest import Blueprint

from api.models import Building
from api.resources import org_crud
from api.resources.buildings.schemas import (BuildingBody, BuildingListArgs, BuildingPage, BuildingPatch,
                                             BuildingRowOut)

blp = Blueprint("buildings", __name__, url_prefix="/buildings", description="Buildings (楼栋) and their zone.")


def _buildings(args):
    query = Building.select()
    return query.where(Building.zone == args["zone_id"]) if args.get("zone_id") else query


org_crud.register_crud(blp, "buildings", body=BuildingBody, patch=BuildingPatch, row_out=BuildingRowOut,
                       nouns="buildings", list_args=BuildingListArgs, page=BuildingPage, list_query=_buildings,
                       site_field=Building.site)
