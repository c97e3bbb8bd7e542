"""Findings: list filters, ad-hoc reports, dismissal, and the finding as shown."""
from marshmallow import fields, validate

from api.models import PRIORITIES, TRADES
from api.pagination import PageArgs
from api.resources.common import AwareDateTime, OutSchema, QuerySchema, StrictSchema, Text, UtcDateTime
from api.resources.inspections.schemas import PHOTO_ID

STATUSES = ("open", "in_work", "resolved", "dismissed")


class FindingQuery(PageArgs, QuerySchema):
    site_id = fields.Integer()
    zone_id = fields.Integer()
    checkpoint_id = fields.Integer()
    checklist_key = fields.String(validate=validate.Length(max=64))
    status = fields.String(validate=validate.OneOf(STATUSES))
    trade = fields.String(validate=validate.OneOf(TRADES))
    source = fields.String(validate=validate.OneOf(["inspection", "adhoc"]))
    since = AwareDateTime(metadata={"description": "Reported at or after."})
    until = AwareDateTime(metadata={"description": "Reported before."})


class AdhocIn(StrictSchema):
    client_id = fields.UUID(required=True, metadata={"description": "Made by the phone; retries send the same."})
    site_id = fields.Integer(load_default=None)
    checkpoint_code = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    zone_id = fields.Integer(load_default=None)
    place = Text(255, load_default="", metadata={"description": "Where, in words (e.g. 3 号楼东侧花坛)."})
    title = Text(255, load_default=None)
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    trade = fields.String(required=True, validate=validate.OneOf(TRADES))
    priority = fields.String(load_default="normal", validate=validate.OneOf(PRIORITIES))
    photo_ids = fields.List(PHOTO_ID, load_default=list, validate=validate.Length(max=20))


class DismissIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class FindingZoneOut(OutSchema):
    id = fields.Integer()
    name = fields.String()
    name_en = fields.String()


class FindingCheckpointOut(FindingZoneOut):
    code = fields.String()


class FindingReporterOut(OutSchema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()


class FindingOut(OutSchema):
    id = fields.Integer(attribute="finding.id")
    site_id = fields.Integer(attribute="finding.site_id")
    zone = fields.Nested(FindingZoneOut, attribute="finding.zone")
    checkpoint = fields.Nested(FindingCheckpointOut, attribute="finding.checkpoint", allow_none=True)
    inspection_id = fields.String(attribute="finding.inspection_id", allow_none=True)
    checklist_key = fields.String(attribute="finding.checklist_key", allow_none=True)
    item_key = fields.String(attribute="finding.item_key", allow_none=True)
    title = fields.String(attribute="finding.title")
    title_en = fields.String(attribute="finding.title_en")
    note = fields.String(attribute="finding.note")
    place = fields.Method("get_place")
    trade = fields.String(attribute="finding.trade")
    priority = fields.String(attribute="finding.priority")
    points = fields.Integer(attribute="finding.points")
    resolve_hours = fields.Method("get_resolve_hours")
    status = fields.String(attribute="finding.status")
    source = fields.String(attribute="finding.source")
    reporter = fields.Nested(FindingReporterOut, attribute="finding.reported_by")
    created_at = UtcDateTime(attribute="finding.created_at")
    dismissed = fields.Method("get_dismissed")
    photo_ids = fields.List(fields.String())

    def get_place(self, d):
        return (d["finding"].extra or {}).get("place") or ""

    def get_resolve_hours(self, d):
        return (d["finding"].extra or {}).get("resolve_hours")

    def get_dismissed(self, d):
        return (d["finding"].extra or {}).get("dismissed")


class FindingPage(OutSchema):
    items = fields.List(fields.Nested(FindingOut))
    next_cursor = fields.String(allow_none=True)
