"""Units (单元/房号) of buildings."""
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import requires
from api.models import Building, Unit
from api.resources import org_crud
from api.resources.units.schemas import UnitBody, UnitListArgs, UnitRowOut, UnitPage, UnitPatch

blp = Blueprint("units", __name__, url_prefix="/units", description="Units (房号) of buildings.")
KIND = "units"


@blp.route("")
class Units(MethodView):
    @blp.arguments(UnitListArgs, location="query")
    @blp.response(200, UnitPage)
    @requires("org.view")
    def get(self, args):
        """Units of the caller's sites (or of one, ``site_id``), one page at a time; active ones unless
        ``include_inactive``."""
        query = Unit.select(Unit).join(Building)
        if args.get("building_id"):
            query = query.where(Unit.building == args["building_id"])
        return org_crud.listing(KIND, query, Building.site, args)

    @blp.arguments(UnitBody)
    @blp.response(201, UnitRowOut)
    @blp.alt_response(200, schema=UnitRowOut, description="The same body again: the stored row.")
    @requires("org.edit")
    def post(self, body):
        """Create one (manager of its site, or admin); the same body again answers the stored one (200)."""
        return org_crud.create(KIND, body)


@blp.route("/<int:item_id>")
class UnitOne(MethodView):
    @blp.response(200, UnitRowOut)
    @requires("org.view")
    def get(self, item_id):
        """One of the caller's sites' units; another site's answers 404 like a missing one."""
        return org_crud.out_rows(KIND, [org_crud.get_one(KIND, item_id)])[0]

    @blp.arguments(UnitPatch(partial=True))
    @blp.response(200, UnitRowOut)
    @requires("org.edit")
    def patch(self, patch, item_id):
        """Change some fields (audited with before and after)."""
        return org_crud.update(KIND, item_id, patch)


@blp.route("/<int:item_id>/deactivate")
class UnitDeactivate(MethodView):
    @blp.response(200, UnitRowOut)
    @requires("org.edit")
    def post(self, item_id):
        """Make it inactive: nothing referenced is deleted (PATCH ``active: true`` brings it back)."""
        return org_crud.deactivate(KIND, item_id)
