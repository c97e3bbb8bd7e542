"""Photos as evidence, stored: ``ingest_photo`` writes the original (durably) and the thumbnail
first and the row after, so a Photo row never points at a missing original; the original bytes are
stored unaltered. Which sites see a photo (``PhotoSite``) is kept here too. What is decoded and how
is ``api.domain.images`` (pure)."""
import threading
import time
from pathlib import Path

from api.db import write_tx
from api.domain.images import photo_id, process_photo, storage_key
from api.domain.watermark import watermark_lines
from api.models import Photo, PhotoSite, Site, User, utcnow
from api.sql import execute, get_where, insert, slot

def link_sites(photo_id_, site_ids):
    """Let these sites see the photo (idempotent; compiled once: every photo upload runs it)."""
    rows = [(photo_id_, s) for s in sorted(set(site_ids))]
    insert(PhotoSite, (PhotoSite.photo, PhotoSite.site), rows, ignore_conflicts=True)


def link_photos(photo_ids, site_id):
    """Evidence used on a site becomes visible to that site (idempotent)."""
    rows = [{"photo": pid, "site": site_id} for pid in sorted(set(photo_ids))]
    if rows:
        PhotoSite.insert_many(rows).on_conflict_ignore().execute()


def put_all(storage, pid, files):
    """Store a photo's files all or none: when one fails (a full disk), the ones already written are
    removed again, unless a photo row (an earlier upload of the same bytes) owns them."""
    written = []
    try:
        for key, body, durable in files:
            if isinstance(body, Path):  # a streamed upload already on disk: moved, not read again
                storage.put_file(key, str(body))
            elif durable:
                storage.put(key, body)
            else:
                storage.put(key, body, durable=False)
            written.append(key)
    except BaseException:
        if not Photo.select().where(Photo.id == pid).exists():
            for key in written:
                try:
                    storage.delete(key)
                except Exception:  # the original error is the one to report
                    pass
        raise


# decodes take turns two at a time per process: the cores are two, and sixteen threads decoding
# at once would only hold sixteen photos' buffers in memory
DECODE_TURNS = threading.BoundedSemaphore(2)
_SITES = {}  # site id -> (row, read at): watermarks only; a renamed site shows within a minute


def _site(site_id):
    hit = _SITES.get(site_id)
    if hit is None or time.monotonic() - hit[1] > 60:
        if len(_SITES) > 1000:
            _SITES.clear()
        hit = _SITES[site_id] = (get_where(Site, Site.id, site_id), time.monotonic())
    return hit[0]


def photo_watermark(photo):
    """The watermark of a stored photo: its first site (where it was uploaded) and its uploader."""
    link = PhotoSite.select(PhotoSite.site).where(PhotoSite.photo == photo.id).order_by(PhotoSite.id).first()
    site = Site.get_or_none(Site.id == link.site_id) if link else None
    user = User.get_or_none(User.id == photo.uploaded_by_id) if photo.uploaded_by_id else None
    return watermark_lines(taken_at=photo.taken_at, created_at=photo.created_at, site=site, user=user)


def ingest_photo(data, *, user, site_ids, storage, max_pixels=60_000_000, now=None, audit_fn=None,
                 client_taken_at=None, client_gps=None, pid=None, original_path=None, known_new=False):
    """Store an upload once: returns ``(photo, created)``. The same bytes again only link the
    photo to these sites. The original is written (durably) before the row, so a row never lacks
    it; the thumbnail is written without fsync (it can always be made again from the original).

    ``pid``: the bytes' SHA-256 when the caller has it already. ``original_path``: a file holding
    exactly ``data`` (a finished chunked upload), moved into storage instead of written again.
    ``client_taken_at`` / ``client_gps`` are what the phone read from the camera's EXIF before it
    downscaled the photo, used only when the bytes themselves carry none. ``known_new``: the caller
    has just seen that no photo has these bytes (a race is still settled by the insert)."""
    pid = pid or photo_id(data)
    existing = None if known_new else get_where(Photo, Photo.id, pid)
    if existing is not None:
        link_sites(pid, site_ids)
        return existing, False
    now = now or utcnow()
    site = _site(site_ids[0]) if site_ids else None
    with DECODE_TURNS:
        processed = process_photo(data, max_pixels=max_pixels, pid=pid, watermark=lambda taken: watermark_lines(
            taken_at=taken or client_taken_at, created_at=now, site=site, user=user))
    info = processed.info
    taken_at = info.taken_at or client_taken_at
    lat, lon = (info.gps_lat, info.gps_lon) if info.gps_lat is not None else (client_gps or (None, None))
    row = dict(id=pid, uploaded_by=user, content_type=info.content_type, size_bytes=info.size_bytes,
               width=info.width, height=info.height, taken_at=taken_at, gps_lat=lat, gps_lon=lon,
               device=info.device, created_at=now)
    fields = [Photo._meta.fields[k] for k in row]
    streamed = original_path is not None and hasattr(storage, "put_file")
    put_all(storage, pid, [(storage_key(pid, "original", info.ext), Path(original_path) if streamed else data, True),
                           (storage_key(pid, "thumb"), processed.thumb, False)])
    with write_tx():
        # one row and one audit entry for two uploads of the same bytes at once: the insert
        # decides (RETURNING gives nothing back on a conflict)
        created = bool(insert(Photo, fields, [tuple(row.values())], returning=(Photo.id,), ignore_conflicts=True))
        link_sites(pid, site_ids)
        if created and audit_fn:
            audit_fn("photo.upload", "photo", pid, site_ids[0] if len(site_ids) == 1 else None,
                     after={"size_bytes": info.size_bytes, "content_type": info.content_type})
    return (Photo(**row) if created else Photo.get_by_id(pid)), created


def visible_photo_ids(photo_ids, site_ids):
    """Those of ``photo_ids`` that one of ``site_ids`` may see."""
    return set(photo_sites(photo_ids, site_ids))


def photo_sites(photo_ids, site_ids):
    """{photo id: the ones of ``site_ids`` that see it} for the visible ones of ``photo_ids``
    (one query, compiled once per shape: it runs on every inspection that carries photos)."""
    ids, sites = sorted(set(photo_ids)), sorted(set(site_ids))
    if not ids or not sites:
        return {}
    values = {f"p{i}": v for i, v in enumerate(ids)} | {f"s{i}": v for i, v in enumerate(sites)}
    cursor = execute(("photo_sites", len(ids), len(sites)), lambda: PhotoSite.select(PhotoSite.photo, PhotoSite.site)
                     .where(PhotoSite.photo.in_([slot(f"p{i}", PhotoSite.photo) for i in range(len(ids))])
                            & PhotoSite.site.in_([slot(f"s{i}", PhotoSite.site) for i in range(len(sites))])), values)
    out = {}
    for pid, sid in cursor.fetchall():
        out.setdefault(pid, set()).add(sid)
    return out
