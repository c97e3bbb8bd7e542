"""The phone's sync bundle."""
from marshmallow import fields, validate

from api.resources.auth.schemas import MeOut
from api.resources.checkpoints.schemas import CheckpointOut
from api.resources.common import OutSchema, QuerySchema
from api.resources.policy.schemas import PhonePolicyOut, PhotoPolicyOut, PresencePolicyOut
from api.resources.sites.schemas import SiteOut
from api.resources.tasks.schemas import TaskOut
from api.resources.work_orders.schemas import WorkOrderOut


class SyncQuery(QuerySchema):
    have = fields.String(load_default="", validate=validate.Length(max=4000), metadata={
        "description": "Comma-separated ETags of the checklist versions the phone holds: those come back "
                       "as ``{etag}`` alone, without their items."})
    date = fields.Date(load_default=None, metadata={"description": "The day of the tasks; default: today at "
                                                                   "the caller's first site."})


class SyncChecklistOut(OutSchema):
    etag = fields.String()
    document = fields.Raw(allow_none=True, metadata={
        "description": "The current version as GET /checklists/{key} answers it; null when ``have`` named its ETag."})


class SyncPhonePolicyOut(OutSchema):
    presence = fields.Nested(PresencePolicyOut, metadata={"description": "Which proofs of presence count where."})
    phone = fields.Nested(PhonePolicyOut, metadata={"description": "The photo picker's limit; when an entry is set aside."})


class SyncTasksOut(OutSchema):
    date = fields.Date()
    items = fields.List(fields.Nested(TaskOut))


class SyncOut(OutSchema):
    me = fields.Nested(MeOut)
    sites = fields.List(fields.Nested(SiteOut))
    checkpoints = fields.List(fields.Nested(CheckpointOut))
    checklists = fields.Dict(keys=fields.String(), values=fields.Nested(SyncChecklistOut))
    tasks = fields.Nested(SyncTasksOut, allow_none=True, metadata={"description": "Null for the service desk."})
    photo_policy = fields.Nested(PhotoPolicyOut, metadata={"description": "How the phone downscales photos."})
    phone_policy = fields.Nested(SyncPhonePolicyOut)
    work_orders = fields.List(fields.Nested(WorkOrderOut), allow_none=True, metadata={
        "description": "Field staff: their active orders (up to 100); null for other roles."})
    labels = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "lang (zh, en) -> kind -> value -> label: the vocabulary's labels the phone shows "
                       "(priority, wo_status, task_status, trade)."})
