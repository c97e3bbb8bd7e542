"""Photos as evidence: sniff, validate and fully decode the bytes, derive a preview and a thumbnail.

The pure part (``process_photo``: bytes -> ``ProcessedPhoto``) touches no database or storage.
The thin part (``ingest_photo``) writes the files first and the row after, so a Photo row never
points at a missing file; the original bytes are stored unaltered, the derived JPEGs carry no
metadata (EXIF, GPS, comments, ICC) and have the camera's orientation applied.
"""
import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass
from datetime import datetime

import pillow_heif
from PIL import Image, ImageFile

from api.db import db, write_tx
from api.domain.errors import Invalid
from api.models import Photo, PhotoSite, utcnow
from api.sql import columns, marks, statement, table

pillow_heif.register_heif_opener()
# a truncated upload must fail to decode, never be padded with grey
ImageFile.LOAD_TRUNCATED_IMAGES = False

PREVIEW_PX = 1280
THUMB_PX = 320
PREVIEW_QUALITY = 82
THUMB_QUALITY = 75
SIZES = ("original", "preview", "thumb")

# Pillow format name -> (content type, file extension); nothing else is accepted
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "HEIF": ("image/heic", "heic"),
}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}

# EXIF tags
_ORIENTATION = 0x0112
_MAKE, _MODEL = 0x010F, 0x0110
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL, _DATETIME = 0x9003, 0x0132
# EXIF orientation -> the transpose that shows the picture upright (as ImageOps.exif_transpose)
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class PhotoInfo:
    """What is known about an accepted upload; ``id`` is the SHA-256 of its bytes."""

    id: str
    content_type: str
    ext: str
    size_bytes: int
    width: int  # as displayed, i.e. after the EXIF orientation
    height: int
    taken_at: datetime | None  # EXIF DateTimeOriginal as the camera wrote it (camera's local time)
    gps_lat: float | None
    gps_lon: float | None
    device: str


@dataclass(frozen=True)
class ProcessedPhoto:
    info: PhotoInfo
    original: bytes
    preview: bytes
    thumb: bytes


def photo_id(data):
    return hashlib.sha256(data).hexdigest()


def storage_key(pid, size, ext="jpg"):
    """``originals/ab/<sha>.jpg``; previews and thumbnails are always JPEG."""
    folder = {"original": "originals", "preview": "previews", "thumb": "thumbs"}[size]
    return f"{folder}/{pid[:2]}/{pid}.{ext if size == 'original' else 'jpg'}"


def _refuse(message):
    return Invalid({"file": [message]}, message=message, location="files")


# --- sniffing and container checks --------------------------------------------------------

def sniff_format(data):
    """The format the bytes really are (by magic number), or None; names and declared types lie."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and len(data) >= 16:
        size = struct.unpack(">I", data[:4])[0]
        brands = {data[8:12]} | {data[i:i + 4] for i in range(16, min(size, 64), 4)}
        if brands & _HEIF_BRANDS:
            return "HEIF"
    return None


# inside entropy-coded data FF is followed by 00 (stuffing), a restart marker or fill bytes
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_end(data, start=0):
    """Offset just past the EOI marker of the JPEG starting at ``start``, or None when the
    marker structure is broken. Segments are skipped by their length (the EXIF thumbnail
    inside APP1 is never mistaken for the end); entropy-coded data is scanned for markers."""
    n = len(data)
    if data[start:start + 2] != b"\xff\xd8":
        return None
    i = start + 2
    while i < n:
        if data[i] != 0xFF:
            return None
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            return None
        marker = data[i]
        i += 1
        if marker == 0xD9:
            return i
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if i + 2 > n:
            return None
        length = struct.unpack(">H", data[i:i + 2])[0]
        if length < 2:
            return None
        i += length
        if marker == 0xDA:  # start of scan: entropy-coded data until the next real marker
            m = _NEXT_MARKER.search(data, i)
            if m is None:
                return None
            i = m.start()
    return None


def _jpeg_trailer_ok(data):
    """Nothing may follow the image but zero padding or further whole JPEGs (the secondary
    images of the Multi-Picture Format that phones write); anything else is a polyglot."""
    end = _jpeg_end(data)
    if end is None:
        return False
    while end < len(data):
        rest = data[end:]
        if not rest.strip(b"\x00"):
            return True
        if rest[:2] != b"\xff\xd8":
            return False
        nxt = _jpeg_end(data, end)
        if nxt is None:
            return False
        end = nxt
    return True


def _png_trailer_ok(data):
    i = 8
    n = len(data)
    while i + 12 <= n:
        length = struct.unpack(">I", data[i:i + 4])[0]
        ctype = data[i + 4:i + 8]
        i += 12 + length
        if ctype == b"IEND":
            return i == n
    return False


def _webp_trailer_ok(data):
    size = struct.unpack("<I", data[4:8])[0]
    total = 8 + size + (size & 1)
    return len(data) in (8 + size, total)


def _isobmff_trailer_ok(data):
    """Top-level boxes must tile the file exactly."""
    i = 0
    n = len(data)
    while i < n:
        if i + 8 > n:
            return False
        size = struct.unpack(">I", data[i:i + 4])[0]
        if size == 1:
            if i + 16 > n:
                return False
            size = struct.unpack(">Q", data[i + 8:i + 16])[0]
        elif size == 0:
            return True
        if size < 8:
            return False
        i += size
    return i == n


_TRAILER_CHECKS = {"JPEG": _jpeg_trailer_ok, "PNG": _png_trailer_ok, "WEBP": _webp_trailer_ok,
                   "HEIF": _isobmff_trailer_ok}


# --- metadata -----------------------------------------------------------------------------

def _rational(value):
    try:
        if isinstance(value, tuple) and len(value) == 2:
            return float(value[0]) / float(value[1])
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _gps_coord(values, ref):
    try:
        d, m, s = (_rational(v) for v in values)
    except (TypeError, ValueError):
        return None
    if d is None or m is None or s is None:
        return None
    coord = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if str(ref).strip().upper() in ("S", "W"):
        coord = -coord
    return round(coord, 7)


def _exif_text(value):
    if isinstance(value, bytes):
        value = value.decode("utf-8", "ignore")
    return str(value).strip("\x00 ").strip() if value is not None else ""


def read_metadata(exif):
    """(orientation, taken_at, lat, lon, device) from a Pillow Exif; broken tags are ignored."""
    orientation, taken_at, lat, lon = 1, None, None, None
    try:
        orientation = int(exif.get(_ORIENTATION, 1) or 1)
    except (TypeError, ValueError):
        orientation = 1
    try:
        sub = exif.get_ifd(_EXIF_IFD)
        raw = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
        if raw:
            taken_at = datetime.strptime(_exif_text(raw)[:19], "%Y:%m:%d %H:%M:%S")
    except (ValueError, TypeError, KeyError, struct.error, SyntaxError):
        taken_at = None
    try:
        gps = exif.get_ifd(_GPS_IFD)
        if gps.get(2) and gps.get(4):
            lat = _gps_coord(gps[2], gps.get(1, "N"))
            lon = _gps_coord(gps[4], gps.get(3, "E"))
            if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                lat = lon = None
    except (ValueError, TypeError, KeyError, struct.error, SyntaxError):
        lat = lon = None
    device = " ".join(t for t in (_exif_text(exif.get(_MAKE)), _exif_text(exif.get(_MODEL))) if t)[:120]
    return (orientation if orientation in range(1, 9) else 1), taken_at, lat, lon, device


# --- the pure pipeline ------------------------------------------------------------------------

def _to_rgb(img):
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img.convert("RGB") if img.mode != "RGB" else img


def _jpeg_bytes(img, quality):
    out = io.BytesIO()
    img.info = {}  # no EXIF, GPS, comment or profile leaks into a derived image
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def process_photo(data, max_pixels=60_000_000):
    """Validate an upload completely and derive its preview and thumbnail.

    Raises ``Invalid`` (field ``file``) for anything that is not a whole, sane JPEG, PNG, WebP
    or HEIC image: empty, unknown format, truncated, garbage appended, or too many pixels.
    """
    if not data:
        return _fail("The file is empty.")
    fmt = sniff_format(data)
    if fmt is None:
        return _fail("Not an image we accept: send a JPEG, PNG, WebP or HEIC photo.")
    if not _TRAILER_CHECKS[fmt](data):
        return _fail("The image is damaged or has other data attached to it.")
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=[fmt])
            if img.format != fmt:
                return _fail("Not an image we accept: send a JPEG, PNG, WebP or HEIC photo.")
            width, height = img.size
            if width < 1 or height < 1 or width * height > max_pixels:
                return _fail(f"The image has too many pixels ({width}×{height}).")
            if getattr(img, "n_frames", 1) > 1 and fmt != "HEIF":
                return _fail("Animated images are not photos.")
            orientation, taken_at, lat, lon, device = read_metadata(img.getexif())
            if fmt == "JPEG":
                # decode at reduced scale: a 12 MP photo never needs decoding at full size here
                img.draft("RGB", (PREVIEW_PX, PREVIEW_PX))
            img.load()  # a full decode: only this catches a truncated or corrupt file
            preview = _to_rgb(img)
            if preview is img:
                preview = img.copy()
            preview.thumbnail((PREVIEW_PX, PREVIEW_PX))
            if orientation in _TRANSPOSE:
                preview = preview.transpose(_TRANSPOSE[orientation])
            thumb = preview.copy()
            thumb.thumbnail((THUMB_PX, THUMB_PX))
            preview_bytes = _jpeg_bytes(preview, PREVIEW_QUALITY)
            thumb_bytes = _jpeg_bytes(thumb, THUMB_QUALITY)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _fail("The image has too many pixels.")
    except (OSError, SyntaxError, ValueError, struct.error, EOFError, IndexError, MemoryError,
            RuntimeError, TypeError, KeyError):
        return _fail("The image is damaged or truncated and cannot be read.")
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    content_type, ext = FORMATS[fmt]
    info = PhotoInfo(id=photo_id(data), content_type=content_type, ext=ext, size_bytes=len(data),
                     width=width, height=height, taken_at=taken_at, gps_lat=lat, gps_lon=lon, device=device)
    return ProcessedPhoto(info=info, original=data, preview=preview_bytes, thumb=thumb_bytes)


def _fail(message):
    raise _refuse(message)


# --- the thin part: files, then the row -------------------------------------------------------

def link_sites(photo_id_, site_ids):
    """Let these sites see the photo (idempotent)."""
    rows = [{"photo": photo_id_, "site": s} for s in sorted(set(site_ids))]
    if rows:
        PhotoSite.insert_many(rows).on_conflict_ignore().execute()


def link_photos(photo_ids, site_id):
    """Evidence used on a site becomes visible to that site (idempotent)."""
    rows = [{"photo": pid, "site": site_id} for pid in sorted(set(photo_ids))]
    if rows:
        PhotoSite.insert_many(rows).on_conflict_ignore().execute()


def ingest_photo(data, *, user, site_ids, storage, max_pixels=60_000_000, now=None, audit_fn=None):
    """Store an upload once: returns ``(photo, created)``. The same bytes again only link the
    photo to these sites. Files are written before the row, so a row never lacks its files."""
    pid = photo_id(data)
    existing = Photo.get_or_none(Photo.id == pid)
    if existing is not None:
        with write_tx():
            link_sites(pid, site_ids)
        return existing, False
    processed = process_photo(data, max_pixels=max_pixels)
    info = processed.info
    storage.put(storage_key(pid, "original", info.ext), processed.original)
    storage.put(storage_key(pid, "preview"), processed.preview)
    storage.put(storage_key(pid, "thumb"), processed.thumb)
    with write_tx():
        created = Photo.get_or_none(Photo.id == pid) is None
        if created:
            Photo.insert(id=pid, uploaded_by=user, content_type=info.content_type, size_bytes=info.size_bytes,
                         width=info.width, height=info.height, taken_at=info.taken_at, gps_lat=info.gps_lat,
                         gps_lon=info.gps_lon, device=info.device,
                         created_at=now or utcnow()).on_conflict_ignore().execute()
        link_sites(pid, site_ids)
        if created and audit_fn:
            audit_fn("photo.upload", "photo", pid, site_ids[0] if len(site_ids) == 1 else None,
                     after={"size_bytes": info.size_bytes, "content_type": info.content_type})
    return Photo.get_by_id(pid), created


def visible_photo_ids(photo_ids, site_ids):
    """Those of ``photo_ids`` that one of ``site_ids`` may see."""
    return set(photo_sites(photo_ids, site_ids))


def photo_sites(photo_ids, site_ids):
    """{photo id: the ones of ``site_ids`` that see it} for the visible ones of ``photo_ids``
    (one query, pre-written: it runs on every inspection that carries photos)."""
    ids, sites = sorted(set(photo_ids)), sorted(set(site_ids))
    if not ids or not sites:
        return {}
    sql = statement(("photo_sites", len(ids), len(sites)), lambda p: (
        f"SELECT {columns([PhotoSite.photo, PhotoSite.site])} FROM {table(PhotoSite)} "
        f'WHERE "{PhotoSite.photo.column_name}" IN ({marks(len(ids), p)}) '
        f'AND "{PhotoSite.site.column_name}" IN ({marks(len(sites), p)})'))
    out = {}
    for pid, sid in db.execute_sql(sql, ids + sites).fetchall():
        out.setdefault(pid, set()).add(sid)
    return out


def photo_ext(photo):
    return {ct: ext for ct, ext in FORMATS.values()}.get(photo.content_type, "jpg")
