"""Complaint validity, reply, incoming-mail register, general property manager; repair-revisit report."""
from marshmallow import fields, validate

from api.models import REPLY_METHODS
from api.resources.common import OutSchema, QuerySchema, StrictSchema, UtcDateTime

MONTH = [validate.Length(max=7), validate.Regexp(r"^20\d{2}-(0[1-9]|1[0-2])$", error="A month as YYYY-MM, e.g. 2026-03.")]


class ValidityIn(StrictSchema):
    valid = fields.Boolean(required=True, metadata={"description": "有效投诉 (within the service contract) or not"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ReplyIn(StrictSchema):
    method = fields.String(required=True, validate=validate.OneOf(REPLY_METHODS), metadata={
        "description": "visit 走访 / letter 回函 / call 致电: the way the complaint came"})
    text = fields.String(load_default="", validate=validate.Length(max=5000))


class MailIn(StrictSchema):
    sender = fields.String(required=True, validate=validate.Length(min=1, max=120))
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    reported_to = fields.String(required=True, validate=validate.Length(min=1, max=120),
                                metadata={"description": "The company leader it is passed to (报呈公司领导)"})


class ReasonIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class RecordOut(OutSchema):
    request_id = fields.Integer()
    valid = fields.Boolean(allow_none=True)
    validity_reason = fields.String()
    judged_by_id = fields.Integer(allow_none=True)
    judged_at = UtcDateTime(allow_none=True)
    reply_method = fields.String(allow_none=True)
    reply_text = fields.String()
    replied_by_id = fields.Integer(allow_none=True)
    replied_at = UtcDateTime(allow_none=True)
    gm_reason = fields.String()
    gm_referred_by_id = fields.Integer(allow_none=True)
    gm_referred_at = UtcDateTime(allow_none=True)


class MailOut(OutSchema):
    id = fields.Integer()
    site_id = fields.Integer()
    mail_no = fields.Function(lambda m: f"{m.year}-{m.number:04d}")
    request_id = fields.Integer()
    sender = fields.String()
    subject = fields.String()
    received_at = UtcDateTime()
    reported_to = fields.String()
    registered_by_id = fields.Integer()
    registered_at = UtcDateTime()
    answered_at = UtcDateTime(allow_none=True)


class MailList(OutSchema):
    items = fields.List(fields.Nested(MailOut))


class MailArgs(QuerySchema):
    site_id = fields.Integer()
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class MonthArgs(QuerySchema):
    site_id = fields.Integer()
    month = fields.String(required=True, validate=MONTH)


class StatsOut(OutSchema):
    site_id = fields.Integer()
    month = fields.String()
    complaints = fields.Integer()
    valid = fields.Integer()
    invalid = fields.Integer()
    unjudged = fields.Integer()
    invalid_reasons = fields.List(fields.Dict())
    suggestions = fields.Integer(metadata={"description": "Suggestions, not complaints (暂行规定 1)"})
    replies = fields.Dict(keys=fields.String(), values=fields.Integer())
    replied_in_kind = fields.Integer()
    letters = fields.Integer()
    letters_registered = fields.Integer()
    letters_answered = fields.Integer()
    to_general_manager = fields.Integer()


class UnsatisfiedOut(OutSchema):
    request_id = fields.Integer()
    at = UtcDateTime()
    note = fields.String()
    trade = fields.String()
    heads = fields.List(fields.String())


class RevisitReportOut(OutSchema):
    site_id = fields.Integer()
    month = fields.String()
    revisited = fields.Integer()
    satisfied = fields.Integer()
    unsatisfied = fields.Integer()
    late_revisits = fields.Integer()
    still_due = fields.Integer()
    satisfaction_rate = fields.Float(allow_none=True)
    rework_rate = fields.Float(allow_none=True)
    by_trade = fields.Dict()
    unsatisfied_list = fields.List(fields.Nested(UnsatisfiedOut))


class ReferralOut(OutSchema):
    id = fields.Integer()
    request_id = fields.Integer()
    head_id = fields.Integer()
    referred_at = UtcDateTime()
    note = fields.String()


class ReferralList(OutSchema):
    items = fields.List(fields.Nested(ReferralOut))


class SiteArg(QuerySchema):
    site_id = fields.Integer()
