"""Resumable photo uploads (issue #15): 'A dropped connection resumes a photo upload instead of
restarting it.' Create with the bytes' SHA-256 and size, PATCH chunks at the server's offset, the
last chunk stores the photo exactly as a one-shot upload would (same checks, original byte for byte)."""
import hashlib
import threading

import pytest

from api.models import AuditLog, Photo, PhotoUpload
from tests.factories import camera_exif, jpeg_bytes, media_files, noisy_jpeg, patch, send, start, upload  # noqa: F401
from tests.helpers import assert_error_shape


def test_a_photo_sent_in_chunks_is_stored_byte_for_byte_with_its_metadata(login, app):
    guard = login("guard1")
    data = jpeg_bytes(size=(1600, 1200), exif=camera_exif(6))
    r = start(guard, data)
    assert r.status_code == 201 and r.get_json()["offset"] == 0 and not r.get_json()["complete"]
    last = send(guard, r.get_json()["id"], data).get_json()
    assert last["complete"] and last["offset"] == len(data)
    assert last["photo"]["id"] == hashlib.sha256(data).hexdigest()
    assert last["photo"]["taken_at"] == "2026-03-01T22:10:05" and (last["photo"]["width"], last["photo"]["height"]) == (1200, 1600)
    assert guard.get(last["photo"]["urls"]["original"]).data == data
    assert AuditLog.select().where(AuditLog.action == "photo.upload").count() == 1
    assert not any(f.endswith(".part") for f in media_files(app))


def test_a_dropped_connection_resumes_from_the_servers_offset(login):
    guard = login("guard1")
    data = noisy_jpeg()
    assert len(data) > 200_000
    upload_id = start(guard, data).get_json()["id"]
    send(guard, upload_id, data[:100_000], chunk=50_000)
    # the phone lost its connection; starting the same bytes again finds the upload where it stopped
    again = start(guard, data)
    assert again.status_code == 200
    assert again.get_json()["id"] == upload_id and again.get_json()["offset"] == 100_000
    assert guard.get(f"/photos/uploads/{upload_id}").get_json()["offset"] == 100_000
    last = send(guard, upload_id, data, start_at=100_000).get_json()
    assert last["complete"] and guard.get(last["photo"]["urls"]["original"]).data == data


def test_a_chunk_at_the_wrong_offset_is_refused_with_the_right_one(login):
    guard = login("guard1")
    data = jpeg_bytes(size=(1200, 900))
    upload_id = start(guard, data).get_json()["id"]
    assert patch(guard, upload_id, 0, data[:1000]).status_code == 200
    for wrong in (0, 500, 2000):  # a retried chunk, a chunk from nowhere, a gap
        r = patch(guard, upload_id, wrong, data[wrong:wrong + 1000])
        assert_error_shape(r, 409)
        assert r.headers["Upload-Offset"] == "1000"
        assert r.get_json()["code"] == 409
    assert guard.get(f"/photos/uploads/{upload_id}").get_json()["offset"] == 1000


def test_the_last_chunk_sent_twice_answers_the_same_photo(login):
    guard = login("guard1")
    data = jpeg_bytes(size=(800, 600))
    upload_id = start(guard, data).get_json()["id"]
    first = patch(guard, upload_id, 0, data).get_json()
    again = patch(guard, upload_id, 0, data)  # the answer was lost: the phone sends it again
    assert again.status_code == 200 and again.get_json()["photo"]["id"] == first["photo"]["id"]
    assert Photo.select().count() == 1


def test_bytes_already_stored_are_not_sent_again(login):
    guard = login("guard1")
    data = jpeg_bytes(size=(800, 600), color=(9, 9, 9))
    assert upload(guard, data).status_code == 201
    r = start(guard, data)
    assert r.status_code == 200 and r.get_json()["complete"] and r.get_json()["id"] is None
    assert r.get_json()["photo"]["id"] == hashlib.sha256(data).hexdigest()
    assert PhotoUpload.select().count() == 0


def test_bytes_that_do_not_match_their_hash_are_refused_and_nothing_is_stored(login, app):
    guard = login("guard1")
    data = jpeg_bytes(size=(800, 600))
    r = guard.post("/photos/uploads", json={"sha256": "ab" * 32, "size_bytes": len(data)})
    r = patch(guard, r.get_json()["id"], 0, data)
    assert_error_shape(r, 422)
    assert "SHA-256" in r.get_json()["message"]
    assert Photo.select().count() == 0 and PhotoUpload.select().count() == 0 and media_files(app) == []


def test_a_truncated_jpeg_sent_in_chunks_is_refused_like_a_one_shot_upload(login, app):
    guard = login("guard1")
    data = jpeg_bytes(size=(800, 600))[:5000]
    r = patch(guard, start(guard, data).get_json()["id"], 0, data)
    assert_error_shape(r, 422, field="file")
    assert Photo.select().count() == 0 and PhotoUpload.select().count() == 0 and media_files(app) == []


def test_the_client_read_camera_time_and_position_are_kept_when_the_bytes_have_none(login):
    guard = login("guard1")
    data = jpeg_bytes(size=(800, 600), color=(1, 200, 3))  # a downscaled photo: canvas JPEGs carry no EXIF
    r = start(guard, data, taken_at="2026-03-02T21:05:00", gps={"lat": 31.2, "lon": 121.5})
    photo = patch(guard, r.get_json()["id"], 0, data).get_json()["photo"]
    assert photo["taken_at"] == "2026-03-02T21:05:00" and photo["gps"] == {"lat": 31.2, "lon": 121.5}


@pytest.mark.parametrize("body, field", [
    ({"sha256": "nothex", "size_bytes": 10}, "sha256"),
    ({"sha256": "ab" * 32, "size_bytes": 0}, "size_bytes"),
    ({"sha256": "ab" * 32, "size_bytes": 10 ** 12}, "size_bytes"),
    ({"sha256": "ab" * 32, "size_bytes": 10, "gps": {"lat": 91, "lon": 0}}, "gps"),
])
def test_a_bad_start_is_a_field_error(login, body, field):
    r = login("guard1").post("/photos/uploads", json=body)
    assert_error_shape(r, 422)
    assert field in r.get_json()["errors"]["json"]


def test_a_chunk_past_the_end_or_without_an_offset_is_refused(login):
    guard = login("guard1")
    upload_id = guard.post("/photos/uploads", json={"sha256": "cd" * 32, "size_bytes": 10}).get_json()["id"]
    assert_error_shape(patch(guard, upload_id, 0, b"x" * 11), 422)
    r = guard.client.patch(f"/api/v1/photos/uploads/{upload_id}", data=b"x",
                           headers={"Authorization": f"Bearer {guard.token}"})
    assert_error_shape(r, 422)
    assert "Upload-Offset" in r.get_json()["errors"]["headers"]


def test_another_users_upload_is_not_found(login):
    guard = login("guard1")
    upload_id = guard.post("/photos/uploads", json={"sha256": "ef" * 32, "size_bytes": 10}).get_json()["id"]
    other = login("guard3")
    assert_error_shape(other.get(f"/photos/uploads/{upload_id}"), 404)
    assert_error_shape(patch(other, upload_id, 0, b"x"), 404)


def test_two_copies_of_one_chunk_at_once_write_it_once(login, app):
    """The same chunk sent twice at once (a phone retrying while the first is still in flight):
    one is written, the other answers 409 with the new offset."""
    guard = login("guard1")
    data = jpeg_bytes(size=(1600, 1200))
    upload_id = start(guard, data).get_json()["id"]
    statuses, barrier = [], threading.Barrier(4)

    def one():
        with app.test_client() as c:
            barrier.wait()
            r = c.patch(f"/api/v1/photos/uploads/{upload_id}", data=data[:4096],
                        headers={"Authorization": f"Bearer {guard.token}", "Upload-Offset": "0"})
            statuses.append(r.status_code)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409, 409, 409]
    assert PhotoUpload.get_by_id(upload_id).received == 4096


def test_what_arrived_before_the_connection_dropped_is_kept_and_the_rest_resumes(login):
    """One PATCH with the whole photo; the signal goes after 150 KB: those bytes are kept."""
    import io

    guard = login("guard1")
    data = noisy_jpeg()
    upload_id = start(guard, data).get_json()["id"]
    cut = 150_000
    guard.client.patch(f"/api/v1/photos/uploads/{upload_id}", input_stream=io.BytesIO(data[:cut]),
                       headers={"Authorization": f"Bearer {guard.token}", "Upload-Offset": "0"},
                       environ_overrides={"CONTENT_LENGTH": str(len(data))})  # announced whole, cut short
    resumed = start(guard, data).get_json()
    assert resumed["id"] == upload_id and resumed["offset"] == cut
    last = patch(guard, upload_id, cut, data[cut:]).get_json()
    assert last["complete"] and guard.get(last["photo"]["urls"]["original"]).data == data


# --- the whole photo in one request: PUT /photos/{sha256} ---------------------------------------

def put(api, data, sha=None, **query):
    return api.client.put(f"/api/v1/photos/{sha or hashlib.sha256(data).hexdigest()}", data=data,
                          query_string=query, headers={"Authorization": f"Bearer {api.token}",
                                                       "Content-Type": "application/octet-stream"})


def test_a_whole_photo_put_under_its_hash_is_stored_once_byte_for_byte(login, app):
    guard = login("guard1")
    data = jpeg_bytes(size=(1600, 1200), exif=camera_exif(6))
    first, again = put(guard, data), put(guard, data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == hashlib.sha256(data).hexdigest() == again.get_json()["id"]
    assert guard.get(first.get_json()["urls"]["original"]).data == data
    assert Photo.select().count() == 1 and PhotoUpload.select().count() == 0
    assert AuditLog.select().where(AuditLog.action == "photo.upload").count() == 1
    assert not [f for f in media_files(app) if not f.startswith(("originals/", "thumbs/"))]


def test_a_put_cut_short_resumes_as_an_upload_from_the_bytes_that_arrived(login):
    import io

    guard = login("guard1")
    data = noisy_jpeg()
    sha = hashlib.sha256(data).hexdigest()
    guard.client.put(f"/api/v1/photos/{sha}", input_stream=io.BytesIO(data[:120_000]),
                     headers={"Authorization": f"Bearer {guard.token}"},
                     environ_overrides={"CONTENT_LENGTH": str(len(data))})  # announced whole, cut short
    resumed = start(guard, data).get_json()
    assert resumed["offset"] == 120_000
    last = patch(guard, resumed["id"], 120_000, data[120_000:]).get_json()
    assert last["complete"] and guard.get(last["photo"]["urls"]["original"]).data == data


@pytest.mark.parametrize("kind", ["wrong bytes", "truncated jpeg", "text"])
def test_a_bad_put_is_refused_and_nothing_is_stored(login, app, kind):
    guard = login("guard1")
    good = jpeg_bytes(size=(800, 600))
    data, sha = {"wrong bytes": (good, "ab" * 32), "truncated jpeg": (good[:3000], None),
                 "text": ("巡逻记录".encode() * 100, None)}[kind]
    r = put(guard, data, sha)
    assert_error_shape(r, 422)
    assert r.get_json()["errors"]
    assert Photo.select().count() == 0 and PhotoUpload.select().count() == 0 and media_files(app) == []


def test_knowing_another_sites_photo_id_is_not_enough_to_see_it(login, org):
    """Photo ids are hashes of the bytes: only sending the bytes links a photo to your site."""
    lhy, hqt = login("guard1"), login("guard2")
    data = jpeg_bytes(size=(800, 600), color=(7, 77, 177))
    pid = upload(lhy, data).get_json()["id"]
    assert_error_shape(put(hqt, b"", pid), 422)
    started = hqt.post("/photos/uploads", json={"sha256": pid, "size_bytes": len(data)}).get_json()
    assert not started["complete"] and started["photo"] is None
    assert_error_shape(hqt.get(f"/photos/{pid}?size=thumb"), 404)
    assert put(hqt, data).status_code == 200  # the bytes themselves: now HQT may see it
    assert hqt.get(f"/photos/{pid}?size=thumb").status_code == 200
