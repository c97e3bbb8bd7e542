"""Tasks of a day and the supervisors' summary by zone."""
from datetime import date, timedelta

from marshmallow import fields, validate

from api.domain.schedules import EARLY_MINUTES
from api.resources.common import OutSchema, QuerySchema, UtcDateTime


class TaskQuery(QuerySchema):
    date = fields.Date(load_default=None, validate=validate.Range(
        min=date(2000, 1, 1), max=date(2100, 12, 31), error="Pick a date between 2000 and 2100."),
        metadata={"description": "YYYY-MM-DD in the site's time zone; default today."})
    site_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2 ** 31 - 1))


class TaskPlaceOut(OutSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String()


class TaskCheckpointRefOut(TaskPlaceOut):
    kind = fields.String()


class TaskScheduleRefOut(OutSchema):
    id = fields.Integer()
    key = fields.String()
    name = fields.String()
    name_en = fields.String()


class TaskPersonOut(OutSchema):
    id = fields.Integer()
    name = fields.String()


class TaskOut(OutSchema):
    id = fields.Integer()
    date = fields.Date()
    due_at = UtcDateTime()
    window_end = UtcDateTime()
    window_start = fields.Function(
        lambda t: UtcDateTime()._serialize(t.due_at - timedelta(minutes=EARLY_MINUTES), None, None),
        metadata={"description": "Inspections finished from here to window_end complete the task."})
    status = fields.String(attribute="state", metadata={"description": "due, done or missed (as of now)"})
    role = fields.String()
    checklist_key = fields.String()
    site_id = fields.Integer()
    checkpoint = fields.Nested(TaskCheckpointRefOut)
    zone = fields.Nested(TaskPlaceOut, attribute="checkpoint.zone")
    schedule = fields.Nested(TaskScheduleRefOut)
    assignee = fields.Nested(TaskPersonOut, allow_none=True)
    inspection_id = fields.String(allow_none=True)
    done_at = UtcDateTime(allow_none=True)


class TaskDayOut(OutSchema):
    date = fields.Date()
    now = UtcDateTime()
    items = fields.List(fields.Nested(TaskOut))


class TaskZoneCountOut(OutSchema):
    site_id = fields.Integer()
    zone = fields.Nested(TaskPlaceOut)
    done = fields.Integer()
    due = fields.Integer()
    missed = fields.Integer()
    total = fields.Integer()


class TaskCountsOut(OutSchema):
    done = fields.Integer()
    due = fields.Integer()
    missed = fields.Integer()
    total = fields.Integer()


class TaskSummaryOut(OutSchema):
    date = fields.Date()
    now = UtcDateTime()
    zones = fields.List(fields.Nested(TaskZoneCountOut))
    totals = fields.Nested(TaskCountsOut)
