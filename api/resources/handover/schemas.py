"""The ledger's hand-over to finance."""
from marshmallow import fields, validate

from api.resources.common import OutSchema, StrictSchema, UtcDateTime


class HandoverIn(StrictSchema):
    sent_to = fields.String(required=True, validate=validate.Length(min=1, max=120),
                            metadata={"description": "Who in finance received it, e.g. 财务部 张会计"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class HandoverOut(OutSchema):
    id = fields.Integer()
    site_id = fields.Integer()
    month = fields.String()
    sent_by_id = fields.Integer()
    sent_by_name = fields.Function(lambda h: h.sent_by.name)
    sent_at = UtcDateTime()
    sent_to = fields.String()
    note = fields.String()
    on_time = fields.Boolean(metadata={"description": "Sent by the policy's day of the next month (每月1-5日)"})
    due_date = fields.Date()
    totals = fields.Dict(metadata={"description": "The ledger's totals as sent (exact yuan strings)"})
