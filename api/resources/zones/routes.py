"""Zones (片区) of a site with their responsible staff per trade (片区责任人)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import requires
from api.models import Zone
from api.resources import org_crud
from api.resources.zones.schemas import ZoneBody, ZoneListArgs, ZoneRowOut, ZonePage, ZonePatch

blp = Blueprint("zones", __name__, url_prefix="/zones", description="Zones (片区) and their responsible staff per trade.")
KIND = "zones"


@blp.route("")
class Zones(MethodView):
    @blp.arguments(ZoneListArgs, location="query")
    @blp.response(200, ZonePage)
    @requires("org.view")
    def get(self, args):
        """Zones of the caller's sites (or of one, ``site_id``), one page at a time; active ones unless
        ``include_inactive``."""
        query = Zone.select()
        return org_crud.listing(KIND, query, Zone.site, args)

    @blp.arguments(ZoneBody)
    @blp.response(201, ZoneRowOut)
    @blp.alt_response(200, schema=ZoneRowOut, description="The same body again: the stored row.")
    @requires("org.edit")
    def post(self, body):
        """Create one (manager of its site, or admin); the same body again answers the stored one (200)."""
        return org_crud.create(KIND, body)


@blp.route("/<int:item_id>")
class ZoneOne(MethodView):
    @blp.response(200, ZoneRowOut)
    @requires("org.view")
    def get(self, item_id):
        """One of the caller's sites' zones; another site's answers 404 like a missing one."""
        return org_crud.out_rows(KIND, [org_crud.get_one(KIND, item_id)])[0]

    @blp.arguments(ZonePatch(partial=True))
    @blp.response(200, ZoneRowOut)
    @requires("org.edit")
    def patch(self, patch, item_id):
        """Change some fields (audited with before and after)."""
        return org_crud.update(KIND, item_id, patch)


@blp.route("/<int:item_id>/deactivate")
class ZoneDeactivate(MethodView):
    @blp.response(200, ZoneRowOut)
    @requires("org.edit")
    def post(self, item_id):
        """Make it inactive: nothing referenced is deleted (PATCH ``active: true`` brings it back)."""
        return org_crud.deactivate(KIND, item_id)
