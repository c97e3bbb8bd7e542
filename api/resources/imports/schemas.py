"""Excel import/export: the upload, the query and the answer (counts and row errors)."""
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from api.domain.orgrows import KINDS
from api.resources.common import OutSchema, QuerySchema


class ImportUpload(QuerySchema):
    file = Upload(required=True, metadata={"description": "The .xlsx workbook (at most 10 MB)."})


class ImportArgs(QuerySchema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "Check only; write nothing."})
    password = fields.String(load_default=None, validate=validate.Length(min=8, max=256),
                             metadata={"description": "Staff: initial password for new accounts without one."})


class ExportArgs(QuerySchema):
    site_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2 ** 31 - 1))


class RowErrorOut(OutSchema):
    sheet = fields.String()
    row = fields.Integer()
    column = fields.String(metadata={"description": "Column letter (A, B, ...); empty for the whole row."})
    field = fields.String(allow_none=True)
    reason_zh = fields.String()
    reason = fields.String()


class ImportResultOut(OutSchema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    sheet = fields.String()
    rows = fields.Integer()
    dry_run = fields.Boolean()
    written = fields.Boolean()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorOut))
