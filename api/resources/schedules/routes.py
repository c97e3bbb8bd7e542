"""Schedules (排班) of rounds and cleaning tasks; a change makes the tasks not yet due again."""
from flask_smorest import Blueprint

from api.models import Schedule
from api.resources import org_crud
from api.resources.schedules.schemas import (ScheduleBody, ScheduleListArgs, SchedulePage, SchedulePatch,
                                             ScheduleRowOut)

blp = Blueprint("schedules", __name__, url_prefix="/schedules", description="Schedules of rounds and cleaning tasks.")

org_crud.register_crud(blp, "schedules", body=ScheduleBody, patch=SchedulePatch, row_out=ScheduleRowOut,
                       nouns="schedules", list_args=ScheduleListArgs, page=SchedulePage,
                       list_query=lambda args: Schedule.select(), site_field=Schedule.site)
