"""The console in a real browser: log in as manager1 and visit every page (Debian chromium, headless)."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.live import PASSWORD, free_port

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("PATROL_CONSOLE_SHOTS") or ROOT / "tests" / "artifacts" / "console")

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")]


@pytest.fixture(scope="module")
def console_url(live_server, tmp_path_factory):
    """``streamlit run console/streamlit_app.py`` on a free port, talking to the live API."""
    port = free_port()
    env = dict(os.environ, PATROL_API_URL=live_server.url)
    log = open(tmp_path_factory.mktemp("streamlit") / "streamlit.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "console" / "streamlit_app.py"),
                             "--server.address", "127.0.0.1", "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        assert proc.poll() is None, f"streamlit exited; see {log.name}"
        try:
            if requests.get(url + "/_stcore/health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.3)
    yield url
    os.killpg(proc.pid, 15)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # charts and tables load their code lazily: wait until no placeholder is left, then let them paint
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=30000)
    for chart in page.locator("[data-testid=stVegaLiteChart] >> visible=true").all():
        chart.locator("canvas, svg").first.wait_for(timeout=15000)
    page.wait_for_timeout(600)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def wait_for_run(page):
    """Streamlit shows a 'running' status while a script runs; wait until it is idle."""
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)


def visit(page, nav_label, expect, name):
    page.get_by_test_id("stSidebarNav").get_by_text(nav_label, exact=True).click()
    page.get_by_text(expect).first.wait_for(timeout=30000)
    wait_for_run(page)
    assert not page.get_by_test_id("stException").count(), page.get_by_test_id("stException").first.inner_text()
    shot(page, name)
    return page


def selected(page, caption):
    """What a selectbox shows (its text and its input's value)."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=caption).first
    return box.inner_text() + " " + " ".join(i.input_value() for i in box.locator("input").all())


def log_in(page, console_url, username, path=""):
    page.goto(console_url + path)
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_manager_visits_every_page(console_url, browser, live_server):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(console_url)
    page.get_by_label("账号").wait_for(timeout=30000)
    shot(page, "00-login")
    log_in(page, console_url, "manager1")
    page.get_by_text("各片区巡检完成情况").wait_for(timeout=30000)
    wait_for_run(page)
    assert page.get_by_text("王经理").count()
    # the session is an HttpOnly cookie: no token in the URL, none readable by the page's scripts
    cookies = {c["name"]: c for c in ctx.cookies()}
    assert cookies["patrol_session"]["httpOnly"] and cookies["patrol_session"]["value"] not in page.url
    assert "patrol_session" not in page.evaluate("document.cookie")
    shot(page, "01-today")

    visit(page, "巡检问题", "处理所选问题", "02-findings")
    assert page.locator("[data-testid=stImage] img").count() >= 1  # thumbnails fetched with the token
    page.get_by_role("button", name="查看大图").first.click()
    dialog = page.get_by_role("dialog")
    dialog.locator("img").first.wait_for(timeout=30000)
    shot(page, "02b-finding-preview")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden", timeout=10000)

    visit(page, "巡检记录", "巡检记录（按实际巡查）", "02c-rounds")
    visit(page, "工单", "工单看板", "03-work-orders")
    page.get_by_role("button", name="打开工单").first.click()
    page.get_by_text("处理记录").wait_for(timeout=30000)
    wait_for_run(page)
    shot(page, "03b-work-order-detail")
    visit(page, "工单记录", "工单记录查询", "03c-work-order-history")
    visit(page, "客服台", "客服台：投诉、报修与建议", "03d-service-desk")
    visit(page, "扣分与台账", "扣分与月度台账", "04-deductions")
    visit(page, "报表", "片区评比", "05-reports")
    visit(page, "检查表", "检查表与考核标准", "06-checklists")
    visit(page, "操作日志", "操作日志", "07-audit")

    # the English switch relabels the console
    switch = page.get_by_label("语言 / Language")
    switch.scroll_into_view_if_needed()
    switch.click()
    page.keyboard.type("English")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Audit log").wait_for(timeout=30000)
    wait_for_run(page)
    shot(page, "08-audit-english")

    page.get_by_role("button", name="Log out").click()
    page.get_by_text("Log in to the console").wait_for(timeout=30000)
    # logged out on the server: a refresh with the old cookie stays logged out
    page.reload()
    page.get_by_label("Username").wait_for(timeout=30000)
    ctx.close()


def test_a_refresh_keeps_the_user_logged_in_on_the_same_page_with_the_same_filters(console_url, browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = ctx.new_page()
    log_in(page, console_url, "super1")
    page.get_by_text("各片区巡检完成情况").wait_for(timeout=30000)
    wait_for_run(page)
    page.get_by_test_id("stSidebarNav").get_by_text("工单", exact=True).click()
    page.get_by_text("工单看板").first.wait_for(timeout=30000)
    wait_for_run(page)
    trade = page.get_by_test_id("stSelectbox").filter(has_text="专业")
    trade.click()
    page.get_by_role("option", name="工程维修").click()
    wait_for_run(page)
    page.wait_for_function("location.search.includes('wo_trade=engineering')", timeout=15000)
    page.reload()
    page.get_by_text("工单看板").first.wait_for(timeout=30000)
    wait_for_run(page)
    assert "/work_orders" in page.url and "wo_trade=engineering" in page.url
    shot(page, "10-work-orders-after-refresh")
    assert "工程维修" in selected(page, "专业")
    assert not page.get_by_label("账号").count()  # still logged in
    # open an order: a refresh keeps it open; going back shows the filters that apply
    page.get_by_role("button", name="打开工单").first.click()
    page.get_by_text("处理记录").wait_for(timeout=30000)
    wait_for_run(page)
    page.reload()
    page.get_by_text("处理记录").wait_for(timeout=30000)
    wait_for_run(page)
    assert "order=" in page.url
    page.get_by_role("button", name="返回看板").first.click()
    page.get_by_text("工单看板").first.wait_for(timeout=30000)
    wait_for_run(page)
    assert "工程维修" in selected(page, "专业")
    ctx.close()


def test_the_console_fits_a_phone_at_390_px(console_url, browser):
    """Supervisors walking the site open the console on a phone: no page wider than the screen."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                              has_touch=True, device_scale_factor=2)
    page = ctx.new_page()
    log_in(page, console_url, "super1")
    page.get_by_text("各片区巡检完成情况").wait_for(timeout=30000)
    wait_for_run(page)
    shot(page, "20-phone-today")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    page.goto(console_url + "/work_orders")
    page.get_by_text("工单看板").first.wait_for(timeout=30000)
    wait_for_run(page)
    shot(page, "21-phone-work-orders")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    ctx.close()
