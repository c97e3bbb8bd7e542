"""Photo decoding is bounded and derived images are watermarked (issues #12 item 4, #15, #16).

The bound: a progressive JPEG costs one pass over every block per scan, so "one scan repeated
3,000 times" (a 310 KB file) held a worker for over a minute. The number of scans is counted from
the marker structure before anything is decoded, and such a file is refused at once."""
import io
import struct
import time

from PIL import Image

from api.domain import images as photo_domain
from api.domain.image_checks import _NEXT_MARKER, jpeg_scan_count
from api.domain.images import MAX_SCANS, process_photo
from api.domain.photos import photo_watermark
from api.models import AuditLog, Photo
from tests.factories import camera_exif, jpeg_bytes, media_files, upload
from tests.helpers import assert_error_shape


def progressive_jpeg(size=(1600, 1200), quality=80, noise=40):
    img = Image.effect_noise(size, noise).convert("RGB") if noise else Image.new("RGB", size, (90, 120, 60))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, progressive=True)
    return out.getvalue()


def _segments(data):
    """[(marker, start, end)] of a JPEG, a scan's end taken past its entropy-coded data."""
    out, i = [], 2
    while i < len(data):
        marker = data[i + 1]
        if marker == 0xD9:
            out.append((marker, i, i + 2))
            break
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        end = i + 2 + length
        if marker == 0xDA:
            end = _NEXT_MARKER.search(data, end).start()
        out.append((marker, i, end))
        i = end
    return out


def scan_repeated(data, times):
    """The same JPEG with its smallest scan repeated ``times`` times (just before the last)."""
    sos = [s for s in _segments(data) if s[0] == 0xDA]
    _m, start, end = min(sos[1:-1], key=lambda s: s[2] - s[1])
    return data[:end] + data[start:end] * times + data[end:]


def test_a_progressive_jpeg_with_one_scan_repeated_3000_times_is_refused_at_once(login, app):
    """#12: 'A 310 KB progressive JPEG with one scan repeated 3,000 times holds a worker for over 60 s'."""
    guard = login("guard1")
    attack = scan_repeated(progressive_jpeg(size=(4000, 3000), noise=0), 3000)
    assert jpeg_scan_count(attack) > 3000 and len(attack) < 1_000_000
    audits = AuditLog.select().count()
    started = time.monotonic()
    r = upload(guard, attack)
    elapsed = time.monotonic() - started
    assert_error_shape(r, 422)
    assert "scans" in r.get_json()["errors"]["files"]["file"][0]
    assert elapsed < 3, elapsed
    assert Photo.select().count() == 0 and media_files(app) == [] and AuditLog.select().count() == audits


def test_an_ordinary_progressive_jpeg_is_accepted():
    data = progressive_jpeg(size=(800, 600))
    assert 1 < jpeg_scan_count(data) <= MAX_SCANS
    assert process_photo(data).info.width == 800


def test_the_scan_budget_shrinks_as_the_pixels_grow(monkeypatch):
    data = scan_repeated(progressive_jpeg(size=(800, 600)), 20)
    assert process_photo(data).info.width == 800
    monkeypatch.setattr(photo_domain, "SCAN_PIXEL_BUDGET", 800 * 600 * 20)
    try:
        process_photo(data)
    except photo_domain.Invalid as err:
        assert "scans" in err.message
    else:
        raise AssertionError("a file over the scan budget was accepted")


def _bright_share(img, box):
    region = img.crop(box).convert("L")
    values = list(region.getdata())
    return sum(v > 230 for v in values) / len(values)


def test_thumbnail_and_preview_carry_time_place_and_person_while_the_original_stays_byte_for_byte(login, org):
    """#16: 'the previews and thumbnails the console and the phone show carry the time, place and
    person; the original stays byte for byte'."""
    guard = login("guard1")
    data = jpeg_bytes(size=(1600, 1200), color=(60, 60, 60), exif=camera_exif(1))
    body = upload(guard, data).get_json()
    assert guard.get(body["urls"]["original"]).data == data
    for size in ("thumb", "preview"):
        img = Image.open(io.BytesIO(guard.get(body["urls"][size]).data))
        w, h = img.size
        corner = (w * 2 // 3, h * 3 // 4, w, h)
        # the grey photo has no white: white text in the bottom-right corner is the watermark
        assert _bright_share(img, corner) > 0.003, size
        assert _bright_share(img, (0, 0, w // 3, h // 3)) == 0, size
        img.save(f"/tmp/shots/ingest/watermark-{size}.png")
    lines = [line.text for line in photo_watermark(Photo.get_by_id(body["id"]))]
    assert lines[0] == "2026-03-01 22:10"  # the camera's time
    assert lines[1] == org["sites"]["LHY"].name
    assert "guard1" in lines[2]


def test_the_preview_is_made_on_first_view_and_kept(login, app):
    guard = login("guard1")
    body = upload(guard, jpeg_bytes(size=(2000, 1500))).get_json()
    assert not any(f.startswith("previews/") for f in media_files(app))  # the upload did not pay for it
    first = guard.get(body["urls"]["preview"])
    assert first.status_code == 200 and Image.open(io.BytesIO(first.data)).size == (1280, 960)
    assert any(f.startswith("previews/") for f in media_files(app))
    assert guard.get(body["urls"]["preview"]).data == first.data


def test_a_lost_thumbnail_is_made_again_from_the_original(login, app):
    import os

    guard = login("guard1")
    body = upload(guard, jpeg_bytes(size=(800, 600))).get_json()
    thumb = [f for f in media_files(app) if f.startswith("thumbs/")][0]
    before = guard.get(body["urls"]["thumb"]).data
    os.unlink(os.path.join(app.config["PATROL_MEDIA_DIR"], thumb))
    again = guard.get(body["urls"]["thumb"])
    assert again.status_code == 200 and Image.open(io.BytesIO(again.data)).size == Image.open(io.BytesIO(before)).size
