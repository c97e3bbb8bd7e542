"""Inspection submission, listing and the stored inspection."""
from marshmallow import ValidationError, fields, missing, validate, validates_schema

from api.pagination import PageArgs
from api.resources.common import AwareDateTime, OutSchema, QuerySchema, StrictSchema, UtcDateTime

PHOTO_ID = fields.String(validate=validate.Regexp(r"^[0-9a-fA-F]{64}$", error="Not a photo id."))
# database ids are 32-bit; a larger number is simply not an id (and must not reach the database)
ID_RANGE = validate.Range(min=1, max=2 ** 31 - 1)
# PostgreSQL text cannot hold NUL; refuse it as a field error instead of failing in the database
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="Must not contain NUL characters.")


def Id(**kw):
    return fields.Integer(validate=ID_RANGE, **kw)


def Str(max_len, min_len=0, **kw):
    return fields.String(validate=[validate.Length(min=min_len, max=max_len), NO_NUL], **kw)


class LocationIn(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(load_default=None, validate=validate.Range(min=0, max=100000))


class PresenceIn(StrictSchema):
    """How the guard showed they were at the checkpoint (the policy says which proofs count)."""
    method = fields.String(required=True, validate=validate.OneOf(["qr", "nfc", "gps", "typed"]))
    tag_id = Str(128, load_default=None, allow_none=True)
    reason = Str(500, load_default="")


class ResultIn(StrictSchema):
    item_key = Str(64, 1, required=True)
    status = fields.String(required=True, validate=validate.OneOf(["pass", "fail", "na"]))
    note = Str(2000, load_default="")
    photo_ids = fields.List(PHOTO_ID, load_default=list, validate=validate.Length(max=20))
    voice_note_id = fields.String(load_default=None, validate=[validate.Length(equal=64), validate.Regexp(r"^[0-9a-f]{64}$")], metadata={
        "description": "A failed item's voice note, uploaded first (POST /voice-notes/uploads)."})


class ResultList(fields.List):
    """``fields.List(fields.Nested(ResultIn))``, loaded faster in the common case.

    A schema load per result cost more than the rest of a submission's checks together. When
    every result is a plain object holding only ResultIn's fields, each of a plain type and passing
    that field's own validators, the loaded value is known without the schema machinery; anything
    else (a wrong type, a missing or unknown key, a value a validator refuses) takes the full path,
    which gives the field errors."""

    def __init__(self, **kwargs):
        super().__init__(fields.Nested(ResultIn), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        loaded = _plain_results(value)
        if loaded is None:
            return super()._deserialize(value, attr, data, **kwargs)
        return loaded


def _plain_fields(schema):
    """{name: (field, element field or None)} when every field of ``schema`` is a String or a
    List of String under its own name; else None (no fast path). The schema has no load hooks:
    tests/api/test_inspection_schema.py checks that both paths load the same, so adding one
    fails there."""
    plain = {}
    for name, field in schema.fields.items():
        if field.data_key not in (None, name) or field.attribute not in (None, name) or field.allow_none:
            return None
        if type(field) is fields.String:
            plain[name] = (field, None)
        elif type(field) is fields.List and type(field.inner) is fields.String and not field.inner.allow_none:
            plain[name] = (field, field.inner)
        else:
            return None
    return plain


_RESULT_FIELDS = _plain_fields(ResultIn())


def _passes(field, value):
    try:
        for check in field.validators:
            if check(value) is False:
                return False
    except ValidationError:
        return False
    return True


def _plain_results(value):
    """The loaded results if each is plainly valid (see ResultList), else None."""
    if _RESULT_FIELDS is None or type(value) is not list:
        return None
    out = []
    for res in value:
        if type(res) is not dict or not res.keys() <= _RESULT_FIELDS.keys():
            return None
        loaded = {}
        for name, (field, element) in _RESULT_FIELDS.items():
            if name not in res:
                if field.required:
                    return None
                default = field.load_default
                if default is not missing:
                    loaded[name] = default() if callable(default) else default
                continue
            v = res[name]
            if element is None:
                if type(v) is not str or not _passes(field, v):
                    return None
            else:
                if type(v) is not list or not all(type(e) is str and _passes(element, e) for e in v) \
                        or not _passes(field, v):
                    return None
                v = list(v)
            loaded[name] = v
        out.append(loaded)
    return out


class InspectionIn(StrictSchema):
    id = fields.UUID(required=True, metadata={"description": "Made by the phone; retries send the same id."})
    checkpoint_code = Str(64, 1, load_default=None)
    checkpoint_id = Id(load_default=None)
    checklist_key = Str(64, 1, required=True)
    checklist_version = Id(required=True)
    started_at = AwareDateTime(required=True, metadata={"description": "Device clock, with a time zone."})
    finished_at = AwareDateTime(required=True)
    location = fields.Nested(LocationIn, load_default=None, allow_none=True)
    results = ResultList(required=True, validate=validate.Length(min=1, max=200))
    task_id = Id(load_default=None, allow_none=True)
    presence = fields.Nested(PresenceIn, load_default=None, allow_none=True)

    @validates_schema
    def _checkpoint_named(self, data, **kwargs):
        if not data.get("checkpoint_code") and data.get("checkpoint_id") is None:
            raise ValidationError("Give checkpoint_code (the scanned code) or checkpoint_id.", "checkpoint_code")


class InspectionQuery(PageArgs, QuerySchema):
    site_id = Id()
    zone_id = Id()
    checkpoint_id = Id()
    checklist_key = Str(64)
    inspector_id = Id()
    since = AwareDateTime(metadata={"description": "Received at or after (server time)."})
    until = AwareDateTime(metadata={"description": "Received before."})


class InspectionCheckpointOut(OutSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class InspectorOut(OutSchema):
    id = fields.Integer()
    name = fields.String()


class ResultOut(OutSchema):
    item_key = fields.String()
    status = fields.String()
    note = fields.String()
    photo_ids = fields.List(fields.String())


class ResultListOut(fields.List):
    """``fields.List(fields.Nested(ResultOut))``, dumped faster in the common case: results whose
    fields are all plain strings (and lists of strings) are written out as they are, in the
    schema's field order; anything else is dumped by the schema."""

    def __init__(self, **kwargs):
        super().__init__(fields.Nested(ResultOut), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        plain = _RESULT_OUT_FIELDS
        if plain is None or type(value) is not list:
            return super()._serialize(value, attr, obj, **kwargs)
        out = []
        for res in value:
            if type(res) is not dict:
                return super()._serialize(value, attr, obj, **kwargs)
            row = {}
            for name, (_, element) in plain.items():
                v = res.get(name)
                if element is None and type(v) is not str or element is not None and not (
                        type(v) is list and all(type(e) is str for e in v)):
                    return super()._serialize(value, attr, obj, **kwargs)
                row[name] = v if element is None else list(v)
            out.append(row)
        return out


_RESULT_OUT_FIELDS = _plain_fields(ResultOut())


class InspectionFindingOut(OutSchema):
    id = fields.Integer(attribute="finding.id")
    item_key = fields.String(attribute="finding.item_key")
    title = fields.String(attribute="finding.title")
    title_en = fields.String(attribute="finding.title_en")
    trade = fields.String(attribute="finding.trade")
    priority = fields.String(attribute="finding.priority")
    points = fields.Integer(attribute="finding.points")
    status = fields.String(attribute="finding.status")
    photo_ids = fields.List(fields.String())


class PresenceOut(OutSchema):
    method = fields.String(attribute="presence_method", allow_none=True)
    accuracy_m = fields.Float(attribute="presence_accuracy_m", allow_none=True)
    distance_m = fields.Float(attribute="presence_distance_m", allow_none=True)
    reason = fields.String(attribute="presence_reason")
    flag = fields.String(attribute="presence_flag", allow_none=True,
                         metadata={"description": "What a supervisor should look at; null: nothing."})


class InspectionSummaryOut(OutSchema):
    id = fields.String()
    site_id = fields.Integer()
    zone_id = fields.Integer()
    checkpoint_id = fields.Integer()
    checklist_key = fields.String()
    inspector_id = fields.Integer()
    task_id = fields.Integer(allow_none=True)
    started_at = UtcDateTime(metadata={"description": "Device clock."})
    finished_at = UtcDateTime()
    received_at = UtcDateTime(metadata={"description": "Server clock."})
    clock_suspect = fields.Boolean()
    item_count = fields.Integer()
    failed_count = fields.Integer()
    presence = fields.Function(lambda i: PresenceOut().dump(i))


class InspectionOut(OutSchema):
    id = fields.String(attribute="inspection.id")
    site_id = fields.Integer(attribute="inspection.site_id")
    zone_id = fields.Integer(attribute="inspection.zone_id")
    checkpoint = fields.Nested(InspectionCheckpointOut)
    checklist_key = fields.String(attribute="inspection.checklist_key")
    checklist_version = fields.Integer()
    inspector = fields.Nested(InspectorOut)
    task_id = fields.Integer(attribute="inspection.task_id", allow_none=True)
    started_at = UtcDateTime(attribute="inspection.started_at")
    finished_at = UtcDateTime(attribute="inspection.finished_at")
    received_at = UtcDateTime(attribute="inspection.received_at")
    clock_suspect = fields.Boolean(attribute="inspection.clock_suspect")
    location = fields.Method("get_location")
    item_count = fields.Integer(attribute="inspection.item_count")
    failed_count = fields.Integer(attribute="inspection.failed_count")
    results = ResultListOut()
    findings = fields.List(fields.Nested(InspectionFindingOut))
    presence = fields.Function(lambda d: PresenceOut().dump(d["inspection"]))

    def get_location(self, detail):
        insp = detail["inspection"]
        if insp.lat is None or insp.lon is None:
            return None
        return {"lat": insp.lat, "lon": insp.lon, "accuracy_m": insp.accuracy_m}


class InspectionPage(OutSchema):
    items = fields.List(fields.Nested(InspectionSummaryOut))
    next_cursor = fields.String(allow_none=True)
