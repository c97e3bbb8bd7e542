"""The phone's service worker shows a pushed message as a notification (headless Chromium): the
push event is delivered through the DevTools protocol (ServiceWorker.deliverPushMessage), as the
browser's push service would deliver it to a closed app."""
import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from api.phone import STATIC

pytest.importorskip("playwright")


@pytest.fixture
def static_server():
    root = Path(STATIC).parent  # serves /static/... ; the app is under /static/ like /m/

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/{Path(STATIC).name}/"
    srv.shutdown()
    srv.server_close()


def test_the_service_worker_shows_a_pushed_order(static_server):
    from playwright.sync_api import sync_playwright

    from tests.e2e.phone import launch

    with sync_playwright() as p:
        browser = launch(p)
        try:
            origin = static_server.split("/static/")[0]
            context = browser.new_context()
            context.grant_permissions(["notifications"], origin=origin)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            regs = []
            cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: regs.extend(e["registrations"]))
            cdp.send("ServiceWorker.enable")
            page.goto(static_server + "index.html")
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.wait_for_timeout(300)
            reg = [r for r in regs if r["scopeURL"].startswith(static_server) and not r["isDeleted"]][0]
            msg = {"id": 7, "event": "work_order_assigned", "title": "新工单",
                   "body": "【工单 #7】绿荷苑 · 北片区：2 栋水泵异响", "link": static_server + "#/orders/7", "urgent": False}
            cdp.send("ServiceWorker.deliverPushMessage", {"origin": origin + "/", "registrationId": reg["registrationId"],
                                                          "data": json.dumps(msg, ensure_ascii=False)})
            shown = []
            for _ in range(50):
                shown = page.evaluate("""navigator.serviceWorker.ready.then((r) => r.getNotifications())
                    .then((ns) => ns.map((n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))""")
                if shown:
                    break
                page.wait_for_timeout(100)
            assert shown == [{"title": "新工单", "body": msg["body"], "tag": "patrol-7",
                              "data": {"link": msg["link"]}}]
        finally:
            browser.close()
