"""Schedules (排班) of rounds and cleaning tasks; a change makes the tasks not yet due again."""
from marshmallow import fields

from api.domain.orgrows import ScheduleRow
from api.resources.org_crud import OrgListArgs, page_schema


class ScheduleBody(ScheduleRow):
    """A schedule as the API, the Excel sheet and ``patrol import schedules`` all take it."""


class SchedulePatch(ScheduleRow):
    """Only the fields to change."""


class ScheduleRowOut(ScheduleRow):
    id = fields.Integer()
    site_id = fields.Integer()
    zone_id = fields.Integer(allow_none=True)


class ScheduleListArgs(OrgListArgs):
    pass


SchedulePage = page_schema(ScheduleRowOut, "ScheduleRowPage")
