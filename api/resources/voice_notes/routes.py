"""Voice notes: a short recording sent in resumable chunks (as photos are), checked to be audio,
played back to the sites that may hear it."""
import io

from flask import current_app, g, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import requires, site_ids
from api.domain.policy import current_policy
from api.domain.uploads import offset_of, receive_chunk, start_upload, upload_dir, upload_of
from api.domain.voice import ingest_voice, limits, visible_note, voice_key
from api.errors import Invalid, NotFound
from api.models import VoiceNote
from api.resources.photos.routes import CHUNK_DOC, _reader, chunk_request
from api.resources.voice_notes.schemas import VoiceUploadOut, VoiceUploadStart
from api.storage import current_storage

blp = Blueprint("voice_notes", __name__, url_prefix="/voice-notes", description="Voice notes as evidence.")


def _answer(upload, note):
    return {"upload_id": upload.id if upload is not None else None,
            "offset": note.size_bytes if note is not None else offset_of(upload, upload_dir(current_app.config)),
            "size_bytes": note.size_bytes if note is not None else upload.size_bytes,
            "complete": note is not None, "voice_note": note}


def _limits():
    return limits(current_policy()["phone"])


@blp.route("/uploads")
class VoiceUploads(MethodView):
    @blp.arguments(VoiceUploadStart)
    @blp.response(201, VoiceUploadOut)
    @blp.alt_response(200, schema=VoiceUploadOut, description="Resumed (offset > 0) or already stored (complete).")
    @requires("voice.upload")
    def post(self, args):
        """Start sending a voice note in chunks (or resume it: the same bytes answer their upload at
        the offset the server holds, or ``complete`` when the note is stored already)."""
        _seconds, max_bytes = _limits()
        if args["size_bytes"] > max_bytes:
            raise Invalid({"size_bytes": [f"A voice note may be at most {max_bytes // 1024} KB."]})
        mine = site_ids()

        def stored(sha256):
            note = VoiceNote.get_or_none(VoiceNote.id == sha256)
            # only bytes one of the caller's sites already hears are not sent again
            return note if note is not None and set(note.site_ids or []) & set(mine) else None

        upload, note, created = start_upload(user=g.user, sha256=args["sha256"], size_bytes=args["size_bytes"],
                                             site_ids=mine, kind="voice", stored=stored)
        return _answer(upload, note), (201 if created else 200)


@blp.route("/uploads/<string:upload_id>")
class VoiceUploadOne(MethodView):
    @blp.response(200, VoiceUploadOut)
    @blp.alt_response(409, description="The offset is not where the server is (header ``Upload-Offset``).")
    @blp.alt_response(404, description="No such upload of yours.")
    @blp.doc(**CHUNK_DOC)
    @requires("voice.upload")
    def patch(self, upload_id):
        """Send the next chunk at ``Upload-Offset``; the chunk that completes the recording stores it
        (422, nothing stored, when it is not audio we accept or longer than the policy allows)."""
        upload = upload_of(upload_id, g.user, kind="voice")
        offset, length = chunk_request()
        max_seconds, max_bytes = _limits()
        storage = current_storage()

        def ingest(data, path, up):
            note, _created = ingest_voice(data, user=g.user, site_ids=up.site_ids, storage=storage,
                                          max_seconds=max_seconds, max_bytes=max_bytes, audit_fn=audit,
                                          original_path=path)
            return note

        upload, note = receive_chunk(upload_id, user=g.user, offset=offset, length=length, upload=upload,
                                     read=_reader(request.stream), folder=upload_dir(current_app.config),
                                     storage=storage, audit_fn=audit, ingest=ingest)
        if note is None and upload.photo_id:  # a retried last chunk: the note is stored already
            note = VoiceNote.get_or_none(VoiceNote.id == upload.photo_id)
        return _answer(upload, note)


@blp.route("/<string:note_id>")
class VoiceNoteOne(MethodView):
    @blp.response(200, description="The recording's bytes, as recorded.", content_type="audio/*")
    @blp.alt_response(404, description="No such voice note on your sites.")
    @requires("voice.view")
    def get(self, note_id):
        """One voice note's bytes (range requests answered, so a player can seek)."""
        note = visible_note(note_id if len(note_id) == 64 else None, site_ids())
        try:
            data = current_storage().get(voice_key(note.id, note.content_type))
        except FileNotFoundError:
            raise NotFound("The voice note's file is missing from storage.")
        resp = send_file(io.BytesIO(data), mimetype=note.content_type, conditional=True, etag=note.id,
                         max_age=86400, download_name=f"{note.id[:12]}.{voice_key(note.id, note.content_type).rsplit('.', 1)[1]}")
        resp.headers["Vary"] = "Authorization"
        resp.cache_control.private = True
        return resp
