"""Originals later on Wi-Fi (issue #15): the phone sends a photo downscaled at once, and its full
original later (policy ``photos.send_originals_on_wifi``), attached to the same photo. The server
keeps both, the full original byte for byte; it is checked like any upload."""
import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor

from api.models import AuditLog, Photo
from tests.factories import noisy_jpeg
from tests.factories import camera_exif, jpeg_bytes, media_files
from tests.helpers import assert_error_shape


def put(api, path, data, client=None):
    return (client or api.client).put(f"/api/v1{path}", data=data, headers={
        "Authorization": f"Bearer {api.token}", "Content-Type": "application/octet-stream"})


def sent_downscaled(guard, full):
    """What the phone sends at once: a smaller copy of ``full`` (here: another JPEG), by PUT."""
    small = jpeg_bytes(size=(400, 300), exif=camera_exif(1))
    sha = hashlib.sha256(small).hexdigest()
    assert put(guard, f"/photos/{sha}", small).status_code == 201
    return sha, small


def test_the_full_original_is_attached_to_the_photo_and_kept_byte_for_byte(login, app):
    guard = login("guard1")
    full = noisy_jpeg((1600, 1200))
    sha, small = sent_downscaled(guard, full)
    assert_error_shape(guard.get(f"/photos/{sha}?size=full"), 404)  # not sent yet
    r = put(guard, f"/photos/{sha}/full", full)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["id"] == sha and body["full"] == {"sha256": hashlib.sha256(full).hexdigest(),
                                                  "size_bytes": len(full), "content_type": "image/jpeg"}
    assert guard.get(body["urls"]["full"]).data == full  # the camera's bytes
    assert guard.get(body["urls"]["original"]).data == small  # the photo itself is unchanged
    assert AuditLog.select().where(AuditLog.action == "photo.full_original").count() == 1
    # sent again (the answer was lost): the same photo, nothing new
    again = put(guard, f"/photos/{sha}/full", full)
    assert again.status_code == 200 and again.get_json()["full"] == body["full"]
    assert AuditLog.select().where(AuditLog.action == "photo.full_original").count() == 1
    # other bytes for the same photo are refused
    assert_error_shape(put(guard, f"/photos/{sha}/full", noisy_jpeg((800, 600))), 409)
    assert Photo.get_by_id(sha).full_sha256 == body["full"]["sha256"]


def test_a_full_original_that_is_not_a_whole_image_is_refused_and_nothing_is_stored(login, app):
    guard = login("guard1")
    full = noisy_jpeg((1600, 1200))
    sha, _small = sent_downscaled(guard, full)
    before = media_files(app)
    for bad in (full[: len(full) // 2], full + b"<?php echo 1; ?>", b"GIF89a" + b"\0" * 100):
        r = put(guard, f"/photos/{sha}/full", bad)
        assert_error_shape(r, 422)
    assert media_files(app) == before
    assert Photo.get_by_id(sha).full_sha256 is None


def test_only_the_sender_attaches_a_full_original_and_only_to_a_photo_they_see(login):
    guard = login("guard1")
    full = noisy_jpeg((1200, 900))
    sha, _small = sent_downscaled(guard, full)
    assert_error_shape(put(login("super1"), f"/photos/{sha}/full", full), 403)
    assert_error_shape(put(guard, f"/photos/{'0' * 64}/full", full), 404)
    assert Photo.get_by_id(sha).full_sha256 is None


def test_two_different_full_originals_at_once_one_is_kept(login, app):
    guard = login("guard1")
    sha, _small = sent_downscaled(guard, noisy_jpeg((1200, 900)))
    before = media_files(app)
    fulls = [noisy_jpeg((1000 + 10 * i, 750)) for i in range(6)]
    barrier = threading.Barrier(len(fulls))

    def one(data):
        client = app.test_client()
        barrier.wait(timeout=30)
        return put(guard, f"/photos/{sha}/full", data, client=client).status_code

    with ThreadPoolExecutor(len(fulls)) as pool:
        codes = sorted(pool.map(one, fulls))
    assert codes == [201] + [409] * (len(fulls) - 1), codes
    kept = Photo.get_by_id(sha).full_sha256
    assert kept in {hashlib.sha256(f).hexdigest() for f in fulls}
    assert AuditLog.select().where(AuditLog.action == "photo.full_original").count() == 1
    assert len(media_files(app)) == len(before) + 1  # the losers' bytes are not left behind
