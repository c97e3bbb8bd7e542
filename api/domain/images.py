"""Images, pure: validate and decode the bytes under a budget, derive a thumbnail or a preview.

``process_photo`` (bytes -> ``ProcessedPhoto``) touches no database or storage; ``api.domain.photos``
stores what it accepts. The cheap container checks are in ``image_checks``, the watermark in
``watermark``.

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
import hashlib
import io
import struct
import warnings
from dataclasses import dataclass
from datetime import datetime

import pillow_heif
from PIL import Image, ImageFile

from api.domain.errors import Invalid
from api.domain.image_checks import _TRAILER_CHECKS, _jpeg_structure, sniff_format
from api.domain.watermark import burn_watermark

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


def content_ext(content_type):
    """The file extension of an accepted content type (JPEG's when unknown)."""
    return {ct: ext for ct, ext in FORMATS.values()}.get(content_type, "jpg")


def photo_ext(photo):
    return content_ext(photo.content_type)
