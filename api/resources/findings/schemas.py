"""Findings: list filters, ad-hoc reports, dismissal, and the finding as shown."""
from flask import url_for
from marshmallow import fields, validate

from api.models import PRIORITIES, TRADES
from api.pagination import PageArgs
from api.resources.common import AwareDateTime, OutSchema, QuerySchema, StrictSchema, UtcDateTime
from api.resources.inspections.schemas import PHOTO_ID, Id, LocationIn, Str

STATUSES = ("open", "in_work", "resolved", "dismissed")


class FindingQuery(PageArgs, QuerySchema):
    site_id = Id()
    zone_id = Id()
    checkpoint_id = Id()
    checklist_key = Str(64)
    status = fields.String(validate=validate.OneOf(STATUSES))
    trade = fields.String(validate=validate.OneOf(TRADES))
    source = fields.String(validate=validate.OneOf(["inspection", "adhoc"]))
    since = AwareDateTime(metadata={"description": "Reported at or after."})
    until = AwareDateTime(metadata={"description": "Reported before."})


class AdhocIn(StrictSchema):
    client_id = fields.UUID(required=True, metadata={"description": "Made by the phone; retries send the same."})
    site_id = Id(load_default=None)
    checkpoint_code = Str(64, 1, load_default=None)
    zone_id = Id(load_default=None)
    place = Str(255, load_default="", metadata={"description": "Where, in words (e.g. 3 号楼东侧花坛)."})
    title = Str(255, load_default=None)
    note = Str(2000, 1, required=True)
    trade = fields.String(required=True, validate=validate.OneOf(TRADES))
    priority = fields.String(load_default="normal", validate=validate.OneOf(PRIORITIES))
    photo_ids = fields.List(PHOTO_ID, load_default=list, validate=validate.Length(max=20))
    location = fields.Nested(LocationIn, load_default=None, allow_none=True,
                             metadata={"description": "Where the phone was (一键报警 sends it)."})
    emergency = fields.Boolean(load_default=False, metadata={
        "description": "一键报警: raised as an emergency (priority emergency, flagged for the duty supervisor)."})
    voice_note_id = fields.String(load_default=None, validate=[validate.Length(equal=64), validate.Regexp(r"^[0-9a-f]{64}$")], metadata={
        "description": "A voice note uploaded first (POST /voice-notes/uploads)."})


class DismissIn(StrictSchema):
    reason = Str(1000, 1, required=True)


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
    emergency = fields.Method("get_emergency")
    location = fields.Method("get_location")
    voice_note = fields.Method("get_voice_note", metadata={"description": "{id, url} of the voice note, or null."})

    def get_voice_note(self, d):
        note_id = (d["finding"].extra or {}).get("voice_note_id")
        return {"id": note_id, "url": url_for("voice_notes.VoiceNoteOne", note_id=note_id)} if note_id else None

    def get_emergency(self, d):
        return bool((d["finding"].extra or {}).get("emergency"))

    def get_location(self, d):
        return (d["finding"].extra or {}).get("location")

    def get_place(self, d):
        return (d["finding"].extra or {}).get("place") or ""

    def get_resolve_hours(self, d):
        return (d["finding"].extra or {}).get("resolve_hours")

    def get_dismissed(self, d):
        return (d["finding"].extra or {}).get("dismissed")


class FindingPage(OutSchema):
    items = fields.List(fields.Nested(FindingOut))
    next_cursor = fields.String(allow_none=True)
