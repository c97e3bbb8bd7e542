"""The Content-Security-Policy in a real browser: the phone app and Swagger UI at /api/docs work
under it (no violation reported), and a page of ours cannot be framed."""
import pytest

from tests.factories import PASSWORD
from tests.live import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = LiveServer(tmp_path_factory.mktemp("csp"), demo_days=0)
    s.build_demo()
    s.start()
    yield s
    s.stop()


def _violations(page):
    seen = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def test_swagger_ui_renders_under_the_policy(server, browser):
    page = browser.new_page()
    seen = _violations(page)
    resp = page.goto(server.url + "/api/docs")
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
    page.wait_for_selector(".opblock-tag", timeout=20000)  # the operations, grouped by resource
    assert page.locator(".opblock").count() > 20
    page.screenshot(path="/tmp/shots/security/docs-under-csp.png")
    assert seen == []
    page.close()


def test_the_phone_app_logs_in_and_lists_under_the_policy(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    seen = _violations(page)
    resp = page.goto(server.url + "/m/")
    assert resp.headers["x-frame-options"] == "DENY"
    page.wait_for_selector("input[name=username], #username", timeout=20000)
    page.fill("input[name=username], #username", "guard1")
    page.fill("input[name=password], #password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("input[name=password], #password", state="detached", timeout=20000)
    page.wait_for_timeout(1500)
    page.screenshot(path="/tmp/shots/security/phone-under-csp.png")
    assert seen == []
    page.close()


def test_a_page_of_ours_is_not_shown_inside_another_sites_frame(server, browser, tmp_path):
    page = browser.new_page()
    seen = []
    page.on("console", lambda m: seen.append(m.text))
    page.set_content(f'<iframe id="f" src="{server.url}/m/" width="300" height="300"></iframe>')
    page.wait_for_timeout(2000)
    frame = page.frame_locator("#f")
    assert frame.locator("input").count() == 0  # blocked: nothing of the app inside
    page.close()
