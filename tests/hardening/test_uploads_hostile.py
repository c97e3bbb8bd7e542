"""Hostile uploads: too large, lying about their type, polyglots, empty, truncated, decompression
bombs and pixel floods are refused with nothing stored (no row, no file); the format is read from
the bytes; a photo's GPS position and device never reach its preview or thumbnail."""
import hashlib
import io
import os
import struct
import zlib

import pytest
from PIL import Image

from api.models import AuditLog, Photo, PhotoSite
from tests.hardening.helpers import jpeg_bytes
from tests.helpers import assert_error_shape

GPS = {1: "N", 2: (31.0, 13.0, 20.5), 3: "E", 4: (121.0, 32.0, 40.25)}


@pytest.fixture
def guard(shared):
    return shared.login("guard1")


def _files(shared):
    root = shared.app.config["PATROL_MEDIA_DIR"]
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _s, fs in os.walk(root) for f in fs)


def _upload(api, data, name="photo.jpg", mimetype="image/jpeg"):
    return api.post("/photos", data={"file": (io.BytesIO(data), name, mimetype)}, content_type="multipart/form-data")


def _png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def png_declaring(width, height):
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a pixel flood)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + _png_chunk(b"IEND", b""))


def jpeg_declaring(width, height):
    """A real small JPEG with its frame header (SOF0) rewritten to claim ``width`` x ``height``."""
    data = bytearray(jpeg_bytes(5))
    at = data.index(b"\xff\xc0")
    data[at + 5:at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def png_bomb():
    """A real, valid PNG of 12000 x 12000 black pixels that compresses to a few hundred KB."""
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def _png(size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


HOSTILE = {
    "zero bytes": lambda: b"",
    "text named .jpg": lambda: "巡逻记录：一切正常\n".encode() * 50,
    "html named .jpg": lambda: b"<html><script>alert(1)</script></html>",
    "truncated jpeg": lambda: jpeg_bytes(11)[: len(jpeg_bytes(11)) // 2],
    "jpeg with a zip after it": lambda: jpeg_bytes(12) + b"PK\x03\x04" + os.urandom(200),
    "jpeg with html after it": lambda: jpeg_bytes(13) + b"<script>alert(document.cookie)</script>",
    "gif polyglot": lambda: b"GIF89a/*\x00\x00\x00\x00*/=1;alert(1)//" + b"\x00" * 40,
    "svg": lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    "png pixel flood header": lambda: png_declaring(60000, 60000),
    "jpeg pixel flood header": lambda: jpeg_declaring(65000, 65000),
    "png decompression bomb": png_bomb,
    "only a jpeg header": lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_upload_is_refused_and_nothing_is_stored(shared, guard, kind):
    data = HOSTILE[kind]()
    files, photos, audits = _files(shared), Photo.select().count(), AuditLog.select().count()
    r = _upload(guard, data)
    assert_error_shape(r, 422)
    body = r.get_json()
    assert body["code"] == 422 and body["errors"]["files"]["file"]
    assert Photo.select().count() == photos
    assert Photo.get_or_none(Photo.id == hashlib.sha256(data).hexdigest()) is None
    assert _files(shared) == files
    assert AuditLog.select().count() == audits


def test_an_upload_over_the_size_limit_is_413_and_nothing_is_stored(shared, guard):
    limit = shared.app.config["MAX_CONTENT_LENGTH"]
    files, photos = _files(shared), Photo.select().count()
    r = _upload(guard, jpeg_bytes(1) + b"\x00" * limit)
    assert_error_shape(r, 413)
    assert r.get_json()["code"] == 413
    assert Photo.select().count() == photos and _files(shared) == files


def test_a_multipart_without_a_file_is_a_field_error(shared, guard):
    photos = Photo.select().count()
    r = guard.post("/photos", data={"site_id": "1"}, content_type="multipart/form-data")
    assert_error_shape(r, 422, field="file")
    assert Photo.select().count() == photos


def test_the_format_is_read_from_the_bytes_not_the_name_or_declared_type(shared, guard):
    data = _png()
    r = _upload(guard, data, name="photo.jpg", mimetype="image/jpeg")
    assert r.status_code == 201
    assert r.get_json()["content_type"] == "image/png"
    original = guard.get(f"/photos/{r.get_json()['id']}", query_string={"size": "original"})
    assert original.headers["Content-Type"] == "image/png"
    assert original.headers["X-Content-Type-Options"] == "nosniff"


def test_gps_and_device_stay_with_the_original_and_never_reach_preview_or_thumbnail(shared, guard):
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15 Pro"
    exif[0x8825] = GPS
    img = Image.new("RGB", (1600, 1200), (40, 90, 160))
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    r = _upload(guard, data)
    assert r.status_code == 201
    pid = r.get_json()["id"]
    photo = Photo.get_by_id(pid)
    assert abs(photo.gps_lat - (31 + 13 / 60 + 20.5 / 3600)) < 1e-6  # kept with the photo as evidence
    assert abs(photo.gps_lon - (121 + 32 / 60 + 40.25 / 3600)) < 1e-6
    assert "iPhone" in photo.device
    original = guard.get(f"/photos/{pid}", query_string={"size": "original"}).data
    assert hashlib.sha256(original).hexdigest() == pid  # the original is unaltered
    for size in ("preview", "thumb"):
        small = guard.get(f"/photos/{pid}", query_string={"size": size}).data
        exif_out = Image.open(io.BytesIO(small)).getexif()
        assert not exif_out.get_ifd(0x8825), size
        assert 0x010F not in exif_out and 0x0110 not in exif_out, size
        assert b"iPhone" not in small and b"Apple" not in small, size


def test_the_same_bytes_twice_are_one_photo(shared, guard):
    data = jpeg_bytes(4242)
    first, second = _upload(guard, data), _upload(guard, data)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"] == hashlib.sha256(data).hexdigest()
    assert Photo.select().where(Photo.id == first.get_json()["id"]).count() == 1
    assert PhotoSite.select().where(PhotoSite.photo == first.get_json()["id"]).count() == 1
