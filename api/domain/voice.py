"""Voice notes (issue #16): a few seconds of a guard's voice with an emergency or a failed item.

Only real audio is stored: the bytes must start like one of the containers phones record
(MediaRecorder: WebM on Chrome/Android, Ogg on Firefox, MP4 on iOS Safari), and FFmpeg (PyAV)
must find exactly one audio stream and nothing else in them, and decode it; its length is
measured from the packets (a recording's header often has none) and held to the company's
policy (``phone.voice_max_seconds``, ``phone.voice_max_kb``). Stored under its SHA-256, byte for
byte as recorded, through ``api.storage``.
"""
import hashlib
import io

from api.db import lock_key, locked, write_tx
from api.domain.errors import Invalid, NotFound
from api.models import VoiceNote, utcnow

# magic bytes -> (container name as FFmpeg knows it, the content type it is served with)
CONTAINERS = {"webm": "audio/webm", "ogg": "audio/ogg", "mp4": "audio/mp4"}
_EXT = {"audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a"}


def sniff(data):
    """The container the bytes start as, or None: EBML (WebM), ``OggS``, or an MP4 ``ftyp`` box."""
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[:4] == b"OggS":
        return "ogg"
    if data[4:8] == b"ftyp":
        return "mp4"
    return None


def _refuse(why):
    return Invalid({"file": [why]}, message="Not a voice recording we accept.", location="files")


def inspect_audio(data, *, max_seconds, max_bytes):
    """``(content_type, duration_ms)`` of a voice recording, or Invalid saying what is wrong."""
    if len(data) > max_bytes:
        raise _refuse(f"The recording is {len(data) // 1024} KB; at most {max_bytes // 1024} KB is accepted.")
    container = sniff(data)
    if container is None:
        raise _refuse("Not an audio recording (WebM, Ogg or MP4).")
    import av  # FFmpeg: loaded on the first voice note, not by every process that imports the API

    try:
        with av.open(io.BytesIO(data), mode="r", format=container) as media:
            audio = [s for s in media.streams if s.type == "audio"]
            if len(audio) != 1 or len(media.streams) != 1:
                raise _refuse("A voice note holds one audio track and nothing else.")
            stream = audio[0]
            end = 0.0
            frames = 0
            for packet in media.demux(stream):
                if packet.pts is not None and packet.duration is not None and packet.time_base is not None:
                    end = max(end, float((packet.pts + packet.duration) * packet.time_base))
                    if end > max_seconds + 1:
                        break
                frames += len(packet.decode())  # audio that does not decode is not audio
    except Invalid:
        raise
    except (av.FFmpegError, ValueError, IndexError, EOFError):
        raise _refuse("The recording cannot be read (damaged or not audio).")
    if not frames:
        raise _refuse("The recording holds no sound.")
    if end > max_seconds + 1:  # a second of grace: the recorder stops on a timer, not on the frame
        raise _refuse(f"The recording is longer than {max_seconds} seconds.")
    return CONTAINERS[container], int(round(end * 1000))


def voice_key(note_id, content_type):
    return f"voice/{note_id[:2]}/{note_id}.{_EXT.get(content_type, 'bin')}"


def limits(phone_policy):
    """(max seconds, max bytes) from the policy's ``phone`` section."""
    return int(phone_policy["voice_max_seconds"]), int(phone_policy["voice_max_kb"]) * 1024


def ingest_voice(data, *, user, site_ids, storage, max_seconds, max_bytes, audit_fn=None, original_path=None):
    """Check and store a voice recording; ``(voice note, created)``. The same bytes again are the
    same note (its sites widened to the caller's). ``original_path``: a file holding exactly these
    bytes (a finished upload), moved into storage rather than written again."""
    content_type, duration_ms = inspect_audio(data, max_seconds=max_seconds, max_bytes=max_bytes)
    note_id = hashlib.sha256(data).hexdigest()
    key = voice_key(note_id, content_type)
    if not storage.exists(key):
        if original_path is not None:
            storage.put_file(key, original_path)
        else:
            storage.put(key, data)
    with write_tx():
        lock_key(f"voice:{note_id}")  # two uploads of the same bytes: one row, one audit
        note = locked(VoiceNote, VoiceNote.id == note_id)
        if note is not None:
            wider = sorted(set(note.site_ids or []) | set(site_ids))
            if wider != sorted(note.site_ids or []):
                VoiceNote.update(site_ids=wider).where(VoiceNote.id == note_id).execute()
                note.site_ids = wider
            return note, False
        note = VoiceNote.create(id=note_id, uploaded_by=user.id, content_type=content_type, size_bytes=len(data),
                                duration_ms=duration_ms, site_ids=sorted(set(site_ids)), created_at=utcnow())
        if audit_fn:
            audit_fn("voice_note.upload", "voice_note", note_id, (sorted(site_ids) or [None])[0],
                     after={"content_type": content_type, "duration_ms": duration_ms, "size_bytes": len(data)})
    return note, True


def visible_note(note_id, site_ids):
    """The voice note if one of ``site_ids`` may hear it, else NotFound (another site's note is
    not there for guessing its hash)."""
    note = VoiceNote.get_or_none(VoiceNote.id == str(note_id).lower()) if note_id else None
    if note is None or not set(note.site_ids or []) & set(site_ids):
        raise NotFound("No such voice note.")
    return note


def result_voice_errors(results, site_ids):
    """Field errors (``results.3.voice_note_id``) for failed items naming voice notes not uploaded."""
    errors = {}
    for i, res in enumerate(results):
        if res.get("voice_note_id"):
            errors.update(check_voice_ref(res["voice_note_id"], site_ids, f"results.{i}.voice_note_id"))
    return errors


def check_voice_ref(note_id, site_ids, field="voice_note_id"):
    """Field errors for a reference to a voice note the caller must have uploaded first."""
    errors = {}
    try:
        visible_note(note_id, site_ids)
    except NotFound:
        errors[field] = ["Upload this voice note first."]
    return errors
