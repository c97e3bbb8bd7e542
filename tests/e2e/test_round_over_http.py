"""A guard's round over real HTTP against the real server (gunicorn, demo data): scan, fetch the
checklist, upload photos, submit with one failure, retry, and the supervisor sees the finding."""
import io
import uuid
from datetime import datetime, timedelta, timezone

import requests
from PIL import Image

from tests.factories import camera_exif, heic_bytes, jpeg_bytes
from tests.helpers import assert_error_shape


def test_a_round_with_one_failed_lamp_reaches_the_supervisor(live_server):
    base = live_server.url + "/api/v1"
    guard = requests.Session()
    guard.headers["Authorization"] = "Bearer " + live_server.login("guard1")

    scan = guard.get(f"{base}/checkpoints/by-code/LHY-LAMP-07", timeout=10)
    assert scan.status_code == 200, scan.text
    checkpoint = scan.json()
    applicable = {c["key"]: c["version"] for c in checkpoint["checklists"]}
    assert "road_lamps" in applicable

    checklist = guard.get(f"{base}/checklists/road_lamps", timeout=10).json()
    assert checklist["version"] == applicable["road_lamps"]
    failing = next(it for it in checklist["items"] if it["photo_required_on_fail"])

    photo_ids = []
    for name, data, ctype in (("IMG_0042.JPG", jpeg_bytes(size=(1600, 1200), exif=camera_exif(6)), "image/jpeg"),
                              ("IMG_0043.HEIC", heic_bytes(), "image/heic")):
        r = guard.post(f"{base}/photos", files={"file": (name, data, ctype)}, timeout=30)
        assert r.status_code == 201, r.text
        photo_ids.append(r.json()["id"])
    again = guard.post(f"{base}/photos", files={"file": ("again.jpg", jpeg_bytes(size=(1600, 1200),
                                                                                 exif=camera_exif(6)))}, timeout=30)
    assert again.status_code == 200 and again.json()["id"] == photo_ids[0]

    started = datetime.now(timezone(timedelta(hours=8))).replace(microsecond=0) - timedelta(minutes=3)
    body = {
        "id": str(uuid.uuid4()), "checkpoint_code": checkpoint["code"], "checklist_key": "road_lamps",
        "checklist_version": checklist["version"], "started_at": started.isoformat(),
        "finished_at": (started + timedelta(minutes=2)).isoformat(),
        "location": {"lat": 31.2214, "lon": 121.546, "accuracy_m": 6.5},
        "results": [{"item_key": it["key"], "status": "fail" if it is failing else "pass",
                     "note": "灯不亮" if it is failing else "", "photo_ids": photo_ids if it is failing else []}
                    for it in checklist["items"]],
    }
    without_photo = dict(body, results=[dict(r, photo_ids=[]) for r in body["results"]])
    refused = guard.post(f"{base}/inspections", json=without_photo, timeout=10)
    assert_error_shape(refused, 422)
    assert any(k.endswith("photo_ids") for k in refused.json()["errors"]["json"])

    first = guard.post(f"{base}/inspections", json=body, timeout=10)
    assert first.status_code == 201, first.text
    retry = guard.post(f"{base}/inspections", json=body, timeout=10)  # the response was "lost"; the phone resends
    assert retry.status_code == 200 and retry.json() == first.json()
    (finding,) = first.json()["findings"]
    assert finding["title"] == failing["text"] and sorted(finding["photo_ids"]) == sorted(photo_ids)

    sup = requests.Session()
    sup.headers["Authorization"] = "Bearer " + live_server.login("super1")
    listed = sup.get(f"{base}/findings", params={"checklist_key": "road_lamps", "status": "open", "limit": 200},
                     timeout=10).json()["items"]
    mine = next(f for f in listed if f["id"] == finding["id"])
    assert mine["checkpoint"]["code"] == "LHY-LAMP-07" and mine["reporter"]["name"] == "张伟"
    assert mine["inspection_id"] == body["id"] and mine["note"] == "灯不亮"
    thumb = sup.get(f"{base}/photos/{photo_ids[0]}", params={"size": "thumb"}, timeout=10)
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    img = Image.open(io.BytesIO(thumb.content))
    assert img.height > img.width and max(img.size) == 320  # shown upright
    detail = sup.get(f"{base}/inspections/{body['id']}", timeout=10).json()
    assert detail["failed_count"] == 1 and detail["inspector"]["name"] == "张伟"

    other_site = requests.Session()
    other_site.headers["Authorization"] = "Bearer " + live_server.login("guard2")
    assert_error_shape(other_site.get(f"{base}/photos/{photo_ids[0]}", timeout=10), 404)
    assert_error_shape(other_site.get(f"{base}/findings/{finding['id']}", timeout=10), 404)

    # the demo's history gave the console last night's findings to show
    recent = sup.get(f"{base}/findings", params={"source": "inspection", "limit": 200}, timeout=10).json()["items"]
    assert len([f for f in recent if f["id"] != finding["id"]]) > 0


def test_the_same_inspection_sent_four_times_at_once_is_stored_once(live_server):
    from concurrent.futures import ThreadPoolExecutor

    base = live_server.url + "/api/v1"
    token = live_server.login("guard3")
    checklist = requests.get(f"{base}/checklists/drain_covers", headers={"Authorization": f"Bearer {token}"},
                             timeout=10).json()
    started = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=2)
    body = {"id": str(uuid.uuid4()), "checkpoint_code": "LHY-DRAIN-09", "checklist_key": "drain_covers",
            "checklist_version": checklist["version"], "started_at": started.isoformat(),
            "finished_at": (started + timedelta(minutes=1)).isoformat(),
            "results": [{"item_key": it["key"], "status": "pass"} for it in checklist["items"]]}

    def send(b):
        return requests.post(f"{base}/inspections", json=b, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, [body] * 4))
    assert sorted(r.status_code for r in answers) == [200, 200, 200, 201], [r.text for r in answers]
    assert len({r.json()["received_at"] for r in answers}) == 1

    changed = dict(body, results=[dict(r, note="后来改的") for r in body["results"]])
    assert_error_shape(send(changed), 409)
