"""Voice notes (issue #16): a short recording with an emergency or a failed item, sent in
resumable chunks as photos are, stored only when FFmpeg reads it as one audio track within the
policy's length and size, and played back to the supervisors of the finding's site."""
import hashlib
import uuid

import pytest

from api.models import AuditLog, Finding, PhotoUpload, VoiceNote
from tests.audio import recording


def start(api, data):
    return api.post("/voice-notes/uploads", json={"sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data)})


def patch(api, upload_id, offset, chunk):
    return api.client.patch(f"/api/v1/voice-notes/uploads/{upload_id}", data=chunk,
                            headers={"Authorization": f"Bearer {api.token}", "Upload-Offset": str(offset),
                                     "Content-Type": "application/offset+octet-stream"})


def send_voice(api, data, chunk=8 * 1024):
    """Start and send every chunk; the last answer."""
    r = start(api, data)
    assert r.status_code in (200, 201), r.get_json()
    body = r.get_json()
    at = body["offset"]
    while not body["complete"]:
        r = patch(api, body["id"], at, data[at:at + chunk])
        body = r.get_json()
        if r.status_code != 200:
            return r
        at = body["offset"]
    return r


@pytest.mark.parametrize("container,content_type", [("webm", "audio/webm"), ("ogg", "audio/ogg"), ("mp4", "audio/mp4")])
def test_a_recording_sent_in_chunks_is_kept_byte_for_byte_with_its_length(login, container, content_type):
    guard = login("guard1")
    data = recording(container, seconds=3)
    last = send_voice(guard, data).get_json()
    note = last["voice_note"]
    assert note["id"] == hashlib.sha256(data).hexdigest() and note["content_type"] == content_type
    assert 2900 <= note["duration_ms"] <= 3100
    r = guard.get(note["url"].removeprefix("/api/v1"))
    assert r.status_code == 200 and r.data == data and r.mimetype == content_type
    assert "private" in r.headers["Cache-Control"]
    assert AuditLog.select().where(AuditLog.action == "voice_note.upload").count() == 1


def test_a_dropped_connection_resumes_the_recording_from_the_servers_offset(login):
    guard = login("guard1")
    data = recording("webm", seconds=4)
    upload_id = start(guard, data).get_json()["id"]
    assert patch(guard, upload_id, 0, data[:5000]).status_code == 200
    again = start(guard, data)  # the phone lost its connection and asks where the server is
    assert again.status_code == 200 and again.get_json()["id"] == upload_id and again.get_json()["offset"] == 5000
    stale = patch(guard, upload_id, 0, data[:5000])  # a retried first chunk is never written twice
    assert stale.status_code == 409 and stale.headers["Upload-Offset"] == "5000"
    last = patch(guard, upload_id, 5000, data[5000:]).get_json()
    assert last["complete"] and guard.get(f"/voice-notes/{last['voice_note']['id']}").data == data
    # the same bytes again: already stored, nothing to send
    assert start(guard, data).get_json()["complete"] is True


@pytest.mark.parametrize("what", ["pdf", "jpeg", "damaged", "video", "too_long"])
def test_what_is_not_one_short_audio_track_is_refused_and_nothing_is_kept(login, app, what):
    guard = login("guard1")
    good = recording("webm")
    data = {
        "pdf": b"%PDF-1.4\n" + bytes(4000),
        "jpeg": b"\xff\xd8\xff\xe0" + bytes(4000),
        "damaged": good[:200] + bytes(5000),  # the right magic bytes, then no audio
        "video": recording("webm", with_video=True),
        "too_long": recording("webm", seconds=70),  # the policy's default is 60 s
    }[what]
    r = send_voice(guard, data, chunk=len(data))
    assert r.status_code == 422, r.get_json()
    assert "file" in r.get_json()["errors"]["files"]
    assert VoiceNote.select().count() == 0 and PhotoUpload.select().count() == 0
    import os
    media = app.config["PATROL_MEDIA_DIR"]
    assert not any(files for _d, _s, files in os.walk(os.path.join(media, "voice")))


def test_a_recording_larger_than_the_policy_is_refused_before_a_byte_is_sent(login):
    r = login("guard1").post("/voice-notes/uploads", json={"sha256": "a" * 64, "size_bytes": 2 * 1024 * 1024})
    assert r.status_code == 422 and "size_bytes" in r.get_json()["errors"]["json"]


def test_a_photo_upload_cannot_be_fed_through_the_voice_notes_or_the_other_way(login):
    from tests.factories import jpeg_bytes

    guard = login("guard1")
    photo = jpeg_bytes()
    up = guard.post("/photos/uploads", json={"sha256": hashlib.sha256(photo).hexdigest(), "size_bytes": len(photo)})
    assert patch(guard, up.get_json()["id"], 0, photo).status_code == 404
    voice = recording("ogg")
    vid = start(guard, voice).get_json()["id"]
    r = guard.client.patch(f"/api/v1/photos/uploads/{vid}", data=voice,
                           headers={"Authorization": f"Bearer {guard.token}", "Upload-Offset": "0"})
    assert r.status_code == 404


def test_an_emergency_carries_its_voice_note_to_the_sites_supervisors_only(login):
    guard = login("guard1")
    data = recording("webm")
    note_id = send_voice(guard, data).get_json()["voice_note"]["id"]
    body = {"client_id": str(uuid.uuid4()), "emergency": True, "trade": "security", "checkpoint_code": "LHY-T1-LOBBY",
            "note": "一键报警", "voice_note_id": note_id}
    r = guard.post("/findings", json=body)
    assert r.status_code == 201, r.get_json()
    finding = r.get_json()
    assert finding["voice_note"]["id"] == note_id
    assert guard.post("/findings", json=body).status_code == 200  # the retry is the same report
    supervisor = login("super1")
    seen = supervisor.get(f"/findings/{finding['id']}").get_json()
    heard = supervisor.get(seen["voice_note"]["url"].removeprefix("/api/v1"))
    assert heard.status_code == 200 and heard.data == data
    assert login("super3").get(f"/voice-notes/{note_id}").status_code == 404  # another site's supervisor
    audit = AuditLog.get((AuditLog.action == "finding.report") & (AuditLog.object_id == str(finding["id"])))
    assert audit.after["voice_note_id"] == note_id


def test_a_report_naming_a_voice_note_never_uploaded_is_refused(login):
    r = login("guard1").post("/findings", json={
        "client_id": str(uuid.uuid4()), "emergency": True, "trade": "security", "checkpoint_code": "LHY-T1-LOBBY",
        "note": "x", "voice_note_id": "b" * 64})
    assert r.status_code == 422 and "voice_note_id" in r.get_json()["errors"]["json"]
    assert Finding.select().count() == 0


def _at_once(n, fn):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    barrier = threading.Barrier(n)

    def one(i):
        barrier.wait(timeout=30)
        return fn(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_one_recording_sent_by_eight_phones_at_once_is_one_note_and_one_audit_row(app, login):
    """Eight people's phones finish the same bytes at the same instant (on PostgreSQL: the note's
    key lock decides): one VoiceNote, one audit row, and every phone gets the same note back."""
    names = ["guard1", "guard3", "super1", "super2", "service1", "cleaner1", "cleaner2", "tech1"]
    data = recording("webm")
    people = [login(n) for n in names]
    ids = [start(p, data).get_json()["id"] for p in people]

    def finish(i):
        from tests.conftest import ApiClient  # each thread its own client (and connection)
        p = ApiClient(app.test_client(), people[i].token)
        r = patch(p, ids[i], 0, data)
        return r.status_code, r.get_json()

    results = _at_once(len(people), finish)
    assert [s for s, _ in results] == [200] * len(people), results
    assert {b["voice_note"]["id"] for _, b in results} == {hashlib.sha256(data).hexdigest()}
    assert VoiceNote.select().count() == 1
    assert AuditLog.select().where(AuditLog.action == "voice_note.upload").count() == 1


def test_one_chunk_sent_eight_times_at_once_is_written_once(app, login):
    guard = login("guard1")
    data = recording("webm")
    upload_id = start(guard, data).get_json()["id"]

    def send(_i):
        from tests.conftest import ApiClient
        r = patch(ApiClient(app.test_client(), guard.token), upload_id, 0, data[:6000])
        return r.status_code, r.headers.get("Upload-Offset")

    results = _at_once(8, send)
    assert sorted(s for s, _ in results) == [200] + [409] * 7, results
    assert all(o == "6000" for s, o in results if s == 409)
    last = patch(guard, upload_id, 6000, data[6000:]).get_json()
    assert last["complete"] and guard.get(f"/voice-notes/{last['voice_note']['id']}").data == data


def test_a_failed_items_voice_note_reaches_the_supervisor_with_its_finding(login, org):
    from tests.factories import body_for, current_version

    guard = login("guard1")
    note_id = send_voice(guard, recording("ogg")).get_json()["voice_note"]["id"]
    version = current_version("road_lamps")
    key = next(it["key"] for it in version.body["items"] if not it.get("photo_required_on_fail"))
    body = body_for(fail={key: "有蜘蛛网"})
    index = [r["item_key"] for r in body["results"]].index(key)
    body["results"][index]["voice_note_id"] = "c" * 64
    refused = guard.post("/inspections", json=body)
    assert refused.status_code == 422 and f"results.{index}.voice_note_id" in refused.get_json()["errors"]["json"]
    body["results"][index]["voice_note_id"] = note_id
    r = guard.post("/inspections", json=body)
    assert r.status_code == 201, r.get_json()
    assert guard.post("/inspections", json=body).status_code == 200  # the retry is the same inspection
    (finding,) = r.get_json()["findings"]
    seen = login("super1").get(f"/findings/{finding['id']}").get_json()
    assert seen["voice_note"]["id"] == note_id
