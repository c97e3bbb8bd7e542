"""Rounds as walked: each point early, on time, late, missed or out of order, with its proof."""
from marshmallow import fields

from api.resources.common import OutSchema, UtcDateTime
from api.resources.tasks.schemas import TaskCheckpointRefOut, TaskPersonOut, TaskScheduleRefOut


class RoundPointOut(OutSchema):
    task_id = fields.Integer()
    checkpoint = fields.Nested(TaskCheckpointRefOut)
    checklist_key = fields.String()
    due_at = UtcDateTime()
    window_end = UtcDateTime()
    status = fields.String(attribute="state", metadata={"description": "due, done or missed (as of now)"})
    timing = fields.String(metadata={"description": "early, on_time, late (walked after the window: "
                                                    "did not count), missed or due"})
    walked_at = UtcDateTime(allow_none=True)
    out_of_order = fields.Boolean(metadata={"description": "walked before a point that comes earlier in the round"})
    inspection_id = fields.String(allow_none=True)
    presence_method = fields.String(allow_none=True)
    presence_flag = fields.String(allow_none=True)
    presence_distance_m = fields.Float(allow_none=True)
    presence_accuracy_m = fields.Float(allow_none=True)


class RoundCountsOut(OutSchema):
    early = fields.Integer()
    on_time = fields.Integer()
    late = fields.Integer()
    missed = fields.Integer()
    due = fields.Integer()
    out_of_order = fields.Integer()


class RoundOut(OutSchema):
    schedule = fields.Nested(TaskScheduleRefOut)
    assignee = fields.Nested(TaskPersonOut, allow_none=True)
    site_id = fields.Integer()
    due_at = UtcDateTime()
    window_end = UtcDateTime()
    points = fields.List(fields.Nested(RoundPointOut))
    counts = fields.Nested(RoundCountsOut)


class RoundDayOut(OutSchema):
    date = fields.Date()
    now = UtcDateTime()
    items = fields.List(fields.Nested(RoundOut))
