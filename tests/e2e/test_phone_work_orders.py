"""A technician's phone: accept, start and finish a work order with an after-photo; log out."""
import uuid

import pytest
import requests

from tests.e2e.phone import Phone, chromium_available, jpeg, launch
from tests.live import PASSWORD, LiveServer
from tests.helpers import assert_error_shape

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(), reason="needs Debian chromium")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = LiveServer(tmp_path_factory.mktemp("phone-wo"), demo_days=1)
    s.build_demo()
    s.start()
    yield s
    s.stop()


def _api(server, username):
    r = requests.post(server.url + "/api/v1/auth/login", json={"username": username, "password": PASSWORD},
                      timeout=10)
    r.raise_for_status()
    body = r.json()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {body['token']}"
    return session, body["user"]


def test_technician_finishes_a_work_order_with_an_after_photo(server, tmp_path):
    from playwright.sync_api import sync_playwright

    sup, _ = _api(server, "super1")
    _, tech = _api(server, "tech1")
    lhy = next(s for s in sup.get(server.url + "/api/v1/sites", timeout=10).json() if s["code"] == "LHY")
    zone = next(z for z in lhy["zones"] if z["code"] == "A")
    r = sup.post(server.url + "/api/v1/work-orders", timeout=10, json={
        "site_id": lhy["id"], "zone_id": zone["id"], "trade": "engineering", "priority": "normal",
        "title": "2 号楼大堂顶灯不亮", "description": "业主反映大堂左侧顶灯不亮", "assignee_id": tech["id"],
        "client_id": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    order_id = r.json()["id"]
    photo, sha = jpeg(tmp_path / "after.jpg", "lamp fixed", color=(60, 160, 80))

    with sync_playwright() as p:
        browser = launch(p)
        phone = Phone(browser, server.url, "technician_finishes_a_work_order")
        try:
            page = phone.page
            phone.login("tech1", PASSWORD)
            page.wait_for_selector(f'a[href="#/orders/{order_id}"]')
            phone.shot("today-with-orders")
            phone.tap('[data-tab="orders"]')
            phone.screen("orders")
            phone.shot("orders")
            phone.tap(f'[data-order="{order_id}"]')
            phone.screen("order")
            phone.shot("order-assigned")
            phone.tap("#do-accept")
            page.wait_for_selector("#do-start")
            phone.tap("#do-start")
            page.wait_for_selector("#do-finish")
            phone.tap("#do-finish")  # no photo yet: the phone asks for one before anything is queued
            assert page.locator(".error").inner_text() == "完成工单须上传维修后照片。"
            phone.photo('input[name="after-photo"]', photo)
            page.wait_for_selector(".thumb img")
            page.locator('textarea[name="note"]').fill("已更换灯管，恢复照明")
            phone.shot("order-finishing")
            phone.tap("#do-finish")
            phone.screen("orders")
            # a finished order leaves the technician's list at once, and the outbox drains
            assert page.locator(f'[data-order="{order_id}"]').count() == 0
            page.wait_for_function("document.querySelector('#outbox-badge') === null", timeout=30000)
            phone.shot("orders-after-finish")
            assert phone.outbox() == []

            # logging out clears everything the phone stored, and the token stops working
            token = page.evaluate("localStorage.getItem('patrol.token')")
            assert requests.get(server.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"},
                                timeout=10).status_code == 200
            phone.tap('[data-tab="today"]')
            phone.screen("today")
            phone.tap("#logout")
            phone.screen("login")
            phone.shot("logged-out")
            left = page.evaluate("""async () => ({
                dbs: (await indexedDB.databases()).map((d) => d.name),
                token: localStorage.getItem('patrol.token'),
                caches: (await caches.keys()).filter((k) => k.startsWith('patrol-data')),
            })""")
            assert left == {"dbs": [], "token": None, "caches": []}
            assert_error_shape(requests.get(server.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"},
                                timeout=10), 401)
        finally:
            phone.close()
            browser.close()

    order = sup.get(f"{server.url}/api/v1/work-orders/{order_id}", timeout=10).json()
    assert order["status"] == "done"
    assert {"id": sha, "kind": "after"} in [{"id": ph["id"], "kind": ph["kind"]} for ph in order["photos"]]
    actions = [e["action"] for e in order["events"]]
    assert actions[-3:] == ["accept", "start", "finish"]
    assert order["events"][-1]["note"] == "已更换灯管，恢复照明"
