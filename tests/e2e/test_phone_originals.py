"""Originals later on Wi-Fi (issue #15): with the company's option on (policy
``photos.send_originals_on_wifi``), the phone sends the downscaled photo with the round at once and
keeps the camera's full original until the network is unmetered; then it is attached to the same
photo on the server, byte for byte.

Real server (gunicorn), real Chromium at 390 px. Desktop Chromium's Network Information API has no
``type``, so the phone falls back to the person's setting on the queue screen, as a browser that
cannot tell Wi-Fi from mobile data does."""
import hashlib
import os
import shutil
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.e2e.phone import TWENTY_CODE, Phone, add_twenty_item_checklist, chromium_available, server_db
from tests.e2e.test_phone_photo_upload import camera_photo
from tests.live import PASSWORD, LiveServer

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(), reason="needs Debian chromium")]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    checklists = tmp_path_factory.mktemp("checklists") / "checklists"
    shutil.copytree(ROOT / "checklists", checklists)
    s = LiveServer(tmp_path_factory.mktemp("originals"), demo_days=1, env={"PATROL_CHECKLISTS_DIR": str(checklists)})
    s.build_demo()
    add_twenty_item_checklist(s.env["DATABASE_URL"])
    s.start()
    yield s
    s.stop()


def originals_on_wifi(server):
    """The manager turns the option on: a new policy version in force from today."""
    api = server.url + "/api/v1"
    token = requests.post(f"{api}/auth/login", json={"username": "manager1", "password": PASSWORD},
                          timeout=10).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    body = requests.get(f"{api}/policy", headers=auth, timeout=10).json()
    body["photos"]["send_originals_on_wifi"] = True
    versions = requests.get(f"{api}/policy/versions", headers=auth, timeout=10).json()
    items = versions["items"] if isinstance(versions, dict) else versions
    r = requests.post(f"{api}/policy/versions", headers=auth, timeout=10, json={
        "effective_from": datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat(),
        "based_on": max(v["id"] for v in items), "note": "originals on Wi-Fi", "policy": body})
    assert r.status_code in (200, 201), r.text
    time.sleep(1.2)  # every server process sees the new version within a second


def _photos(server):
    from api.models import Photo

    with server_db(server.env["DATABASE_URL"]):
        return {p.id: p for p in Photo.select()}


def test_the_full_original_follows_on_an_unmetered_network_attached_to_the_same_photo(browser, server, tmp_path):
    originals_on_wifi(server)
    phone = Phone(browser, server.url, "originals-wifi")
    try:
        page = phone.page
        phone.login("guard1", PASSWORD)
        path, original = camera_photo(tmp_path / "IMG_0100.jpg")
        before = set(_photos(server))
        phone.round_with_photo(TWENTY_CODE, "item_03", "3 号泵漏水", path)
        [pid] = set(_photos(server)) - before
        photo = _photos(server)[pid]
        assert photo.size_bytes < len(original) / 5 and photo.full_sha256 is None  # the round went light

        page.goto(f"{server.url}/m/#/outbox")
        phone.screen("outbox")
        page.wait_for_selector(".originals #unmetered", timeout=15000)
        phone.shot("queue-original-waits-for-wifi")
        phone.tap("#unmetered")  # "this network costs nothing"
        deadline = time.time() + 60
        while time.time() < deadline and _photos(server)[pid].full_sha256 is None:
            time.sleep(0.5)
        photo = _photos(server)[pid]
        assert photo.full_sha256 == hashlib.sha256(original).hexdigest()
        assert photo.full_size_bytes == len(original)
        from api.domain.images import storage_key

        with open(os.path.join(server.env["PATROL_MEDIA_DIR"], storage_key(photo.full_sha256, "original", "jpg")),
                  "rb") as fh:
            assert fh.read() == original  # byte for byte
        page.reload()
        phone.screen("outbox")
        page.wait_for_function("!document.querySelector('.originals')", timeout=15000)  # nothing waits now
        phone.shot("queue-original-sent")
    finally:
        phone.close()
