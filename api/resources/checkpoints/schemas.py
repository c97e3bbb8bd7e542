"""Checkpoints with their zone and the checklists that apply to them."""
from marshmallow import fields, validate

from api.domain.orgrows import CheckpointRow, CodeList
from api.resources.common import OutSchema, QuerySchema


class SiteCheckpointQuery(QuerySchema):
    include_inactive = fields.Boolean(load_default=False, metadata={"description": "Also retired checkpoints."})


class CheckpointQuery(SiteCheckpointQuery):
    site_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2 ** 31 - 1))


class CheckpointSiteRefOut(OutSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    timezone = fields.String()


class CheckpointZoneRefOut(OutSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String()


class CheckpointApplicableChecklistOut(OutSchema):
    key = fields.String()
    name = fields.String()
    name_en = fields.String()
    trade = fields.String(attribute="body.trade")
    version = fields.Integer()
    content_hash = fields.String()


class CheckpointOut(OutSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    kind = fields.String()
    site_id = fields.Integer()
    zone = fields.Nested(CheckpointZoneRefOut)
    checklist_keys = fields.List(fields.String(), metadata={"description": "The checklists ticked here."})
    checklists = fields.List(fields.Nested(CheckpointApplicableChecklistOut),
                             metadata={"description": "Current versions of the checklists that apply here."})
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    nfc_tag_id = fields.String(allow_none=True)
    active = fields.Boolean()
    sort_order = fields.Integer()
    note = fields.String()
    nfc_tag_id = fields.String(allow_none=True, metadata={
        "description": "The NFC tag's id: the phone finds the checkpoint from a tag it reads (proof of presence)."})


class ScannedCheckpointOut(CheckpointOut):
    site = fields.Nested(CheckpointSiteRefOut)


class CheckpointBody(CheckpointRow):
    """A checkpoint as the API, the Excel sheet and ``patrol import checkpoints`` all take it."""


class CheckpointPatch(CheckpointRow):
    """Only the fields to change."""


class CheckpointRowOut(CheckpointRow):
    id = fields.Integer()
    site_id = fields.Integer()
    zone_id = fields.Integer()


class LabelArgs(QuerySchema):
    site_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2 ** 31 - 1))
    ids = CodeList(12, r"^\d{1,10}$", metadata={"description": "Checkpoint ids, comma-separated (default: all)."})
