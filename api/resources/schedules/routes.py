"""Schedules (排班) of rounds and cleaning tasks; a change makes the tasks not yet due again."""
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import requires
from api.models import Schedule
from api.resources import org_crud
from api.resources.schedules.schemas import ScheduleBody, ScheduleListArgs, ScheduleRowOut, SchedulePage, SchedulePatch

blp = Blueprint("schedules", __name__, url_prefix="/schedules", description="Schedules of rounds and cleaning tasks.")
KIND = "schedules"


@blp.route("")
class Schedules(MethodView):
    @blp.arguments(ScheduleListArgs, location="query")
    @blp.response(200, SchedulePage)
    @requires("org.view")
    def get(self, args):
        """Schedules of the caller's sites (or of one, ``site_id``), one page at a time; active ones unless
        ``include_inactive``."""
        query = Schedule.select()
        return org_crud.listing(KIND, query, Schedule.site, args)

    @blp.arguments(ScheduleBody)
    @blp.response(201, ScheduleRowOut)
    @blp.alt_response(200, schema=ScheduleRowOut, description="The same body again: the stored row.")
    @requires("org.edit")
    def post(self, body):
        """Create one (manager of its site, or admin); the same body again answers the stored one (200)."""
        return org_crud.create(KIND, body)


@blp.route("/<int:item_id>")
class ScheduleOne(MethodView):
    @blp.response(200, ScheduleRowOut)
    @requires("org.view")
    def get(self, item_id):
        """One of the caller's sites' schedules; another site's answers 404 like a missing one."""
        return org_crud.out_rows(KIND, [org_crud.get_one(KIND, item_id)])[0]

    @blp.arguments(SchedulePatch(partial=True))
    @blp.response(200, ScheduleRowOut)
    @requires("org.edit")
    def patch(self, patch, item_id):
        """Change some fields (audited with before and after)."""
        return org_crud.update(KIND, item_id, patch)


@blp.route("/<int:item_id>/deactivate")
class ScheduleDeactivate(MethodView):
    @blp.response(200, ScheduleRowOut)
    @requires("org.edit")
    def post(self, item_id):
        """Make it inactive: nothing referenced is deleted (PATCH ``active: true`` brings it back)."""
        return org_crud.deactivate(KIND, item_id)
