"""Fault notices, appeals and their decisions; money as exact yuan strings ("12.50")."""
from marshmallow import fields, validate

from api.domain.policy import current_policy
from api.pagination import PageArgs
from api.resources.common import AwareDateTime, OutSchema, QuerySchema, StrictSchema, Text, UtcDateTime


def Money(**kw):
    # documented as what it is on the wire: an exact decimal string ("5.00"), not a JSON number
    meta = {"type": "string", "format": "decimal", "example": "5.00", **kw.pop("metadata", {})}
    return fields.Decimal(places=2, as_string=True, metadata=meta, **kw)


class DeductionIn(StrictSchema):
    site_id = fields.Integer(metadata={"description": "Needed unless finding_id says where."})
    staff_id = fields.Integer(metadata={"description": "Default (from a finding): the zone's responsible person."})
    points = fields.Integer(strict=True, validate=validate.Range(min=1, max=100), metadata={
        "description": "Default (from a finding): the checklist item's points."})
    reason = Text(2000)
    problem_key = fields.String(validate=validate.Length(min=1, max=120), metadata={
        "description": "The same key across a month counts repeats; default checklist_key:item_key."})
    occurred_at = AwareDateTime(metadata={"description": "Decides the month (site time zone); default now."})
    finding_id = fields.Integer(allow_none=True)
    request_id = fields.Integer(allow_none=True)
    work_order_id = fields.Integer(allow_none=True)
    photo_ids = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list,
                            validate=validate.Length(max=20))
    supervisor_shares = fields.Boolean(load_default=False, metadata={
        "description": "The direct supervisor shares responsibility (70/30 split)."})
    client_id = fields.String(validate=validate.Length(min=8, max=64), metadata={
        "description": "Client-made id (UUID): a retry returns the notice already made."})


class DeductionListArgs(QuerySchema, PageArgs):
    month = fields.String(validate=validate.Regexp(r"^20\d{2}-(0[1-9]|1[0-2])$"))
    site_id = fields.Integer()
    staff_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(["active", "voided"]))


class StaffRef(OutSchema):
    id = fields.Integer()
    name = fields.String()
    username = fields.String()


class AppealBrief(OutSchema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "pending / upheld / rejected"})
    reason = fields.String()
    filed_by_id = fields.Integer()
    filed_at = UtcDateTime()
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)
    decision_reason = fields.String()
    level = fields.Integer(metadata={"description": "1 department head, 2 office director, 3 office manager"})
    level_key = fields.Method("get_level_key")
    kind = fields.String(metadata={"description": "ordinary, or retaliation by the inspector (against_id)"})
    against_id = fields.Integer(allow_none=True)
    steps = fields.Method("get_steps", metadata={"description": "Filed, each decision and each move up a level."})

    def get_level_key(self, a):
        from api.domain.appeals import level_key

        return level_key(a, current_policy())

    def get_steps(self, a):
        from api.domain.appeals import steps

        return [dict(s, at=UtcDateTime()._serialize(s["at"], "at", s)) for s in steps(a)]


class DeductionOut(OutSchema):
    id = fields.Integer()
    site_id = fields.Integer()
    staff = fields.Nested(StaffRef)
    supervisor_id = fields.Integer(allow_none=True)
    supervisor_shares = fields.Boolean()
    points = fields.Integer(metadata={"description": "Negative on a reversing entry."})
    yuan_per_point = Money()
    amount = Money(metadata={"description": "points × yuan_per_point"})
    reason = fields.String()
    problem_key = fields.String()
    month = fields.String()
    occurred_at = UtcDateTime()
    status = fields.String(metadata={"description": "active / voided"})
    finding_id = fields.Integer(allow_none=True)
    work_order_id = fields.Integer(allow_none=True)
    request_id = fields.Integer(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    created_by_id = fields.Integer()
    created_at = UtcDateTime()
    client_id = fields.String(allow_none=True)
    photo_ids = fields.Function(lambda d: [p.photo_id for p in d.photo_links])
    appeal = fields.Method("get_appeal", metadata={"description": "The appeal, if any (null otherwise)."})
    supervisor_verification = fields.Method("get_verification", metadata={
        "description": "经查实 (004 4.2.6): who verified the supervisor's share and what they found (null: not verified)."})

    def get_verification(self, d):
        v = d.supervisor_verifications.first()
        return None if v is None else {"verified": v.verified, "finding": v.finding, "verified_by_id": v.verified_by_id,
                                       "verified_at": UtcDateTime()._serialize(v.verified_at, "verified_at", v)}

    def get_appeal(self, d):
        a = d.appeals.first()
        return AppealBrief().dump(a) if a else None


class DeductionPage(OutSchema):
    items = fields.List(fields.Nested(DeductionOut))
    next_cursor = fields.String(allow_none=True)


class AppealIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    kind = fields.String(load_default="ordinary", validate=validate.OneOf(["ordinary", "retaliation"]), metadata={
        "description": "retaliation: against the inspector who issued the notice (004 4.3.1)"})


class EscalateIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class DecisionIn(StrictSchema):
    upheld = fields.Boolean(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AppealOut(AppealBrief):
    deduction = fields.Nested(DeductionOut)
    reversal = fields.Nested(DeductionOut, allow_none=True, metadata={
        "description": "Upheld after the month closed: the reversing entry booked into the next open month."})


class AppealListArgs(QuerySchema, PageArgs):
    status = fields.String(load_default="pending", validate=validate.OneOf(["pending", "upheld", "rejected", "all"]))
    site_id = fields.Integer()
    level = fields.Integer(validate=validate.Range(min=1, max=3), metadata={"description": "Only this level"})


class AppealPage(OutSchema):
    items = fields.List(fields.Nested(AppealOut))
    next_cursor = fields.String(allow_none=True)
