"""Buildings (楼栋) with the zone each belongs to (a unit's service requests go to that zone)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import requires
from api.models import Building
from api.resources import org_crud
from api.resources.buildings.schemas import BuildingBody, BuildingListArgs, BuildingRowOut, BuildingPage, BuildingPatch

blp = Blueprint("buildings", __name__, url_prefix="/buildings", description="Buildings (楼栋) and their zone.")
KIND = "buildings"


@blp.route("")
class Buildings(MethodView):
    @blp.arguments(BuildingListArgs, location="query")
    @blp.response(200, BuildingPage)
    @requires("org.view")
    def get(self, args):
        """Buildings of the caller's sites (or of one, ``site_id``), one page at a time; active ones unless
        ``include_inactive``."""
        query = Building.select()
        if args.get("zone_id"):
            query = query.where(Building.zone == args["zone_id"])
        return org_crud.listing(KIND, query, Building.site, args)

    @blp.arguments(BuildingBody)
    @blp.response(201, BuildingRowOut)
    @blp.alt_response(200, schema=BuildingRowOut, description="The same body again: the stored row.")
    @requires("org.edit")
    def post(self, body):
        """Create one (manager of its site, or admin); the same body again answers the stored one (200)."""
        return org_crud.create(KIND, body)


@blp.route("/<int:item_id>")
class BuildingOne(MethodView):
    @blp.response(200, BuildingRowOut)
    @requires("org.view")
    def get(self, item_id):
        """One of the caller's sites' buildings; another site's answers 404 like a missing one."""
        return org_crud.out_rows(KIND, [org_crud.get_one(KIND, item_id)])[0]

    @blp.arguments(BuildingPatch(partial=True))
    @blp.response(200, BuildingRowOut)
    @requires("org.edit")
    def patch(self, patch, item_id):
        """Change some fields (audited with before and after)."""
        return org_crud.update(KIND, item_id, patch)


@blp.route("/<int:item_id>/deactivate")
class BuildingDeactivate(MethodView):
    @blp.response(200, BuildingRowOut)
    @requires("org.edit")
    def post(self, item_id):
        """Make it inactive: nothing referenced is deleted (PATCH ``active: true`` brings it back)."""
        return org_crud.deactivate(KIND, item_id)
