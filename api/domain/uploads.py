"""Resumable photo uploads: a dropped connection resumes from the last byte the server kept.

Like the tus protocol, reduced to what the phone needs: ``start_upload`` names the bytes by their
SHA-256 and size (a photo already stored answers at once, nothing is sent twice); ``append_chunk``
takes the bytes at the offset the server says it has (any other offset is refused with the right
one, so two copies of one chunk can never both be written); the chunk that completes the bytes
checks their hash and stores the photo the way a one-shot upload does (``ingest_photo``: the same
validation, nothing stored when refused). The same phone starting the same bytes again gets its
unfinished upload back, at its offset.

Chunks are written to a local directory (``<media>.partial`` unless ``PATROL_UPLOAD_DIR`` says
otherwise); every process serving uploads must see the same directory.
"""
import fcntl
import hashlib
import os
import secrets
from contextlib import contextmanager
from datetime import timedelta

from api.db import db, write_tx
from api.sql import get_where, insert, statement, table
from api.domain.photos import ingest_photo, link_sites, photo_sites
from api.domain.errors import Conflict, Invalid, NotFound
from api.models import Photo, PhotoUpload, utcnow


def upload_dir(config):
    """Where unfinished uploads live (created on first use)."""
    path = config.get("PATROL_UPLOAD_DIR") or (os.path.abspath(config["PATROL_MEDIA_DIR"]).rstrip(os.sep) + ".partial")
    os.makedirs(path, exist_ok=True)
    return path


def _part(folder, upload_id):
    return os.path.join(folder, f"{upload_id}.part")


def _have(folder, upload):
    """Bytes the server really holds: a crash can leave the file shorter than the row says."""
    try:
        return min(upload.received, os.path.getsize(_part(folder, upload.id)))
    except FileNotFoundError:
        return 0


def _stored_and_seen(sha256, site_ids):
    """The photo with these bytes if one of ``site_ids`` already sees it. A photo only another
    site sees is not handed over for knowing its hash: its bytes must be sent (and match)."""
    photo = get_where(Photo, Photo.id, sha256)
    if photo is not None and photo_sites([sha256], site_ids):
        return photo
    return None


def start_upload(*, user, sha256, size_bytes, site_ids, taken_at=None, gps=None, seen_by=None):
    """(upload or None, photo or None, created). A photo with these bytes already stored, and
    seen by one of the caller's sites (``seen_by``), is linked to ``site_ids`` and returned
    (nothing to send); else this phone's upload of these bytes, new or resumed (the unique
    (user, sha256) index decides between two starts at once)."""
    sha256 = sha256.lower()
    photo = _stored_and_seen(sha256, seen_by or site_ids)
    if photo is not None:
        link_sites(sha256, site_ids)
        return None, photo, False
    lat, lon = gps if gps else (None, None)
    now = utcnow()
    row = dict(id=secrets.token_hex(16), user=user.id, sha256=sha256, size_bytes=size_bytes, received=0,
               site_ids=sorted(set(site_ids)), taken_at=taken_at, gps_lat=lat, gps_lon=lon,
               created_at=now, updated_at=now)
    fields = [PhotoUpload._meta.fields[k] for k in row]
    inserted = insert(PhotoUpload, fields, [tuple(row.values())], returning=(PhotoUpload.id,), ignore_conflicts=True)
    if inserted:
        return PhotoUpload(**row), None, True
    existing = PhotoUpload.get((PhotoUpload.user == user.id) & (PhotoUpload.sha256 == sha256))
    if existing.size_bytes != size_bytes:
        raise Invalid({"size_bytes": ["An upload of these bytes with another size is under way."]})
    return existing, None, False


def upload_of(upload_id, user):
    """The caller's own upload, or 404 (another user's upload is not theirs to see or feed)."""
    upload = get_where(PhotoUpload, PhotoUpload.id, upload_id) if len(upload_id) <= 32 else None
    if upload is None or upload.user_id != user.id:
        raise NotFound("No such upload.")
    return upload


def put_photo(sha256, *, user, site_ids, seen_by, length, read, folder, storage, max_pixels, audit_fn=None,
              taken_at=None, gps=None):
    """The whole photo in one request, named by its SHA-256: the phone's first try on any signal.
    Returns ``(photo, created)``; a photo one of the caller's sites already sees answers at once.

    The body is hashed while it streams to disk (never hashed twice), and no upload is recorded
    at all when it arrives whole (the fast path). When the connection drops mid-body, what arrived becomes a resumable upload of these
    bytes (``POST /photos/uploads`` then finds it at its offset)."""
    sha256 = sha256.lower()
    photo = _stored_and_seen(sha256, seen_by)
    if photo is not None:
        link_sites(sha256, site_ids)
        return photo, False
    hasher = hashlib.sha256()
    got = 0
    segment = os.path.join(folder, f"put-{secrets.token_hex(8)}.seg")
    try:
        # to disk as it arrives, not held in memory: sixteen threads of slow phones hold nothing
        with open(segment, "wb") as fh:
            while got < length:
                piece = read(min(_PIECE, length - got))
                if not piece:
                    break
                fh.write(piece)
                hasher.update(piece)
                got += len(piece)
        if got < length:
            if got:
                _keep_partial(user=user, sha256=sha256, size_bytes=length, site_ids=site_ids, segment=segment,
                              got=got, folder=folder, taken_at=taken_at, gps=gps)
            raise Invalid({"body": ["The photo arrived in part: resume it with POST /photos/uploads."]},
                          location="body")
        if hasher.hexdigest() != sha256:
            raise Invalid({"file": ["The bytes received do not match the SHA-256 given: start the upload again."]},
                          message="The bytes received do not match the SHA-256 given.", location="files")
        with open(segment, "rb") as fh:  # from the page cache, once the whole photo is in
            data = fh.read()
        return ingest_photo(data, user=user, site_ids=site_ids, storage=storage, max_pixels=max_pixels,
                            audit_fn=audit_fn, pid=sha256, original_path=segment, client_taken_at=taken_at,
                            client_gps=gps)
    finally:
        if os.path.exists(segment):
            os.unlink(segment)


def _keep_partial(*, user, sha256, size_bytes, site_ids, segment, got, folder, taken_at, gps):
    """The first bytes of a dropped whole-photo request, kept as a resumable upload."""
    try:
        upload, photo, _created = start_upload(user=user, sha256=sha256, size_bytes=size_bytes,
                                               site_ids=site_ids, taken_at=taken_at, gps=gps)
    except Invalid:
        return
    if upload is not None and photo is None and offset_of(upload, folder) == 0:
        try:
            _join(upload, folder, segment, 0, got)
        except Conflict:
            pass


def offset_of(upload, folder):
    if upload.photo_id:
        return upload.size_bytes
    return _have(folder, upload)


def append_chunk(upload_id, *, user, offset, data, folder, storage, max_pixels, audit_fn=None):
    """Write ``data`` (bytes) at ``offset``; see ``receive_chunk``."""
    pieces = iter([data])
    return receive_chunk(upload_id, user=user, offset=offset, length=len(data),
                         read=lambda _n: next(pieces, b""), folder=folder, storage=storage,
                         max_pixels=max_pixels, audit_fn=audit_fn)


def receive_chunk(upload_id, *, user, offset, length, read, folder, storage, max_pixels, audit_fn=None,
                  upload=None):
    """Take ``length`` bytes from ``read(n)`` (b"" when the connection dropped) as the upload's
    bytes from ``offset`` on and return ``(upload, photo or None)``: the photo once the last byte
    is in.

    The body is streamed to a file of its own with no lock held (a phone at 400 kbps takes
    seconds); what arrived before a dropped connection is kept, so the phone resumes from there.
    Then, in a short transaction under the upload's row lock, the piece is joined to the upload
    only if the upload is still at ``offset`` (a stale or duplicated request is dropped: 409 with
    ``Upload-Offset``), so no byte is ever written twice. ``upload``: the row, if the caller has
    just read it with ``upload_of``."""
    upload = upload or upload_of(upload_id, user)
    if upload.photo_id:
        return upload, Photo.get_or_none(Photo.id == upload.photo_id)
    if offset + length > upload.size_bytes:
        raise Invalid({"Upload-Offset": [f"The upload is {upload.size_bytes} bytes; this chunk goes past its end."]},
                      location="headers")
    have = _have(folder, upload)
    if offset != have and have < upload.size_bytes:  # told before the body is read
        raise _wrong_offset(have)
    got = 0
    if have < upload.size_bytes:
        segment = f"{_part(folder, upload.id)}.{secrets.token_hex(6)}.seg"
        try:
            with open(segment, "wb") as fh:
                while got < length:
                    piece = read(min(_PIECE, length - got))
                    if not piece:
                        break  # the connection dropped: keep what came
                    fh.write(piece)
                    got += len(piece)
            if got == 0:
                raise Invalid({"body": ["The chunk is empty."]}, location="body")
            have = _join(upload, folder, segment, offset, got)
        finally:
            if os.path.exists(segment):
                os.unlink(segment)
    if have < upload.size_bytes:
        return upload, None
    with _upload_lock(folder, upload):  # copies of the last chunk: one stores the photo, the rest find it
        fresh = get_where(PhotoUpload, PhotoUpload.id, upload.id)
        if fresh is None:
            raise NotFound("No such upload.")
        if fresh.photo_id:
            upload.photo_id = fresh.photo_id
            return upload, Photo.get_or_none(Photo.id == fresh.photo_id)
        return upload, _finish(upload, user=user, folder=folder, storage=storage, max_pixels=max_pixels,
                               audit_fn=audit_fn)


_PIECE = 64 * 1024
_SET_RECEIVED = ("received", "updated_at", "received")
_SET_PHOTO = ("photo_id", "updated_at", None)


def _update(shape, *values):
    """UPDATE photo_upload SET a = ?, b = ? WHERE id = ? [AND c = ?] (pre-written); rows changed."""
    set_a, set_b, also = shape
    f = PhotoUpload._meta.fields
    sql = statement(("upload_set",) + shape, lambda p: (
        f'UPDATE {table(PhotoUpload)} SET "{f[set_a].column_name}" = {p}, "{f[set_b].column_name}" = {p} '
        f'WHERE "id" = {p}' + (f' AND "{f[also].column_name}" = {p}' if also else "")))
    params = [f[set_a].db_value(values[0]), f[set_b].db_value(values[1]), values[2]] + (
        [f[also].db_value(values[3])] if also else [])
    return db.execute_sql(sql, params).rowcount


def _wrong_offset(have):
    return Conflict(f"The server has {have} bytes of this upload: send from there.",
                    errors={"Upload-Offset": [f"Expected {have}."]}, headers={"Upload-Offset": str(have)})


@contextmanager
def _upload_lock(folder, upload):
    """One request of an upload at a time (a file lock beside its part, held for local work only)."""
    with open(_part(folder, upload.id) + ".lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        yield


def _join(upload, folder, segment, offset, got):
    """Append a received piece to the upload if it is still at ``offset``; the new offset.

    Joins of one upload take turns on a file lock (held for a local file write, never while a
    body arrives); inside it the row is read again and only a piece that starts exactly where the
    upload stands is written, so a duplicated or stale request can never write a byte twice. The
    conditional UPDATE also guards against a second host sharing the directory without locks."""
    with _upload_lock(folder, upload):
        fresh = get_where(PhotoUpload, PhotoUpload.id, upload.id)
        if fresh is None:
            raise NotFound("No such upload.")
        have = offset_of(fresh, folder)
        if fresh.photo_id or have >= fresh.size_bytes:
            upload.photo_id, upload.received = fresh.photo_id, fresh.received
            return have
        if offset != have:
            raise _wrong_offset(have)
        path = _part(folder, upload.id)
        if offset == 0:
            os.replace(segment, path)  # the whole photo in one request: no copy
        else:
            with open(path, "r+b") as out, open(segment, "rb") as piece:
                out.seek(offset)
                while True:
                    block = piece.read(1 << 20)
                    if not block:
                        break
                    out.write(block)
                out.truncate(offset + got)
        have = offset + got
        claimed = _update(_SET_RECEIVED, have, utcnow(), upload.id, fresh.received)
        if not claimed:
            raise _wrong_offset(offset_of(PhotoUpload.get_by_id(upload.id), folder))
    upload.received = have
    return have


def _finish(upload, *, user, folder, storage, max_pixels, audit_fn):
    """All bytes are in: check the hash, store the photo (as a one-shot upload would, the file
    moved into storage rather than copied), mark the upload done. Refused bytes leave nothing
    behind: the phone must start again."""
    path = _part(folder, upload.id)
    with open(path, "rb") as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != upload.sha256:
        _forget(upload, path)
        raise Invalid({"file": ["The bytes received do not match the SHA-256 given: start the upload again."]},
                      message="The bytes received do not match the SHA-256 given.", location="files")
    gps = (upload.gps_lat, upload.gps_lon) if upload.gps_lat is not None and upload.gps_lon is not None else None
    try:
        photo, _created = ingest_photo(data, user=user, site_ids=upload.site_ids, storage=storage,
                                       max_pixels=max_pixels, audit_fn=audit_fn, pid=upload.sha256, known_new=True,
                                       original_path=path, client_taken_at=upload.taken_at, client_gps=gps)
    except Invalid:
        _forget(upload, path)
        raise
    _update(_SET_PHOTO, photo.id, utcnow(), upload.id)
    upload.photo_id = photo.id
    for leftover in (path, path + ".lock"):  # the part was not moved when the bytes were stored already
        if os.path.exists(leftover):
            os.unlink(leftover)
    return photo


def _forget(upload, path):
    PhotoUpload.delete().where(PhotoUpload.id == upload.id).execute()
    for leftover in (path, path + ".lock"):
        if os.path.exists(leftover):
            os.unlink(leftover)


def expire_uploads(folder, older_than=timedelta(days=7), now=None):
    """Forget uploads untouched for ``older_than`` (finished ones and abandoned ones) and their
    chunks; returns how many. Idempotent, safe from several processes."""
    cutoff = (now or utcnow()) - older_than
    ids = [u.id for u in PhotoUpload.select(PhotoUpload.id).where(PhotoUpload.updated_at < cutoff)]
    for upload_id in ids:
        for leftover in (_part(folder, upload_id), _part(folder, upload_id) + ".lock"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    if ids:
        with write_tx():
            PhotoUpload.delete().where(PhotoUpload.id.in_(ids) & (PhotoUpload.updated_at < cutoff)).execute()
    return len(ids)
