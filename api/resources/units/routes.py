"""Units (单元/房号) of buildings."""
from flask_smorest import Blueprint

from api.models import Building, Unit
from api.resources import org_crud
from api.resources.units.schemas import UnitBody, UnitListArgs, UnitPage, UnitPatch, UnitRowOut

blp = Blueprint("units", __name__, url_prefix="/units", description="Units (房号) of buildings.")


def _units(args):
    query = Unit.select(Unit).join(Building)
    return query.where(Unit.building == args["building_id"]) if args.get("building_id") else query


org_crud.register_crud(blp, "units", body=UnitBody, patch=UnitPatch, row_out=UnitRowOut, nouns="units",
                       list_args=UnitListArgs, page=UnitPage, list_query=_units, site_field=Building.site)
