"""Service-desk requests in and out: owners' names and phones masked unless revealed."""
from flask import g
from marshmallow import fields, pre_dump, validate, validates_schema, ValidationError

from api import clock
from api.domain import views
from api.domain.service_requests import privacy, terms
from api.domain.policy import current_policy
from api.pagination import PageArgs
from api.resources.common import AwareDateTime, OutSchema, QuerySchema, Shown, StrictSchema, Text, UtcDateTime

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


class RequestPersonRef(OutSchema):
    id = fields.Integer()
    name = fields.String()


class RequestOut(OutSchema):
    id = fields.Integer()
    site_id = fields.Integer()
    zone_id = fields.Integer(allow_none=True)
    kind = fields.String()
    kind_name = fields.Function(lambda r: terms.KIND_NAMES.get(r.kind, r.kind))
    channel = fields.String()
    category = fields.String()
    category_name = fields.Function(lambda r: terms.CATEGORY_NAMES.get(r.category, r.category))
    allowed_actions = fields.List(fields.String(), metadata={
        "description": "What the caller may do to this request now (state machine and permission table)."})
    owner_name = fields.String()
    owner_phone = fields.String()
    owner_masked = fields.Boolean()
    phone_last4 = fields.String()
    building = fields.String()
    unit = fields.String()
    room = fields.String()
    public_area = fields.String()
    location = fields.Function(lambda r: privacy.location_text(r.building, r.unit, r.room, r.public_area))
    description = fields.String(metadata={
        "description": "The owner's name and any phone number in the text are hidden unless revealed."})
    owner_ask = fields.String()
    priority = fields.String()
    urgent = fields.Boolean()
    scope = fields.String(metadata={"description": "desk (the desk's own scope) or transferred"})
    trade = fields.String(allow_none=True)
    status = fields.String()
    received_at = UtcDateTime()
    respond_by = UtcDateTime(allow_none=True)
    responded_at = UtcDateTime(allow_none=True)
    due_at = UtcDateTime(allow_none=True)
    overdue = fields.Boolean()
    due_seconds_left = fields.Integer(allow_none=True)
    escalation_level = fields.Integer(metadata={"description": "0 receptionist, 1 cs supervisor, 2 deputy GM"})
    escalation_name = fields.Function(lambda r: terms.LEVEL_NAMES.get(r.escalation_level))
    escalated_at = UtcDateTime(allow_none=True)
    handler = fields.Nested(RequestPersonRef, allow_none=True)
    created_by = fields.Nested(RequestPersonRef)
    created_at = UtcDateTime()
    registered_late = fields.Boolean()
    done_at = UtcDateTime(allow_none=True)
    revisit_due = UtcDateTime(allow_none=True)
    revisit_overdue = fields.Boolean()
    revisited_at = UtcDateTime(allow_none=True)
    satisfied = fields.Boolean(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)
    reopen_count = fields.Integer()
    client_id = fields.String(allow_none=True)

    @pre_dump
    def _shown(self, req, **kw):
        """The request with what the domain says about it for this caller now (views.request_view);
        the owner shown only when the route revealed it (``show_owner``, after its permission check)."""
        return Shown(req, views.request_view(req, g.get("user"), clock.now(), current_policy(),
                                             reveal=bool(getattr(req, "show_owner", False))))


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
    for e in out:
        e["note"] = views.event_note(e["note"], r.row, reveal=not r.owner_masked)
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
