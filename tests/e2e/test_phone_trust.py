"""The phone a night guard can trust (issue #16): a shared post phone loses nobody's rounds, a
jammed entry holds up nothing, a refused round is fixed as a draft, the picker refuses what the
server would, Today is the guard's own day, proof of presence per policy, 一键报警 goes first.

Real server (gunicorn) with its own copy of checklists/ (so a test can change the policy), real
Chromium at 390x844 with touch."""
import re
import shutil
import time
from datetime import datetime
from pathlib import Path

import pytest
import requests

from tests.conftest import CHECKLISTS_DIR
from tests.e2e.phone import Phone, add_twenty_item_checklist, chromium_available, jpeg, server_db
from tests.live import PASSWORD, LiveServer

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(), reason="needs Debian chromium")]

ROOT = Path(__file__).resolve().parents[2]
FAR_FROM_LAMP_01 = {"latitude": 31.2222, "longitude": 121.5460, "accuracy": 12}  # ~220 m north of it


@pytest.fixture(scope="module")
def checklists_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("checklists") / "checklists"
    shutil.copytree(CHECKLISTS_DIR, d)  # the shipped checklists with the suite's policy
    return d


@pytest.fixture(scope="module")
def server(tmp_path_factory, checklists_dir):
    s = LiveServer(tmp_path_factory.mktemp("trust"), demo_days=1, env={"PATROL_CHECKLISTS_DIR": str(checklists_dir)})
    s.build_demo()
    add_twenty_item_checklist(s.env["DATABASE_URL"])
    s.start()
    yield s
    s.stop()


@pytest.fixture
def policy(server):
    """Change one value of the live server's policy for a test, as a manager does: a new version in
    force from today (every server process sees it within a second)."""
    import requests
    from zoneinfo import ZoneInfo

    api = server.url + "/api/v1"
    token = requests.post(f"{api}/auth/login", json={"username": "manager1", "password": PASSWORD},
                          timeout=10).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}

    def _set(path, value):
        body = requests.get(f"{api}/policy", headers=auth, timeout=10).json()
        node = body
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        versions = requests.get(f"{api}/policy/versions", headers=auth, timeout=10).json()
        items = versions["items"] if isinstance(versions, dict) else versions
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
        r = requests.post(f"{api}/policy/versions", headers=auth, timeout=10, json={
            "effective_from": today, "based_on": max(v["id"] for v in items), "note": "test", "policy": body})
        assert r.status_code in (200, 201), r.text
        time.sleep(1.2)  # the other processes re-check the version counter once a second

    yield _set


@pytest.fixture
def phone(browser, server, request):
    ph = Phone(browser, server.url, "trust-" + request.node.name.replace("test_", ""))
    yield ph
    ph.close()


def _inspections(server, code):
    from api.models import Checkpoint, Inspection, User

    with server_db(server.env["DATABASE_URL"]):
        q = Inspection.select(Inspection, User.username).join(Checkpoint).switch(Inspection).join(User).where(
            Checkpoint.code == code)
        return [{"id": i.id, "inspector": i.inspector.username, "method": i.presence_method, "flag": i.presence_flag,
                 "reason": i.presence_reason, "distance": i.presence_distance_m, "accuracy": i.presence_accuracy_m}
                for i in q]


def _new(server, code, before):
    """The inspections at ``code`` not among ``before`` (the demo's history has some already)."""
    return [i for i in _inspections(server, code) if i["id"] not in before]


def _ids(server, code):
    return {i["id"] for i in _inspections(server, code)}


def _until(page, check, timeout=30):
    """Poll ``check`` while the page (and its route handlers) keep running."""
    deadline = time.time() + timeout
    while not check():
        assert time.time() < deadline, "timed out"
        page.wait_for_timeout(300)


def _walk_all_pass(phone, code, key):
    page = phone.page
    page.goto(f"{phone.base_url}/m/#/walk/{code}/{key}")
    phone.screen("walk")
    phone.tap("#all-pass")
    phone.tap("#submit")
    phone.screen("today")


def _wait_sent(page, timeout=30000):
    page.wait_for_function("document.querySelector('#outbox-count') && "
                           "document.querySelector('#outbox-count').textContent.includes('没有待发送')", timeout=timeout)


def test_a_shared_phone_keeps_the_first_guards_round_and_sends_it_under_him_exactly_once(phone, server):
    """岗位机交接: guard1 queues offline, his login is revoked, guard3 uses the phone, guard1 later."""
    page = phone.page
    phone.login("guard1", PASSWORD)
    before = {i["id"] for i in _inspections(server, "LHY-LAMP-04")}
    phone.context.set_offline(True)
    _walk_all_pass(phone, "LHY-LAMP-04", "road_lamps")
    [entry] = phone.outbox()
    assert entry["owner"] == "guard1"
    token = page.evaluate("localStorage.getItem('patrol.token')")
    assert requests.post(f"{server.url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}).ok

    phone.context.set_offline(False)  # the phone tries, is told the login is gone, asks for one
    phone.screen("login", timeout=30000)
    phone.login("guard3", PASSWORD)
    page.wait_for_selector("#others-count")
    assert "1 条他人的记录" in page.locator("#others-count").inner_text()
    phone.shot("today-guard3-holds-guard1s-round")
    page.goto(f"{server.url}/m/#/outbox")
    phone.screen("outbox")
    assert "待 guard1 登录后发送" in page.locator('.entry[data-owner="guard1"]').inner_text()
    phone.shot("outbox-guard1-entry-kept")
    page.evaluate("navigator.onLine")  # guard3 is online and logged in: still nothing of guard1's goes
    time.sleep(1.5)
    assert {i["id"] for i in _inspections(server, "LHY-LAMP-04")} == before

    page.goto(f"{server.url}/m/#/today")
    phone.screen("today")
    phone.tap("#logout")  # the confirm is accepted; guard1's entry is not guard3's to delete
    phone.screen("login")
    assert [e["owner"] for e in phone.outbox()] == ["guard1"]
    phone.login("guard1", PASSWORD)  # sent after the login, without a tap
    _wait_sent(page)
    new = [i for i in _inspections(server, "LHY-LAMP-04") if i["id"] not in before]
    assert [(i["id"], i["inspector"]) for i in new] == [(entry["body"]["id"], "guard1")]
    assert phone.outbox() == []


def test_a_jammed_entry_is_set_aside_and_the_next_round_still_goes(phone, server):
    page = phone.page
    phone.login("guard1", PASSWORD)
    b5, b6 = _ids(server, "LHY-LAMP-05"), _ids(server, "LHY-LAMP-06")
    phone.context.set_offline(True)
    _walk_all_pass(phone, "LHY-LAMP-05", "road_lamps")
    _walk_all_pass(phone, "LHY-LAMP-06", "road_lamps")
    first, second = sorted(phone.outbox(), key=lambda e: e["seq"])
    tries = []

    def jam(route):
        body = route.request.post_data_json
        if body["id"] == first["body"]["id"]:
            tries.append(1)
            route.fulfill(status=500, content_type="application/json",
                          body='{"code": 500, "status": "Internal Server Error", "message": "boom"}')
        else:
            route.continue_()

    page.route("**/api/v1/inspections", jam)
    phone.context.set_offline(False)
    _until(page, lambda: [e["state"] for e in phone.outbox()] == ["stuck"], timeout=40)
    assert [i["id"] for i in _new(server, "LHY-LAMP-06", b6)] == [second["body"]["id"]]
    assert len(tries) == 3  # set aside after the policy's three tries
    page.goto(f"{server.url}/m/#/outbox")
    phone.screen("outbox")
    stuck = page.locator(".entry.stuck")
    assert "服务器出错（500）" in stuck.inner_text()
    phone.shot("outbox-stuck-entry")
    page.unroute("**/api/v1/inspections")
    stuck.locator('[data-action="retry"]').tap()
    page.wait_for_function("!document.querySelector('.entry')", timeout=20000)
    assert [i["id"] for i in _new(server, "LHY-LAMP-05", b5)] == [first["body"]["id"]]


def test_a_refused_round_opens_as_a_draft_is_fixed_and_sent(phone, server, tmp_path):
    page = phone.page
    phone.login("guard1", PASSWORD)
    before = _ids(server, "LHY-LAMP-07")
    phone.context.set_offline(True)
    page.goto(f"{server.url}/m/#/walk/LHY-LAMP-07/road_lamps")
    phone.screen("walk")
    phone.tap("#all-pass")
    phone.tap('[data-item="lamp_lit"]')
    page.locator('textarea[name="note-lamp_lit"]').fill("路灯不亮")
    photo, _ = jpeg(tmp_path / "lamp.jpg", "lamp out")
    phone.photo('input[name="photo-lamp_lit"]', photo)
    page.wait_for_selector("#item-lamp_lit .thumb img")
    phone.tap("#submit")
    phone.screen("today")
    # the photo is lost on the way (as a picker bug would): the server refuses the round
    page.evaluate("""() => new Promise((resolve) => {
        const r = indexedDB.open('patrol');
        r.onsuccess = () => {
          const store = r.result.transaction('outbox', 'readwrite').objectStore('outbox');
          const q = store.getAll();
          q.onsuccess = () => { const e = q.result[0]; e.photos = []; e.body.results.forEach((x) => { x.photo_ids = []; });
            store.put(e).onsuccess = () => { r.result.close(); resolve(); }; };
        };
    })""")
    phone.context.set_offline(False)
    page.goto(f"{server.url}/m/#/outbox")
    phone.screen("outbox")
    page.wait_for_selector(".entry.refused", timeout=30000)
    phone.shot("outbox-refused")
    # the server's own words, in the phone's language (Accept-Language: zh-CN)
    assert "提交的内容有误" in page.locator(".entry.refused .server-message").inner_text()
    phone.tap('.entry.refused [data-action="fix"]')
    phone.screen("walk")
    assert "提交的内容有误" in page.locator("#refusal-banner").inner_text()
    assert page.locator('textarea[name="note-lamp_lit"]').input_value() == "路灯不亮"
    phone.shot("walk-refused-draft")
    assert phone.outbox() == [] and len(phone.drafts()) == 1
    photo2, sha2 = jpeg(tmp_path / "lamp2.jpg", "lamp out again", color=(10, 90, 200))
    phone.photo('input[name="photo-lamp_lit"]', photo2)
    page.wait_for_selector("#item-lamp_lit .thumb img")
    phone.tap("#submit")
    phone.screen("today")
    _wait_sent(page)
    assert len(_new(server, "LHY-LAMP-07", before)) == 1
    assert phone.drafts() == []


def test_the_picker_refuses_a_42_mb_file_and_a_pdf_with_a_message(phone, server, tmp_path):
    page = phone.page
    phone.login("cleaner1", PASSWORD)
    big = tmp_path / "huge.jpg"
    with open(big, "wb") as fh:
        fh.write(b"\xff\xd8\xff\xe0")
        fh.truncate(42 * 1024 * 1024)
    pdf = tmp_path / "manual.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    phone.tap('[data-tab="report"]')
    phone.screen("report")
    page.locator('input[name="photo"]').set_input_files(str(big))
    msg = page.locator(".photo-refused")
    msg.wait_for()
    assert "42.0 MB" in msg.inner_text() and "25 MB" in msg.inner_text()
    page.locator('input[name="photo"]').set_input_files(str(pdf))
    page.wait_for_function("document.querySelector('.photo-refused').textContent.includes('不是照片')")
    phone.shot("report-picker-refused")
    assert page.locator(".thumb").count() == 0


def test_today_lists_only_the_guards_own_tasks_and_colleagues_on_request(phone, server):
    page = phone.page
    phone.login("guard1", PASSWORD)
    token = page.evaluate("localStorage.getItem('patrol.token')")
    date = page.evaluate("() => new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Shanghai'}).format(new Date())")
    items = requests.get(f"{server.url}/api/v1/tasks?date={date}",
                         headers={"Authorization": f"Bearer {token}"}).json()["items"]
    mine = [t for t in items if not t["assignee"] or t["assignee"]["name"] == "张伟"]
    others = [t for t in items if t not in mine]
    assert mine and others  # the demo gives guard3 rounds on the same site
    page.evaluate("document.querySelectorAll('details.group').forEach(d => { d.open = true; })")
    assert page.locator(".today .task").count() == len(mine)
    # 待检 / 已完成 / 已错过 count the guard's own tasks only
    assert sum(int(n) for n in re.findall(r"\d+", page.locator(".counts").inner_text())) == len(mine)
    phone.shot("today-mine-only")
    phone.tap("#toggle-colleagues")
    page.wait_for_selector(".task.colleague")
    assert page.locator(".task.colleague").count() == len(others)
    names = {t["assignee"]["name"] for t in others}
    assert all(n in page.locator(".colleagues").inner_text() for n in names)
    phone.shot("today-colleagues")


def test_gps_outside_the_radius_is_flagged_or_refused_as_the_policy_says(browser, server, policy):
    phone = Phone(browser, server.url, "trust-gps", geolocation=FAR_FROM_LAMP_01, permissions=["geolocation"])
    try:
        page = phone.page
        phone.login("guard1", PASSWORD)
        before = _ids(server, "LHY-LAMP-01")
        page.goto(f"{server.url}/m/#/walk/LHY-LAMP-01/road_lamps")
        phone.screen("walk")
        phone.tap("#prove-gps")
        page.wait_for_selector("#gps-far")
        assert "米" in page.locator("#presence-now").inner_text()
        phone.shot("walk-gps-far-flagged")
        phone.tap("#all-pass")
        phone.tap("#submit")
        phone.screen("today")
        _wait_sent(page)
        [stored] = _new(server, "LHY-LAMP-01", before)
        assert stored["method"] == "gps" and stored["flag"] == "outside_radius"
        assert stored["distance"] == pytest.approx(222, abs=5) and stored["accuracy"] == 12

        policy(("presence", "outside_radius"), "refuse")
        phone.tap("#send-now")  # a sync brings the new policy
        page.wait_for_function("document.querySelector('#send-now') && !document.querySelector('#send-now').disabled")
        page.goto(f"{server.url}/m/#/walk/LHY-LAMP-01/road_lamps")
        phone.screen("walk")
        phone.tap("#prove-gps")
        page.wait_for_selector("#gps-far")
        phone.tap("#all-pass")
        phone.tap("#submit")
        assert "不能提交" in page.locator(".submit-bar .error").inner_text()
        phone.shot("walk-gps-far-refused")
        assert phone.outbox() == [] and len(_new(server, "LHY-LAMP-01", before)) == 1
    finally:
        phone.close()


def test_a_typed_code_needs_a_reason_that_the_supervisor_sees_flagged(phone, server):
    page = phone.page
    phone.login("guard1", PASSWORD)
    before = _ids(server, "LHY-B2-CP")
    phone.tap('[data-tab="scan"]')
    phone.screen("scan")
    page.fill("#code", "LHY-B2-CP")
    phone.tap("#open-code")
    phone.screen("walk")
    assert "手动输入编码" in page.locator("#presence-now").inner_text()
    phone.tap("#all-pass")
    phone.tap("#submit")
    assert "须写明原因" in page.locator(".submit-bar .error").inner_text()
    page.fill('textarea[name="typed-reason"]', "二维码被雨水泡坏")
    phone.shot("walk-typed-code-reason")
    phone.tap("#submit")
    phone.screen("today")
    _wait_sent(page)
    typed = _new(server, "LHY-B2-CP", before)
    assert [(i["flag"], i["reason"]) for i in typed] == [("typed_code", "二维码被雨水泡坏")]


# Web NFC on Android Chrome, stubbed: the tag touched carries only its serial number
NDEF_STUB = """
window.NDEFReader = class {
  async scan() {
    setTimeout(() => this.onreading && this.onreading({ serialNumber: '04:a2:1b:9c:55:10:80',
      message: { records: [] } }), 200);
  }
};
"""


def test_an_nfc_tag_opens_its_checkpoint_and_is_the_proof(phone, server):
    """The tag's id is stored on the checkpoint (0003_org): reading it opens the walk there and is
    its proof, with nothing for the supervisor to look at."""
    from api.models import Checkpoint

    with server_db(server.env["DATABASE_URL"]):
        Checkpoint.update(nfc_tag_id="04A21B9C551080").where(Checkpoint.code == "LHY-LAMP-08").execute()
    page = phone.page
    phone.context.add_init_script(NDEF_STUB)
    phone.login("guard1", PASSWORD)
    before = _ids(server, "LHY-LAMP-08")
    phone.tap('[data-tab="scan"]')
    phone.screen("scan")
    phone.shot("scan-with-nfc")
    phone.tap("#read-nfc")
    page.wait_for_function("location.hash.startsWith('#/walk/LHY-LAMP-08') || location.hash.startsWith('#/scan/LHY-LAMP-08')")
    if page.locator(".choice").count():
        page.locator('.choice[href*="road_lamps"]').tap()
    phone.screen("walk")
    assert "NFC" in page.locator("#presence-now").inner_text()
    phone.tap("#all-pass")
    phone.tap("#submit")
    phone.screen("today")
    _wait_sent(page)
    [stored] = _new(server, "LHY-LAMP-08", before)
    assert stored["method"] == "nfc" and stored["flag"] is None


def test_an_emergency_reaches_the_server_ahead_of_a_queued_round(phone, server):
    from api.models import Finding

    page = phone.page
    phone.login("guard1", PASSWORD)
    phone.context.set_offline(True)
    _walk_all_pass(phone, "LHY-LAMP-09", "road_lamps")
    phone.tap("#sos")
    phone.screen("sos")
    phone.shot("sos")
    page.fill('textarea[name="sos-note"]', "B2 车库有人打架")
    phone.tap("#sos-send")
    phone.screen("today")
    order = []
    page.on("request", lambda r: order.append(r.url.rsplit("/api/v1", 1)[-1]) if r.method == "POST" and "/api/v1/" in r.url else None)
    phone.context.set_offline(False)
    _wait_sent(page)
    posts = [p for p in order if p in ("/findings", "/inspections")]
    assert posts[:2] == ["/findings", "/inspections"]
    with server_db(server.env["DATABASE_URL"]):
        f = Finding.get(Finding.note == "B2 车库有人打架")
        assert f.priority == "emergency" and f.extra.get("emergency") is True


SCREENS = [("login", None), ("today", "#/today"), ("scan", "#/scan"), ("walk", "#/walk/LHY-LAMP-02/road_lamps"),
           ("report", "#/report"), ("outbox", "#/outbox"), ("sos", "#/sos")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_screen_in_light_and_dark(browser, server, scheme):
    """Night use: the phone's dark setting is followed; each screen photographed for a person to look at."""
    shots = Path("/tmp/shots/phone")
    shots.mkdir(parents=True, exist_ok=True)
    backgrounds = set()
    for user, screens in (("guard1", SCREENS), ("tech1", [("orders", "#/orders"), ("order", None)])):
        ph = Phone(browser, server.url, f"theme-{scheme}", color_scheme=scheme)
        try:
            page = ph.page
            if screens[0][0] != "login":
                ph.login(user, PASSWORD)
            for name, hash_ in screens:
                if name == "login":
                    page.goto(server.url + "/m/")
                    ph.screen("login")
                elif name == "order":
                    page.goto(server.url + "/m/#/orders")
                    ph.screen("orders")
                    if page.locator("a.order").count():
                        page.locator("a.order").first.tap()
                        ph.screen("order")
                else:
                    if page.locator("#view[data-screen='login']").count():
                        ph.login(user, PASSWORD)
                    page.goto(server.url + "/m/" + hash_)
                    ph.screen(name)
                if name == "walk":
                    ph.tap('[data-item="lamp_lit"]')
                time.sleep(0.3)
                page.screenshot(path=str(shots / f"{name}-{scheme}.png"))
                backgrounds.add(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        finally:
            ph.close()
    dark = {"rgb(15, 20, 18)"}
    assert (backgrounds == dark) if scheme == "dark" else not (backgrounds & dark)


def test_a_label_opened_inside_wechat_says_to_open_it_in_the_browser(browser, server):
    """WeChat's webview keeps its own storage: the page says so and offers the way out."""
    ua = ("Mozilla/5.0 (Linux; Android 13; V2049A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 Mobile "
          "Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64")
    ph = Phone(browser, server.url, "trust-wechat", user_agent=ua)
    try:
        ph.page.goto(f"{server.url}/m/#/scan/LHY-LAMP-01")
        ph.screen("login")
        notice = ph.page.locator("#wechat-notice")
        assert "在浏览器打开" in notice.inner_text() and ph.page.locator("#copy-link").is_visible()
        ph.page.screenshot(path="/tmp/shots/phone/wechat-notice-light.png")
    finally:
        ph.close()
    plain = Phone(browser, server.url, "trust-no-wechat")
    try:
        plain.page.goto(f"{server.url}/m/")
        plain.screen("login")
        assert plain.page.locator("#wechat-notice").count() == 0
    finally:
        plain.close()


def test_the_technician_sees_the_job_and_a_double_tap_accepts_once(browser, server, tmp_path):
    """The order screen shows the place, the note and the deadline counting down; 接单 tapped twice
    queues one accept, and no refusal follows."""
    import uuid

    def api(username):
        r = requests.post(server.url + "/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=10)
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return s, r.json()["user"]

    sup, _ = api("super1")
    guard, _ = api("guard1")
    _, tech = api("tech1")
    lhy = next(s for s in sup.get(server.url + "/api/v1/sites", timeout=10).json() if s["code"] == "LHY")
    zone = next(z for z in lhy["zones"] if z["code"] == "A")
    # the guard's report with its photo is what the technician goes to fix
    photo, sha = jpeg(tmp_path / "before.jpg", "flickering lamp", color=(200, 180, 40))
    with open(photo, "rb") as fh:
        assert guard.post(server.url + "/api/v1/photos", files={"file": ("before.jpg", fh, "image/jpeg")}, timeout=10).ok
    f = guard.post(server.url + "/api/v1/findings", timeout=10, json={
        "client_id": str(uuid.uuid4()), "checkpoint_code": "LHY-T1-LOBBY", "note": "电梯厅两盏灯一直闪",
        "trade": "engineering", "photo_ids": [sha]})
    assert f.status_code == 201, f.text
    r = sup.post(server.url + "/api/v1/work-orders", timeout=10, json={
        "finding_ids": [f.json()["id"]], "trade": "engineering", "priority": "normal",
        "title": "3 号楼电梯厅灯闪", "description": "电梯厅两盏灯一直闪", "assignee_id": tech["id"],
        "client_id": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    order_id = r.json()["id"]
    ph = Phone(browser, server.url, "trust-order")
    try:
        page = ph.page
        ph.login("tech1", PASSWORD)
        page.goto(f"{server.url}/m/#/orders/{order_id}")
        ph.screen("order")
        place = page.locator("#order-place").inner_text()
        assert zone["name"] in place and "LHY-T1-LOBBY" in place
        # the guard's before-photo, fetched with the technician's login
        page.wait_for_function("document.querySelector('#before-photos img') && "
                               "document.querySelector('#before-photos img').naturalWidth > 0")
        ph.shot("order-with-before-photo")
        assert "电梯厅两盏灯一直闪" in page.locator(".order-note").first.inner_text()
        assert "剩" in page.locator("#resolve-by").inner_text()
        assert page.locator("#do-start").count() == 0  # only 接单 from 已派单, as the API allows
        # a double tap: two clicks on the button before anything is re-drawn
        page.evaluate("() => { const b = document.querySelector('#do-accept'); b.click(); b.click(); }")
        ph.screen("order")
        page.wait_for_selector("#do-start")
        _until(page, lambda: ph.outbox() == [], timeout=20)  # sent, and nothing refused left behind
        events = sup.get(f"{server.url}/api/v1/work-orders/{order_id}", timeout=10).json()["events"]
        assert [e["action"] for e in events].count("accept") == 1
    finally:
        ph.close()


def test_an_upload_shows_its_progress_in_the_apps_own_words(phone, server, tmp_path):
    page = phone.page
    phone.login("guard1", PASSWORD)
    phone.context.set_offline(True)
    page.goto(f"{server.url}/m/#/walk/LHY-LAMP-10/road_lamps")
    phone.screen("walk")
    phone.tap("#all-pass")
    phone.tap('[data-item="lamp_lit"]')
    photo, _ = jpeg(tmp_path / "big.jpg", "lamp", size=(2400, 1800))
    phone.photo('input[name="photo-lamp_lit"]', photo)
    page.wait_for_selector("#item-lamp_lit .thumb img")
    phone.tap("#submit")
    phone.screen("today")
    page.goto(f"{server.url}/m/#/outbox")
    phone.screen("outbox")
    assert "等待网络" in page.locator(".entry").inner_text()
    held = []
    # every way a photo's bytes go up (POST /photos, PUT /photos/{sha256}, the resumable upload)
    page.route(re.compile(r".*/api/v1/photos(/.*)?$"),
               lambda route: held.append(route) if route.request.method != "GET" else route.continue_())
    phone.context.set_offline(False)
    _until(page, lambda: held, timeout=20)
    bar = page.locator(".entry progress.upload")
    bar.wait_for(state="visible")
    assert "发送中" in page.locator(".entry .state-line").inner_text()
    assert "已重试" not in page.locator(".entry").inner_text()
    phone.shot("outbox-uploading")
    for route in held:
        route.continue_()
    page.unroute(re.compile(r".*/api/v1/photos(/.*)?$"))
    page.wait_for_function("!document.querySelector('.entry')", timeout=30000)


def _miss_every_task_of_one_checkpoint(server, due):
    """As the scheduler would after their windows: every task today of one checkpoint and checklist
    closed a minute ago and marked missed (due times a few minutes back, in their order)."""
    from datetime import timedelta, timezone

    from api.models import Checkpoint, Task

    first = due[0]
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    with server_db(server.env["DATABASE_URL"]):
        cp = Checkpoint.get(Checkpoint.code == first["checkpoint"]["code"])
        tasks = list(Task.select().where((Task.checkpoint == cp) & (Task.checklist_key == first["checklist_key"])
                                         & (Task.date == first["date"])).order_by(Task.due_at))
        for i, task in enumerate(tasks):
            Task.update(status="missed", due_at=now - timedelta(minutes=10 + len(tasks) - i),
                        window_end=now - timedelta(minutes=1)).where(Task.id == task.id).execute()
    return first


def test_a_round_walked_after_its_window_says_it_did_not_count(phone, server):
    """漏巡 then 迟巡: walking a missed task's checkpoint late is kept, and Today says it did not count."""
    page = phone.page
    phone.login("guard1", PASSWORD)
    token = page.evaluate("localStorage.getItem('patrol.token')")
    date = page.evaluate("() => new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Shanghai'}).format(new Date())")
    items = requests.get(f"{server.url}/api/v1/tasks?date={date}",
                         headers={"Authorization": f"Bearer {token}"}).json()["items"]
    mine = [t for t in items if not t["assignee"] or t["assignee"]["name"] == "张伟"]
    # a checkpoint whose every task today was missed: a walk there now can only be late for one of them
    # (a later task of the same checkpoint, due or still to come, would take the walk instead)
    taken = {(t["checkpoint"]["code"], t["checklist_key"]) for t in mine if t["status"] != "missed"}
    missed = next((t for t in mine if t["status"] == "missed"
                   and (t["checkpoint"]["code"], t["checklist_key"]) not in taken), None)
    if missed is None:  # just after midnight no window of today has closed yet: close one checkpoint's
        missed = _miss_every_task_of_one_checkpoint(server, [t for t in mine if t["status"] == "due"])
        page.reload()  # the app syncs on start: Today shows what the server now says
        page.wait_for_selector("a.task", state="attached")
    code, key = missed["checkpoint"]["code"], missed["checklist_key"]
    _walk_all_pass(phone, code, key)
    _wait_sent(page)
    late = page.locator(f'a.task.missed[href="#/walk/{code}/{key}"] .pill.late')
    # in the DOM is enough: Today may re-render its groups folded while the sync after sending lands
    late.first.wait_for(state="attached")
    page.evaluate("document.querySelectorAll('details.group').forEach(d => { d.open = true; })")
    assert late.first.text_content() == "迟巡，不计入"
    phone.shot("today-late-not-counted")
