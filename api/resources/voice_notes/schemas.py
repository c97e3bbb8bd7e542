"""Voice note uploads and their answers."""
from flask import url_for
from marshmallow import fields, validate

from api.resources.common import OutSchema, StrictSchema


class VoiceUploadStart(StrictSchema):
    sha256 = fields.String(required=True, validate=[validate.Length(equal=64), validate.Regexp(r"^[0-9a-fA-F]{64}$")],
                           metadata={"description": "SHA-256 of the recording's bytes: the voice note's id."})
    size_bytes = fields.Integer(required=True, validate=validate.Range(min=1, max=2 ** 40))


class VoiceNoteOut(OutSchema):
    id = fields.String(metadata={"description": "SHA-256 of the recording's bytes."})
    content_type = fields.String(metadata={"description": "audio/webm, audio/ogg or audio/mp4."})
    size_bytes = fields.Integer()
    duration_ms = fields.Integer()
    url = fields.Method("get_url")

    def get_url(self, note):
        return url_for("voice_notes.VoiceNoteOne", note_id=note.id)


class VoiceUploadOut(OutSchema):
    id = fields.String(attribute="upload_id", allow_none=True, metadata={
        "description": "The upload's id (null when the recording was stored already)."})
    offset = fields.Integer(metadata={"description": "Bytes the server holds: send the next chunk from here."})
    size_bytes = fields.Integer()
    complete = fields.Boolean()
    voice_note = fields.Nested(VoiceNoteOut, allow_none=True, metadata={"description": "The stored note once complete."})
