"""Originals later on Wi-Fi (issue #15): a photo the phone sent downscaled (to reach the server
fast on a weak signal) gets the camera's full original attached afterwards, when the phone is on
Wi-Fi or another unmetered network (policy ``photos.send_originals_on_wifi``).

The full original is checked like any upload (a whole, valid image of an accepted kind, within
the decoding budget; nothing is stored when it is refused) and stored byte for byte under its own
SHA-256, beside the downscaled photo, which stays the photo's evidence and id. A photo takes one
full original: the same bytes again answer as stored, other bytes are a conflict.
"""
import os
import secrets
from pathlib import Path

from api.db import locked, write_tx
from api.domain.errors import Conflict, Invalid, NotFound
from api.domain.permissions import require
from api.domain.images import process_photo, storage_key
from api.domain.photos import DECODE_TURNS, photo_sites, put_all
from api.domain.uploads import stream_to_file
from api.models import Photo, utcnow

def attach_full_original(photo_id, *, user, seen_by, length, read, folder, storage, max_pixels, audit_fn=None):
    """Attach the full original (the request body, ``length`` bytes from ``read``) to the photo
    ``photo_id`` that ``user`` sent; returns ``(photo, created)``. Raises NotFound (not a photo one
    of ``seen_by`` sees), Forbidden (another person's photo), Invalid (cut short, empty, or not an
    image we accept: nothing stored) or Conflict (the photo already has another full original)."""
    photo = Photo.get_or_none(Photo.id == photo_id.lower())
    if photo is None or not photo_sites([photo.id], seen_by):
        raise NotFound("No such photo.")
    require(user, "photo.attach_original", photo)
    if length <= 0:
        raise Invalid({"body": ["The photo is empty."]}, location="body")
    segment = os.path.join(folder, f"full-{secrets.token_hex(8)}.seg")
    try:
        got, sha256 = stream_to_file(segment, length, read)
        if got < length:
            raise Invalid({"body": ["The original arrived in part: send it again."]}, location="body")
        if photo.full_sha256 is not None:
            return _same_or_conflict(photo, sha256)
        with open(segment, "rb") as fh:
            data = fh.read()
        with DECODE_TURNS:
            info = process_photo(data, max_pixels=max_pixels, pid=sha256).info
        body = Path(segment) if hasattr(storage, "put_file") else data  # moved into storage, not copied
        key = storage_key(sha256, "original", info.ext)
        put_all(storage, sha256, [(key, body, True)])
        with write_tx():
            row = locked(Photo, Photo.id == photo.id)
            if row.full_sha256 is not None:
                if row.full_sha256 != sha256:
                    _forget_unowned(storage, key, sha256)  # another original won meanwhile
                return _same_or_conflict(row, sha256)
            row.full_sha256, row.full_size_bytes = sha256, info.size_bytes
            row.full_content_type, row.full_received_at = info.content_type, utcnow()
            row.save(only=[Photo.full_sha256, Photo.full_size_bytes, Photo.full_content_type,
                           Photo.full_received_at])
            if audit_fn:
                audit_fn("photo.full_original", "photo", row.id, None,
                         after={"full_sha256": sha256, "size_bytes": info.size_bytes,
                                "content_type": info.content_type})
        return row, True
    finally:
        if os.path.exists(segment):
            os.unlink(segment)


def _forget_unowned(storage, key, sha256):
    """Remove a file just stored when no photo (as itself or as its full original) has these bytes."""
    if not Photo.select().where((Photo.id == sha256) | (Photo.full_sha256 == sha256)).exists():
        storage.delete(key)


def _same_or_conflict(photo, sha256):
    if photo.full_sha256 != sha256:
        raise Conflict("This photo already has another full original.")
    return photo, False
