"""Photos over HTTP: sniffed, fully decoded, stored once, derived images clean, seen only on their sites."""
import hashlib
import io
import os
import struct
import zlib

from PIL import Image

from api.models import Photo, PhotoSite
from tests.factories import (camera_exif, heic_bytes, jpeg_bytes, media_files, png_bomb, png_bytes,  # noqa: F401
                             upload, webp_bytes)
from tests.helpers import assert_error_shape


# --- tests ------------------------------------------------------------------------------------

def test_jpeg_upload_is_stored_under_its_sha256_with_metadata(login, app):
    guard = login("guard1")
    data = jpeg_bytes(exif=camera_exif(6))
    r = upload(guard, data)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["id"] == hashlib.sha256(data).hexdigest()
    assert (body["width"], body["height"]) == (480, 640)  # shown upright: orientation 6 swaps the sides
    assert body["content_type"] == "image/jpeg" and body["size_bytes"] == len(data)
    assert body["taken_at"] == "2026-03-01T22:10:05"
    assert abs(body["gps"]["lat"] - 31.22) < 0.001 and abs(body["gps"]["lon"] - 121.54) < 0.001
    assert set(body["urls"]) == {"original", "preview", "thumb"}
    original = guard.get(body["urls"]["original"])
    assert original.status_code == 200 and original.data == data  # evidence: the bytes unaltered


def test_preview_is_rotated_upright_and_carries_no_exif(login):
    guard = login("guard1")
    pid = upload(guard, jpeg_bytes(size=(640, 480), exif=camera_exif(6))).get_json()["id"]
    for size, longest in (("preview", 640), ("thumb", 320)):
        r = guard.get(f"/photos/{pid}?size={size}")
        assert r.status_code == 200 and r.mimetype == "image/jpeg"
        img = Image.open(io.BytesIO(r.data))
        assert img.height > img.width and max(img.size) == longest  # 640x480 turned upright
        assert not img.getexif() and "exif" not in img.info
        # the blue block was top-left in the sensor's frame; orientation 6 puts it top-right
        w, h = img.size
        assert img.getpixel((w - 3, 3))[2] > 150 and img.getpixel((3, h - 3))[0] > 150


def test_a_twelve_megapixel_photo_gets_a_1280_preview_and_320_thumb(login):
    guard = login("guard1")
    pid = upload(guard, jpeg_bytes(size=(4000, 3000), quality=70)).get_json()["id"]
    preview = Image.open(io.BytesIO(guard.get(f"/photos/{pid}?size=preview").data))
    thumb = Image.open(io.BytesIO(guard.get(f"/photos/{pid}?size=thumb").data))
    assert preview.size == (1280, 960) and thumb.size == (320, 240)


def test_same_bytes_again_answer_200_with_the_same_id_and_one_row(login):
    guard = login("guard1")
    data = jpeg_bytes()
    first = upload(guard, data)
    again = upload(guard, data, name="IMG_0001.JPG")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert Photo.select().count() == 1


def test_same_bytes_from_another_site_link_the_photo_to_that_site(login, org):
    data = jpeg_bytes(color=(1, 2, 3))
    lhy_guard, hqt_guard = login("guard1"), login("guard2")
    pid = upload(lhy_guard, data).get_json()["id"]
    assert_error_shape(hqt_guard.get(f"/photos/{pid}?size=thumb"), 404)
    assert upload(hqt_guard, data).status_code == 200
    assert hqt_guard.get(f"/photos/{pid}?size=thumb").status_code == 200
    assert {ps.site_id for ps in PhotoSite.select()} == {org["sites"]["LHY"].id, org["sites"]["HQT"].id}


def test_png_webp_and_iphone_heic_are_accepted(login):
    guard = login("guard1")
    for data, ctype in ((png_bytes(), "image/png"), (webp_bytes(), "image/webp"), (heic_bytes(), "image/heic")):
        r = upload(guard, data, name="upload.bin", content_type="application/octet-stream")
        assert r.status_code == 201, r.get_json()
        body = r.get_json()
        assert body["content_type"] == ctype  # sniffed from the bytes, not the name or declared type
        preview = guard.get(f"/photos/{body['id']}?size=preview")
        assert preview.mimetype == "image/jpeg"
        assert Image.open(io.BytesIO(preview.data)).format == "JPEG"


def _refused(guard, app, data, name="photo.jpg"):
    r = upload(guard, data, name=name)
    assert_error_shape(r, 422)
    body = r.get_json()
    assert body["errors"]["files"]["file"]
    assert Photo.select().count() == 0 and media_files(app) == []
    return body


def test_zero_byte_upload_is_refused_and_nothing_stored(login, app):
    assert "empty" in _refused(login("guard1"), app, b"")["message"]


def test_text_file_named_jpg_is_refused(login, app):
    _refused(login("guard1"), app, "巡逻记录 not a photo\n".encode() * 20, name="photo.jpg")


def test_truncated_jpeg_is_refused(login, app):
    data = jpeg_bytes(size=(800, 600))
    _refused(login("guard1"), app, data[: len(data) // 2])


def test_png_whose_image_data_stops_short_is_refused_by_the_full_decode(login, app):
    """Every chunk well-formed (so only decoding the pixels can tell), the pixel data cut in half."""
    data = png_bytes(size=(300, 200), mode="RGB")
    i, chunks = 8, []
    while i < len(data):
        length = struct.unpack(">I", data[i:i + 4])[0]
        chunks.append((data[i + 4:i + 8], data[i + 8:i + 8 + length]))
        i += 12 + length
    rebuilt = b"\x89PNG\r\n\x1a\n"
    for kind, payload in chunks:
        if kind == b"IDAT":
            payload = payload[: len(payload) // 2]
        rebuilt += (struct.pack(">I", len(payload)) + kind + payload
                    + struct.pack(">I", zlib.crc32(kind + payload)))
    _refused(login("guard1"), app, rebuilt, name="cut.png")


def test_jpeg_with_a_zip_appended_is_refused(login, app):
    _refused(login("guard1"), app, jpeg_bytes() + b"PK\x03\x04" + b"\0" * 64)


def test_decompression_bomb_is_refused(login, app):
    body = _refused(login("guard1"), app, png_bomb(), name="bomb.png")
    assert "pixels" in body["message"]


def test_pixel_flood_over_the_configured_limit_is_refused(login, app):
    app.config["PATROL_MAX_IMAGE_PIXELS"] = 1000 * 1000
    body = _refused(login("guard1"), app, png_bytes(size=(1200, 1000), mode="RGB"), name="big.png")
    assert "pixels" in body["message"]


def test_upload_over_the_size_limit_is_413(login, app):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    r = upload(login("guard1"), os.urandom(60_000))
    assert_error_shape(r, 413)
    assert r.get_json()["code"] == 413
    assert Photo.select().count() == 0


def test_missing_file_field_is_a_field_error(login):
    r = login("guard1").post("/photos", data={}, content_type="multipart/form-data")
    assert_error_shape(r, 422, field="file")


def test_site_id_must_be_one_of_the_callers_sites(login, org, app):
    r = upload(login("guard1"), jpeg_bytes(), site_id=str(org["sites"]["HQT"].id))
    assert_error_shape(r, 422, field="site_id")
    assert Photo.select().count() == 0


def test_other_sites_and_unknown_photos_are_404(login):
    pid = upload(login("guard1"), jpeg_bytes()).get_json()["id"]
    assert_error_shape(login("guard2").get(f"/photos/{pid}"), 404)
    assert_error_shape(login("guard1").get("/photos/" + "0" * 64), 404)


def test_photo_answers_are_private_and_revalidate_by_etag(login):
    guard = login("guard1")
    pid = upload(guard, jpeg_bytes()).get_json()["id"]
    r = guard.get(f"/photos/{pid}?size=thumb")
    assert "private" in r.headers["Cache-Control"] and r.headers["ETag"] == f'"{pid}"'
    again = guard.get(f"/photos/{pid}?size=thumb", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_bad_size_is_a_query_field_error(login):
    guard = login("guard1")
    pid = upload(guard, jpeg_bytes()).get_json()["id"]
    r = guard.get(f"/photos/{pid}?size=huge")
    assert_error_shape(r, 422, field="size")
