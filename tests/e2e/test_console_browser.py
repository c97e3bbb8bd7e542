"""The console in a real browser: log in as manager1 and visit every page (Debian chromium, headless)."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

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


def desk_page(browser, console_url, username):
    """(context, page) of a user logged in at an office screen, the first page's run over."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = ctx.new_page()
    log_in(page, console_url, username)
    page.get_by_test_id("stSidebarNav").wait_for(timeout=30000)
    wait_for_run(page)
    return ctx, page


def test_manager_visits_every_page(console_url, browser, live_server):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = ctx.new_page()
    page.goto(console_url)
    page.get_by_label("账号").wait_for(timeout=30000)
    shot(page, "00-login")
    assert not page.get_by_text("Deploy", exact=True).count()  # console/.streamlit/config.toml, from the first page
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


# --- forms that survive a refresh (console/drafts.py) ---------------------------------------------------

def _draft(live_server, token, form):
    """The user's kept draft of ``form`` as the API holds it, or None."""
    r = requests.get(f"{live_server.url}/api/v1/drafts/{form}", headers={"Authorization": f"Bearer {token}"},
                     timeout=10)
    return r.json()["values"] if r.status_code == 200 else None


def _wait_for_draft(live_server, token, form, key, text):
    deadline = time.time() + 20
    while time.time() < deadline:
        if (_draft(live_server, token, form) or {}).get(key) == text:
            return
        time.sleep(0.3)
    raise AssertionError(f"{key} never reached the draft of {form}")


def open_intake(page, console_url=None):
    """The service desk's 登记来电/来访 tab, once the page has finished its run."""
    if console_url:
        page.goto(console_url + "/service_desk")
    page.get_by_text("客服台：投诉、报修与建议").wait_for(timeout=30000)
    wait_for_run(page)
    page.get_by_role("tab", name="登记来电/来访").click()
    wait_for_run(page)


def test_a_typed_call_survives_a_refresh_and_a_registered_one_does_not(console_url, browser, live_server):
    ctx, page = desk_page(browser, console_url, "service1")
    token = live_server.login("service1")
    open_intake(page, console_url)
    form = page.get_by_role("tabpanel")  # the open tab only: the list's filters have a 楼栋 too
    description, name = form.get_by_label("事由（发生了什么）"), form.get_by_label("业主/租户姓名")
    description.fill("6栋电梯异响，业主说晚上十点后更明显")
    name.fill("周女士")
    page.keyboard.press("Tab")  # the clerk moves on: the field's text reaches the server
    _wait_for_draft(live_server, token, "sd_new", "sd_new_owner_name", "周女士")

    page.reload()  # F5: a new Streamlit session
    open_intake(page)
    page.get_by_text("已恢复您上次未提交的内容。").wait_for(timeout=30000)
    expect(description).to_have_value("6栋电梯异响，业主说晚上十点后更明显", timeout=30000)
    expect(name).to_have_value("周女士", timeout=30000)
    shot(page, "30-draft-after-refresh")

    form.get_by_label("楼栋").fill("6")
    page.keyboard.press("Tab")
    wait_for_run(page)
    page.get_by_role("button", name="登记").click()
    page.get_by_text("已登记").first.wait_for(timeout=30000)
    wait_for_run(page)
    assert _draft(live_server, token, "sd_new") is None  # sent: the draft is gone
    page.reload()
    open_intake(page)
    description.wait_for(timeout=30000)
    wait_for_run(page)
    page.wait_for_timeout(1000)
    expect(description).to_have_value("", timeout=30000)
    expect(name).to_have_value("", timeout=30000)
    assert not page.get_by_text("已恢复您上次未提交的内容。").count()
    ctx.close()


# --- the login form cannot be posted from another site (api/csrf.py) ----------------------------------------

def test_a_login_form_posted_from_another_site_is_refused(browser, live_server):
    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    evil = f"""<form id="f" method="post" action="{live_server.url}/api/v1/auth/session">
      <input name="username" value="super1"><input name="password" value="{PASSWORD}">
      <input name="next" value="{live_server.url}/m/"></form><script>document.getElementById('f').submit()</script>"""
    page.route("http://evil.example/**", lambda route: route.fulfill(status=200, body=evil,
                                                                       content_type="text/html"))
    with page.expect_response(lambda r: "/auth/session" in r.url) as answer:
        page.goto("http://evil.example/")
    assert answer.value.status == 403
    assert "patrol_session" not in {c["name"] for c in ctx.cookies()}
    ctx.close()


# --- every page, every desk role, in Chinese, at an office screen and on a supervisor's phone ---------------

ENGLISH_ALLOWED = {"LHY", "HQT", "PDF", "Excel", "xlsx", "csv", "CSV", "JPG", "PNG", "WEBP", "HEIC", "HEIF", "MB",
                   "KB", "QR", "Language", "English", "WeCom"}
VISIBLE_TEXT = """() => { const out = [];
  const w = document.createTreeWalker(document.querySelector('[data-testid=stApp]'), NodeFilter.SHOW_TEXT);
  while (w.nextNode()) {
    const el = w.currentNode.parentElement;
    // icons are drawn from ligature names (keyboard_arrow_down): not words anyone reads
    // the running man's "Stop" is hidden by the console's CSS, which arrives with the page's first run
    if (!el || el.closest('[data-testid=stIconMaterial], [translate=no], style, script, '
                          + '[data-testid=stStatusWidget]')) continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || getComputedStyle(el).fontSize === '0px') continue;
    out.push(w.currentNode.textContent);
  }
  return out.join('\\n'); }"""


def english_words(page):
    import re

    text = page.evaluate(VISIBLE_TEXT)
    return sorted({w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ENGLISH_ALLOWED}), text


def page_paths(page):
    return page.evaluate("[...document.querySelectorAll('[data-testid=stSidebarNav] a')]"
                         ".map(a => new URL(a.href).pathname)")


def walk_every_page(page, console_url, prefix):
    paths = page_paths(page)
    assert len(paths) >= 3, paths
    seen = {}
    for path in paths:
        page.goto(console_url + path)
        page.locator("[data-testid=stMain] h1").first.wait_for(timeout=30000)  # the page's script has run
        wait_for_run(page)
        page.wait_for_timeout(500)
        wait_for_run(page)
        exc = page.get_by_test_id("stException")
        assert not exc.count(), f"{path}: {exc.first.inner_text()}"
        words, text = english_words(page)
        assert not words, f"{path}: English on the page: {words}"
        assert "None" not in text and "nan" not in text.split(), f"{path}: an empty value printed as None/nan"
        shot(page, f"{prefix}{path.strip('/').replace('/', '_') or 'today'}")
        seen[path] = page.evaluate("document.documentElement.scrollWidth")
    return seen


@pytest.mark.parametrize("username", ["service1", "super1", "manager1"])
def test_every_page_of_each_desk_role_is_in_chinese_without_errors(console_url, browser, username):
    ctx, page = desk_page(browser, console_url, username)
    # the office sees no developer menu and no "Deploy" button
    assert not page.get_by_test_id("stAppDeployButton").count()
    assert not page.get_by_text("Deploy", exact=True).count()
    walk_every_page(page, console_url, f"40-{username}-")
    ctx.close()


def test_every_page_fits_a_supervisors_phone(console_url, browser):
    ctx, page = desk_page(browser, console_url, "super1")
    page.set_viewport_size({"width": 390, "height": 844})
    widths = walk_every_page(page, console_url, "50-phone-super1-")
    assert all(w <= 392 for w in widths.values()), widths
    ctx.close()


def test_a_pasted_link_opens_the_login_then_that_page_and_another_roles_page_says_so(console_url, browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = ctx.new_page()
    log_in(page, console_url, "super1", "/work_orders?wo_trade=engineering")
    page.get_by_text("工单看板").first.wait_for(timeout=30000)
    wait_for_run(page)
    assert "/work_orders" in page.url and "wo_trade=engineering" in page.url
    assert not page.get_by_text("Page not found").count()
    page.goto(console_url + "/audit")  # a manager's page
    page.get_by_text("此页面不属于您的角色").wait_for(timeout=30000)
    assert not page.get_by_text("Page not found").count()
    ctx.close()
