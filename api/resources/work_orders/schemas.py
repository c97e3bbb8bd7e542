"""Work orders in and out: deadlines as UTC times plus countdowns in seconds."""
from flask import g
from marshmallow import fields, pre_dump, validate

from api import clock
from api.domain import views
from api.domain.vocabulary import PRIORITIES, TRADES
from api.domain.workorders import STATUS_NAMES, TRANSITIONS
from api.models import WORK_ORDER_STATUSES
from api.pagination import PageArgs
from api.resources.common import OutSchema, QuerySchema, Shown, StrictSchema, Text, UtcDateTime


class WorkOrderIn(StrictSchema):
    site_id = fields.Integer(metadata={"description": "Needed unless finding_ids say where."})
    zone_id = fields.Integer(allow_none=True)
    trade = fields.String(validate=validate.OneOf(TRADES))
    title = Text(255)
    description = Text(4000, load_default="")
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    assignee_id = fields.Integer(allow_none=True, metadata={
        "description": "Default: the zone's responsible person for the trade (片区责任制)."})
    finding_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=200))
    one_per_finding = fields.Boolean(load_default=False, metadata={
        "description": "Make one order per finding instead of one order covering them all."})
    scheduled_for = fields.Date(allow_none=True, metadata={"description": "Planned orders: the local day."})
    client_id = fields.String(validate=validate.Length(min=8, max=56), metadata={
        "description": "Client-made id (UUID): a retry with the same id returns the order(s) already made."})


class WorkOrderListArgs(QuerySchema, PageArgs):
    status = fields.String(validate=validate.OneOf(WORK_ORDER_STATUSES + ("active",)), metadata={
        "description": "`active` = any status before verified/cancelled."})
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    overdue = fields.Boolean()
    escalated = fields.Boolean()
    site_id = fields.Integer()
    zone_id = fields.Integer()
    assignee_id = fields.Integer()
    trade = fields.String(validate=validate.OneOf(TRADES))
    revisit_due = fields.Boolean(metadata={"description": "Done orders waiting for their revisit."})
    q = fields.String(validate=validate.Length(max=100), metadata={
        "description": "Search: an order number (12 or #12), or words in the title, description, zone or "
                       "assignee's name."})
    since = fields.Date(metadata={"description": "Registered on or after this local day (site time)."})
    until = fields.Date(metadata={"description": "Registered on or before this local day (site time)."})


class WorkOrderExportArgs(WorkOrderListArgs):
    """The list's filters without its paging: the export is every matching order (at most 5,000)."""

    class Meta:
        exclude = ("cursor", "limit")


class TransitionIn(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(list(TRANSITIONS)))
    assignee_id = fields.Integer(allow_none=True)
    note = Text(2000, load_default="")
    photo_ids = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list,
                            validate=validate.Length(max=20))
    satisfied = fields.Boolean(allow_none=True)


class WorkOrderPersonRef(OutSchema):
    id = fields.Integer()
    name = fields.String()
    username = fields.String()


class WorkOrderZoneRef(OutSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String()


class WorkOrderOut(OutSchema):
    id = fields.Integer()
    site_id = fields.Integer()
    zone = fields.Nested(WorkOrderZoneRef, allow_none=True)
    trade = fields.String()
    title = fields.String()
    description = fields.String()
    priority = fields.String()
    status = fields.String()
    status_name = fields.Function(lambda o: STATUS_NAMES.get(o.status, o.status))
    allowed_actions = fields.List(fields.String(), metadata={
        "description": "What the caller may do to this order now (state machine and permission table)."})
    actions_by_status = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "What the caller could do in each status (an offline client's next step)."})
    source = fields.String()
    request_id = fields.Integer(allow_none=True)
    assignee = fields.Nested(WorkOrderPersonRef, allow_none=True)
    created_by_id = fields.Integer(attribute="created_by_id")
    created_at = UtcDateTime()
    scheduled_for = fields.Date(allow_none=True)
    respond_by = UtcDateTime(allow_none=True)
    resolve_by = UtcDateTime(allow_none=True)
    assigned_at = UtcDateTime(allow_none=True)
    accepted_at = UtcDateTime(allow_none=True)
    started_at = UtcDateTime(allow_none=True)
    done_at = UtcDateTime(allow_none=True)
    revisit_due = UtcDateTime(allow_none=True)
    verified_at = UtcDateTime(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)
    reopen_count = fields.Integer()
    escalation_level = fields.Integer(metadata={"description": "0 none, 1 supervisor, 2 manager"})
    escalated_at = UtcDateTime(allow_none=True)
    overdue = fields.String(allow_none=True, metadata={
        "description": "`respond` (not accepted in time), `resolve` (not done in time) or null."})
    respond_seconds_left = fields.Integer(allow_none=True)
    resolve_seconds_left = fields.Integer(allow_none=True)
    revisit_seconds_left = fields.Integer(allow_none=True)
    client_id = fields.String(allow_none=True)

    @pre_dump
    def _shown(self, order, **kw):
        """The order with what the domain says about it for this caller now (views.work_order_view)."""
        return Shown(order, views.work_order_view(order, g.get("user"), clock.now()))


class WorkOrderCreatedOut(WorkOrderOut):
    created_ids = fields.List(fields.Integer(), metadata={
        "description": "Every order this call made (one_per_finding makes several; this body is the first)."})


class WorkOrderPage(OutSchema):
    items = fields.List(fields.Nested(WorkOrderOut))
    next_cursor = fields.String(allow_none=True)


class WorkOrderEventOut(OutSchema):
    id = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.Nested(WorkOrderPersonRef, allow_none=True)
    at = UtcDateTime()
    note = fields.String()
    data = fields.Dict(allow_none=True)


class WorkOrderFindingRef(OutSchema):
    id = fields.Integer()
    title = fields.String()
    title_en = fields.String()
    status = fields.String()
    trade = fields.String()
    priority = fields.String()
    checklist_key = fields.String(allow_none=True)
    item_key = fields.String(allow_none=True)
    zone_id = fields.Integer()
    checkpoint_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()
    photo_ids = fields.Function(lambda f: [p.photo_id for p in f.photo_links])


class WorkOrderPhotoOut(OutSchema):
    id = fields.String(attribute="photo_id")
    kind = fields.String()


class WorkOrderDetailOut(WorkOrderOut):
    """An order as ``api.domain.workorder_detail.order_detail`` loads it."""

    events = fields.List(fields.Nested(WorkOrderEventOut))
    findings = fields.List(fields.Nested(WorkOrderFindingRef))
    photos = fields.List(fields.Nested(WorkOrderPhotoOut), attribute="photo_links")


class EscalateOut(OutSchema):
    escalated = fields.List(fields.Dict(), metadata={"description": "[{id, level}] moved up by this call"})
