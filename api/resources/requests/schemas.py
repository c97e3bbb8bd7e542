"""Service-desk requests in and out: owners' names and phones masked unless revealed."""
from datetime import timedelta

from flask import g
from marshmallow import fields, validate, validates_schema, ValidationError

from api.domain.service_requests import limits, privacy, terms
from api.domain.policy import current_policy
from api.models import utcnow
from api.pagination import PageArgs
from api.resources.common import AwareDateTime, OutSchema, QuerySchema, StrictSchema, Text, UtcDateTime

_KINDS = {"description": "complaint 投诉, repair 报修, suggestion 建议"}


class RequestIn(StrictSchema):
    site_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(terms.KINDS), metadata=_KINDS)
    channel = fields.String(required=True, validate=validate.OneOf(terms.CHANNELS))
    category = fields.String(load_default="other", validate=validate.OneOf(terms.CATEGORIES), metadata={
        "description": "What it is about; a unit raising the same category again counts as a repeat."})
    owner_name = Text(120, load_default="")
    owner_phone = Text(32, load_default="")
    building = Text(40, load_default="")
    unit = Text(40, load_default="")
    room = Text(40, load_default="")
    public_area = Text(120, load_default="", metadata={"description": "Instead of a building: where outdoors."})
    description = Text(4000, required=True, metadata={"description": "What happened."})
    owner_ask = Text(2000, load_default="", metadata={"description": "What the owner asks for."})
    priority = fields.String(load_default="normal", validate=validate.OneOf(("emergency", "normal")), metadata={
        "description": "Repairs: emergency = respond within 2 h, normal = within 24 h (policy)."})
    urgent = fields.Boolean(load_default=False, metadata={
        "description": "Special/urgent: straight to the duty manager (escalation level 2 at once)."})
    zone_id = fields.Integer(allow_none=True, load_default=None)
    photo_ids = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list,
                            validate=validate.Length(max=20))
    received_at = AwareDateTime(load_default=None, metadata={
        "description": "When the owner called/came (with a time zone); default: now."})
    client_id = fields.String(load_default=None, validate=validate.Length(min=8, max=64), metadata={
        "description": "Client-made id (UUID): a retry with the same id returns the request already made."})


class RequestListArgs(QuerySchema, PageArgs):
    status = fields.String(validate=validate.OneOf(terms.STATUSES + ("active",)), metadata={
        "description": "`active` = open, handling or transferred."})
    kind = fields.String(validate=validate.OneOf(terms.KINDS))
    channel = fields.String(validate=validate.OneOf(terms.CHANNELS))
    category = fields.String(validate=validate.OneOf(terms.CATEGORIES))
    trade = fields.String(validate=validate.OneOf(terms.TRADES))
    site_id = fields.Integer()
    building = fields.String(validate=validate.Length(max=40))
    unit = fields.String(validate=validate.Length(max=40))
    room = fields.String(validate=validate.Length(max=40))
    phone_last4 = fields.String(validate=validate.Regexp(r"^\d{4}$", error="The phone's last four digits."))
    overdue = fields.Boolean()
    escalated = fields.Boolean()
    min_level = fields.Integer(validate=validate.Range(min=1, max=3), metadata={
        "description": "Escalated to at least this level (1 supervisor, 2 deputy GM)."})
    revisit_due = fields.Boolean(metadata={"description": "Completed, waiting for the owner's revisit."})


class RequestEscalatedArgs(QuerySchema, PageArgs):
    site_id = fields.Integer()
    min_level = fields.Integer(load_default=1, validate=validate.Range(min=1, max=3))


class RequestRevisitDueArgs(QuerySchema, PageArgs):
    site_id = fields.Integer()


class RequestRevealArgs(QuerySchema):
    reveal = fields.Boolean(load_default=False, metadata={
        "description": "Show the owner's full name and phone (handler, creator and managers only; audited)."})


class RequestTransitionIn(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(list(terms.TRANSITIONS)))
    trade = fields.String(validate=validate.OneOf(terms.DEPARTMENTS), metadata={
        "description": "transfer: the department that gets the work order."})
    priority = fields.String(validate=validate.OneOf(("emergency", "normal")))
    note = Text(2000, load_default="")

    @validates_schema
    def _trade_for_transfer(self, data, **kw):
        if data.get("action") == "transfer" and not data.get("trade"):
            raise ValidationError("Say which department (trade) it goes to.", "trade")


class RequestRevisitIn(StrictSchema):
    satisfied = fields.Boolean(required=True)
    note = Text(2000, load_default="")


class RequestFaultIn(StrictSchema):
    staff_id = fields.Integer(required=True)
    fault = fields.String(required=True, validate=validate.OneOf(terms.FAULTS), metadata={
        "description": "hidden 隐瞒投诉, late_registration 漏记/迟报, overdue 处理超时"})
    points = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    note = Text(1000, load_default="")
    supervisor_shares = fields.Boolean(load_default=False)
    client_id = fields.String(load_default=None, validate=validate.Length(min=8, max=56))


class RequestStatsArgs(QuerySchema):
    site_id = fields.Integer(required=True)
    month = fields.String(required=True, validate=validate.Regexp(r"^20\d{2}-(0[1-9]|1[0-2])$",
                                                                  error="A month as YYYY-MM."))


def _now():
    return utcnow()


class RequestPersonRef(OutSchema):
    id = fields.Integer()
    name = fields.String()


def _reveal(r):
    return bool(getattr(r, "show_owner", False))


class RequestOut(OutSchema):
    id = fields.Integer()
    site_id = fields.Integer()
    zone_id = fields.Integer(allow_none=True)
    kind = fields.String()
    kind_name = fields.Function(lambda r: terms.KIND_NAMES.get(r.kind, r.kind))
    channel = fields.String()
    category = fields.String()
    category_name = fields.Function(lambda r: terms.CATEGORY_NAMES.get(r.category, r.category))
    allowed_actions = fields.Function(
        lambda r: terms.allowed_actions(r.status, g.user.role) if g.get("user") else [],
        metadata={"description": "What the caller may do to this request now (state machine and role rules)."})
    owner_name = fields.Function(lambda r: r.owner_name if _reveal(r) else privacy.mask_name(r.owner_name))
    owner_phone = fields.Function(lambda r: r.owner_phone if _reveal(r) else privacy.mask_phone(r.owner_phone))
    owner_masked = fields.Function(lambda r: not _reveal(r))
    phone_last4 = fields.String()
    building = fields.String()
    unit = fields.String()
    room = fields.String()
    public_area = fields.String()
    location = fields.Function(lambda r: privacy.location_text(r.building, r.unit, r.room, r.public_area))
    description = fields.Function(lambda r: r.description if _reveal(r)
                                  else privacy.scrub_owner(r.description, r.owner_name, r.owner_phone), metadata={
        "description": "The owner's name and any phone number in the text are hidden unless revealed."})
    owner_ask = fields.Function(lambda r: r.owner_ask if _reveal(r)
                                else privacy.scrub_owner(r.owner_ask, r.owner_name, r.owner_phone))
    priority = fields.String()
    urgent = fields.Boolean()
    scope = fields.String(metadata={"description": "desk (the desk's own scope) or transferred"})
    trade = fields.String(allow_none=True)
    status = fields.String()
    received_at = UtcDateTime()
    respond_by = UtcDateTime(allow_none=True)
    responded_at = UtcDateTime(allow_none=True)
    due_at = UtcDateTime(allow_none=True)
    overdue = fields.Function(lambda r: limits.missed_limit(r.status, r.respond_by, r.responded_at, r.due_at,
                                                        _now()) is not None)
    due_seconds_left = fields.Function(
        lambda r: int((r.due_at - _now()).total_seconds()) if r.due_at and r.status in terms.ACTIVE else None)
    escalation_level = fields.Integer(metadata={"description": "0 receptionist, 1 cs supervisor, 2 deputy GM"})
    escalation_name = fields.Function(lambda r: terms.LEVEL_NAMES.get(r.escalation_level))
    escalated_at = UtcDateTime(allow_none=True)
    handler = fields.Nested(RequestPersonRef, allow_none=True)
    created_by = fields.Nested(RequestPersonRef)
    created_at = UtcDateTime()
    registered_late = fields.Method("get_registered_late")
    done_at = UtcDateTime(allow_none=True)
    revisit_due = UtcDateTime(allow_none=True)
    revisit_overdue = fields.Function(lambda r: r.status == "done" and r.revisit_due is not None
                                      and r.revisit_due < _now())
    revisited_at = UtcDateTime(allow_none=True)
    satisfied = fields.Boolean(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)
    reopen_count = fields.Integer()
    client_id = fields.String(allow_none=True)

    def get_registered_late(self, r):
        hours = current_policy()["complaints"]["register_within_hours"]
        return r.created_at - r.received_at > timedelta(hours=hours)


class RequestPage(OutSchema):
    items = fields.List(fields.Nested(RequestOut))
    next_cursor = fields.String(allow_none=True)


class RequestEventOut(OutSchema):
    id = fields.Integer()
    action = fields.String()
    actor = fields.Nested(RequestPersonRef, allow_none=True)
    at = UtcDateTime()
    note = fields.String()
    data = fields.Dict(allow_none=True)


class RequestLinkedOrderOut(OutSchema):
    id = fields.Integer()
    trade = fields.String()
    priority = fields.String()
    status = fields.String()
    title = fields.String()
    assignee = fields.Nested(RequestPersonRef, allow_none=True)
    respond_by = UtcDateTime(allow_none=True)
    resolve_by = UtcDateTime(allow_none=True)
    verified_at = UtcDateTime(allow_none=True)


def _events(r):
    out = RequestEventOut(many=True).dump(r.events)
    if not _reveal(r):
        for e in out:
            e["note"] = privacy.scrub_owner(e["note"], r.owner_name)
    return out


class RequestDetailOut(RequestOut):
    """A request as ``api.domain.service_requests.detail.request_detail`` loads it."""

    events = fields.Function(lambda r: _events(r), metadata={
        "description": "Notes masked like the description unless revealed (audited)."})
    work_orders = fields.List(fields.Nested(RequestLinkedOrderOut), attribute="linked_orders")
    photo_ids = fields.Function(lambda r: [p.photo_id for p in r.photo_links])


class RequestTransitionOut(RequestDetailOut):
    work_order_id = fields.Integer(allow_none=True, metadata={"description": "transfer: the order it made."})


class RequestEscalateOut(OutSchema):
    escalated = fields.List(fields.Dict(), metadata={"description": "[{id, level}] moved up by this call"})
    completed = fields.List(fields.Integer(), metadata={
        "description": "Transferred requests found done because all their orders are verified."})


class RequestStatsOut(OutSchema):
    site_id = fields.Integer()
    month = fields.String()
    total = fields.Integer()
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_building = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_trade = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "The department that answered (customer_service = the desk itself)."})
    by_channel = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_category = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    on_time = fields.Integer()
    late = fields.Integer()
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "on_time / (on_time + late)"})
    revisited = fields.Integer()
    satisfied = fields.Integer()
    satisfaction_rate = fields.Float(allow_none=True, metadata={"description": "satisfied / revisited"})
    reopened = fields.Integer()
    escalated = fields.Integer()
    repeat_units = fields.List(fields.Dict(), metadata={
        "description": "Units (building/unit/room) raising the same category again: {building, unit, room, "
                       "category, count (this month), earlier (the 90 days before)}."})


class RequestFaultOut(OutSchema):
    deduction_ids = fields.List(fields.Integer())
    request_id = fields.Integer()
