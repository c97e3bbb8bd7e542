"""Photos as evidence: sniff, validate and decode the bytes under a budget, derive a thumbnail.

The pure part (``process_photo``: bytes -> ``ProcessedPhoto``) touches no database or storage.
The thin part (``ingest_photo``) writes the original (durably) and the thumbnail first and the row
after, so a Photo row never points at a missing original; the original bytes are stored unaltered.

Cost inside the upload request is kept to what validation needs: a JPEG is decoded in draft mode
at 1/8 scale (libjpeg still reads the whole entropy-coded stream, so truncation and corruption are
caught) and the 320 px thumbnail is made from that decode. The 1280 px preview is made from the
original on its first view (``derived_image``) and stored; a missing thumbnail is remade the same
way. Derived JPEGs carry no metadata (EXIF, GPS, comments, ICC), have the camera's orientation
applied and a watermark burnt in (time, place, person: for people looking at them; the original is
the evidence).

Decoding is bounded before it starts: a progressive JPEG costs one pass over every block per scan,
so the number of scans times the pixels is capped (``MAX_SCANS``, ``SCAN_PIXEL_BUDGET``).
"""
import functools
import hashlib
import io
import os
import re
import struct
import threading
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pillow_heif
from PIL import Image, ImageDraw, ImageFile, ImageFont

from api.db import db, write_tx
from api.domain.errors import Invalid
from api.models import Photo, PhotoSite, Site, User, utcnow
from api.sql import columns, get_where, insert, marks, statement, table

pillow_heif.register_heif_opener()
# a truncated upload must fail to decode, never be padded with grey
ImageFile.LOAD_TRUNCATED_IMAGES = False

PREVIEW_PX = 1280
THUMB_PX = 320
PREVIEW_QUALITY = 82
THUMB_QUALITY = 75
SIZES = ("original", "preview", "thumb")
# a baseline JPEG has 1 scan, libjpeg's progressive script 10, mozjpeg's about 20: far more is an
# attack (one 310 KB file with a scan repeated 3,000 times held a worker for over a minute)
MAX_SCANS = 100
# scans x pixels: 100 scans of 12 MP, or 25 of 48 MP (a few seconds of decoding at worst)
SCAN_PIXEL_BUDGET = 1_200_000_000

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
    return _jpeg_walk(data, start)[0]


def jpeg_scan_count(data):
    """How many scans (SOS segments) the first image of a JPEG has; 0 when its structure is broken."""
    end, scans = _jpeg_walk(data, 0)
    return scans if end is not None else 0


def _jpeg_walk(data, start=0):
    """(end offset or None, number of scans) of the JPEG starting at ``start``."""
    n = len(data)
    scans = 0
    if data[start:start + 2] != b"\xff\xd8":
        return None, 0
    i = start + 2
    while i < n:
        if data[i] != 0xFF:
            return None, scans
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            return None, scans
        marker = data[i]
        i += 1
        if marker == 0xD9:
            return i, scans
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if i + 2 > n:
            return None, scans
        length = struct.unpack(">H", data[i:i + 2])[0]
        if length < 2:
            return None, scans
        i += length
        if marker == 0xDA:  # start of scan: entropy-coded data until the next real marker
            scans += 1
            m = _NEXT_MARKER.search(data, i)
            if m is None:
                return None, scans
            i = m.start()
    return None, scans


def _jpeg_trailer_ok(data):
    """Nothing may follow the image but zero padding or further whole JPEGs (the secondary
    images of the Multi-Picture Format that phones write); anything else is a polyglot."""
    return _jpeg_structure(data)[0]


def _jpeg_structure(data):
    """(trailer ok, scans of the first image): one walk over the markers for both checks."""
    end, scans = _jpeg_walk(data, 0)
    return _jpeg_rest_ok(data, end), scans


def _jpeg_rest_ok(data, end):
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


# --- watermark: time, place and person burnt into what people look at ------------------------

_FONT_CANDIDATES = (
    # Debian's fonts-noto-cjk (apt install fonts-noto-cjk): Chinese site and person names
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
_LATIN_FALLBACKS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")


@functools.lru_cache(maxsize=1)
def watermark_font_path():
    """(path or None, draws Chinese?): PATROL_WATERMARK_FONT, a CJK font, else a Latin one."""
    own = os.environ.get("PATROL_WATERMARK_FONT")
    if own and os.path.exists(own):
        return own, True
    for path in _FONT_CANDIDATES:
        if os.path.exists(path):
            return path, True
    for path in _LATIN_FALLBACKS:
        if os.path.exists(path):
            return path, False
    return None, False


@functools.lru_cache(maxsize=16)
def _font(size):
    path, _cjk = watermark_font_path()
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size)


@dataclass(frozen=True)
class WatermarkLine:
    """One line of text; ``ascii`` is drawn instead when no Chinese font is installed."""

    text: str
    ascii: str = ""

    def drawn(self, cjk):
        if cjk or self.text.isascii():
            return self.text
        return self.ascii or "".join(ch for ch in self.text if ch.isascii()).strip()


@functools.lru_cache(maxsize=512)
def _text_mask(text, size):
    """The text drawn once as an 8-bit mask (site and person lines repeat on every photo)."""
    font = _font(size)
    left, top, right, bottom = font.getbbox(text)
    mask = Image.new("L", (max(1, right), max(1, bottom)), 0)
    ImageDraw.Draw(mask).text((0, 0), text, font=font, fill=255)
    return mask


def burn_watermark(img, lines):
    """Draw ``lines`` in white on a darkened band in the bottom-right corner (in place).

    The band stays clear of the edges, so the picture's corners are never covered entirely."""
    _path, cjk = watermark_font_path()
    texts = [t for t in (line.drawn(cjk) for line in lines) if t]
    if not texts:
        return img
    w, h = img.size
    size = max(10, round(max(w, h) / 48))
    masks = [_text_mask(t, size) for t in texts]
    margin = max(6, size // 2)
    pad = max(2, size // 4)
    line_h = max(m.height for m in masks) + pad // 2
    box_w = min(max(m.width for m in masks) + 2 * pad, w - 2 * margin)
    box_h = min(line_h * len(texts) + pad, h - 2 * margin)
    if box_w <= 0 or box_h <= 0:
        return img
    x0, y0 = w - margin - box_w, h - margin - box_h
    band = img.crop((x0, y0, x0 + box_w, y0 + box_h)).point(lambda v: v * 45 // 100)
    for k, mask in enumerate(masks):
        y = pad + k * line_h
        mw, mh = min(mask.width, box_w - pad), min(mask.height, box_h - y)
        if mw <= 0 or mh <= 0:
            break
        band.paste((255, 255, 255), (pad, y, pad + mw, y + mh), mask.crop((0, 0, mw, mh)))
    img.paste(band, (x0, y0))
    return img


def _derive(img, orientation, longest, quality, watermark):
    """Upright RGB JPEG bytes with the longest side at most ``longest`` px, watermark burnt in."""
    out = _to_rgb(img)
    if out is img:
        out = img.copy()
    out.thumbnail((longest, longest))
    if orientation in _TRANSPOSE:
        out = out.transpose(_TRANSPOSE[orientation])
    if watermark:
        burn_watermark(out, watermark)
    return _jpeg_bytes(out, quality)


def _check_budget(scans, width, height):
    if scans > MAX_SCANS or scans * width * height > SCAN_PIXEL_BUDGET:
        _fail(f"The image has too many scans to decode ({scans}): save it again as an ordinary JPEG.")


def _open_checked(data, max_pixels):
    """(img, fmt) after the cheap checks: magic number, container ends where it should, pixel
    count, decoding budget. Nothing has been decoded yet."""
    if not data:
        _fail("The file is empty.")
    fmt = sniff_format(data)
    if fmt is None:
        _fail("Not an image we accept: send a JPEG, PNG, WebP or HEIC photo.")
    scans = 0
    if fmt == "JPEG":
        whole, scans = _jpeg_structure(data)
    else:
        whole = _TRAILER_CHECKS[fmt](data)
    if not whole:
        _fail("The image is damaged or has other data attached to it.")
    Image.MAX_IMAGE_PIXELS = max_pixels
    img = Image.open(io.BytesIO(data), formats=[fmt])
    if img.format != fmt:
        _fail("Not an image we accept: send a JPEG, PNG, WebP or HEIC photo.")
    width, height = img.size
    if width < 1 or height < 1 or width * height > max_pixels:
        _fail(f"The image has too many pixels ({width}×{height}).")
    if getattr(img, "n_frames", 1) > 1 and fmt != "HEIF":
        _fail("Animated images are not photos.")
    _check_budget(scans, width, height)
    return img, fmt


_DECODE_ERRORS = (OSError, SyntaxError, ValueError, struct.error, EOFError, IndexError, MemoryError,
                  RuntimeError, TypeError, KeyError)


@dataclass(frozen=True)
class ProcessedPhoto:
    info: PhotoInfo
    original: bytes
    thumb: bytes
    watermark: tuple = ()

    @property
    def preview(self):
        """The 1280 px preview, made on demand (uploads do not pay for it)."""
        return derived_image(self.original, "preview", self.watermark)


def process_photo(data, max_pixels=60_000_000, watermark=(), pid=None):
    """Validate an upload and derive its thumbnail (with ``watermark`` lines burnt in; a callable
    is given the camera's ``taken_at`` and returns the lines).

    Raises ``Invalid`` (field ``file``) for anything that is not a whole, sane JPEG, PNG, WebP
    or HEIC image: empty, unknown format, truncated, garbage appended, too many pixels, or more
    scans than a photo has.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img, fmt = _open_checked(data, max_pixels)
            width, height = img.size
            orientation, taken_at, lat, lon, device = read_metadata(img.getexif())
            if callable(watermark):
                watermark = watermark(taken_at)
            if fmt == "JPEG":
                # 1/8 scale when the picture allows: libjpeg still reads every entropy-coded
                # byte (truncation and corruption fail here) but skips most of the IDCT
                img.draft("RGB", (THUMB_PX, THUMB_PX))
            img.load()  # the decode: only this catches a truncated or corrupt file
            thumb_bytes = _derive(img, orientation, THUMB_PX, THUMB_QUALITY, watermark)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _fail("The image has too many pixels.")
    except _DECODE_ERRORS:
        return _fail("The image is damaged or truncated and cannot be read.")
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    content_type, ext = FORMATS[fmt]
    info = PhotoInfo(id=pid or photo_id(data), content_type=content_type, ext=ext, size_bytes=len(data),
                     width=width, height=height, taken_at=taken_at, gps_lat=lat, gps_lon=lon, device=device)
    return ProcessedPhoto(info=info, original=data, thumb=thumb_bytes, watermark=tuple(watermark))


def derived_image(original, size, watermark=(), max_pixels=60_000_000):
    """The preview or thumbnail JPEG of a stored original (which was validated at upload)."""
    longest, quality = {"preview": (PREVIEW_PX, PREVIEW_QUALITY), "thumb": (THUMB_PX, THUMB_QUALITY)}[size]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img, fmt = _open_checked(original, max_pixels)
            orientation = read_metadata(img.getexif())[0]
            if fmt == "JPEG":
                img.draft("RGB", (longest, longest))
            img.load()
            return _derive(img, orientation, longest, quality, watermark)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _fail("The image has too many pixels.")
    except _DECODE_ERRORS:
        return _fail("The image is damaged or truncated and cannot be read.")


def _fail(message):
    raise _refuse(message)


# --- the thin part: files, then the row -------------------------------------------------------

def link_sites(photo_id_, site_ids):
    """Let these sites see the photo (idempotent; pre-written: every photo upload runs it)."""
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


def watermark_lines(*, taken_at, created_at, site, user):
    """Time (the camera's clock, else the upload in the site's zone), place and person."""
    when = taken_at
    if when is None and created_at is not None:
        tz = ZoneInfo(site.timezone) if site is not None and site.timezone else timezone.utc
        when = created_at.replace(tzinfo=timezone.utc).astimezone(tz).replace(tzinfo=None)
    lines = []
    if when is not None:
        lines.append(WatermarkLine(when.strftime("%Y-%m-%d %H:%M")))
    if site is not None:
        lines.append(WatermarkLine(site.name, site.name_en or site.code))
    if user is not None:
        lines.append(WatermarkLine(f"{user.name} ({user.username})" if user.name != user.username
                                   else user.username, user.username))
    return tuple(lines)


# decodes take turns two at a time per process: the cores are two, and sixteen threads decoding
# at once would only hold sixteen photos' buffers in memory
DECODE_TURNS = threading.BoundedSemaphore(2)
_SITES = {}  # site id -> (row, read at): watermarks only; a renamed site shows within a minute


def _site(site_id):
    import time

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
