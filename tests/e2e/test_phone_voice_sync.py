"""Issue #16, what was left: a voice note with 一键报警 and with a failed item (Chromium's fake
microphone), queued offline and sent resumably; the service worker's Background Sync sending
with no window open; the disabled 提交 button readable in dark and light.

Real server (gunicorn), real Chromium at 390x844 with touch, in Chinese."""
import time

import pytest

from tests.e2e.phone import ARGS, CHROMIUM, Phone, chromium_available, server_db
from tests.live import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(), reason="needs Debian chromium")]

# the microphone: Chromium's fake device (a beeping tone), allowed without a prompt
MIC_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS + MIC_ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser, server, request):
    ph = Phone(browser, server.url, "voice-" + request.node.name.replace("test_", ""), permissions=["microphone"])
    yield ph
    ph.close()


def _until(page, check, timeout=30):
    deadline = time.time() + timeout
    while not check():
        assert time.time() < deadline, "timed out"
        page.wait_for_timeout(300)


def _record(phone, name, seconds=2.0):
    """Tap record, speak for ``seconds``, tap stop; the player shows the recording."""
    page = phone.page
    phone.tap(f'button[name="{name}"]')
    page.wait_for_selector(f'button[name="{name}"][aria-pressed="true"]')
    page.wait_for_timeout(int(seconds * 1000))
    phone.tap(f'button[name="{name}"]')
    page.wait_for_selector(".voice-player audio", timeout=10000)


def _wait_sent(page, timeout=30000):
    page.wait_for_function("document.querySelector('#outbox-count') && "
                           "document.querySelector('#outbox-count').textContent.includes('没有待发送')", timeout=timeout)


def _voice_blobs(page):
    """{id: (type, bytes as a list)} of the voice notes in the outbox."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const r = indexedDB.open('patrol');
        r.onsuccess = () => {
          const q = r.result.transaction('outbox').objectStore('outbox').getAll();
          q.onsuccess = async () => {
            r.result.close();
            const out = {};
            for (const e of q.result) for (const v of e.voices || []) {
              out[v.id] = [v.blob.type, Array.from(new Uint8Array(await v.blob.arrayBuffer()))];
            }
            resolve(out);
          };
          q.onerror = () => reject(q.error);
        };
    })""")


def test_an_emergency_with_a_voice_note_queued_offline_reaches_the_supervisor(phone, server):
    import hashlib

    import requests

    from api.models import Finding, VoiceNote

    page = phone.page
    phone.login("guard1", PASSWORD)
    phone.context.set_offline(True)
    phone.tap("#sos")
    phone.screen("sos")
    page.fill('textarea[name="sos-note"]', "东门有人闯入（附录音）")
    _record(phone, "sos-voice", 2.5)
    assert "已录音" in page.inner_text(".voice-status")
    phone.shot("sos-recorded")
    phone.tap("#sos-send")
    phone.screen("today")
    queued = _voice_blobs(page)
    assert len(queued) == 1
    (note_id, (mime, data)), = queued.items()
    data = bytes(data)
    assert mime in ("audio/webm", "audio/ogg", "audio/mp4") and hashlib.sha256(data).hexdigest() == note_id
    phone.context.set_offline(False)
    _wait_sent(page)
    with server_db(server.env["DATABASE_URL"]):
        finding = Finding.get(Finding.note == "东门有人闯入（附录音）")
        assert finding.priority == "emergency" and finding.extra["voice_note_id"] == note_id
        note = VoiceNote.get_by_id(note_id)
        assert note.content_type == mime and 1500 <= note.duration_ms <= 4000
    # the supervisor hears exactly what the phone recorded
    token = requests.post(server.url + "/api/v1/auth/login", json={"username": "super1", "password": PASSWORD},
                          timeout=10).json()["token"]
    heard = requests.get(f"{server.url}/api/v1/voice-notes/{note_id}", headers={"Authorization": f"Bearer {token}"},
                         timeout=10)
    assert heard.status_code == 200 and heard.content == data


def test_a_failed_items_voice_note_goes_with_the_round_and_survives_the_draft(phone, server):
    from api.models import Finding, VoiceNote

    page = phone.page
    phone.login("guard1", PASSWORD)
    phone.context.set_offline(True)
    page.goto(f"{server.url}/m/#/walk/LHY-LAMP-06/road_lamps")
    phone.screen("walk")
    phone.tap('[data-item="no_cobwebs"]')  # fail an item that needs no photo
    _record(phone, "voice-no_cobwebs", 1.5)
    # the screen is left and opened again: the recording is in the draft
    page.goto(f"{server.url}/m/#/today")
    phone.screen("today")
    page.goto(f"{server.url}/m/#/walk/LHY-LAMP-06/road_lamps")
    phone.screen("walk")
    page.wait_for_selector("#item-no_cobwebs .voice-player audio", timeout=10000)
    phone.shot("walk-voice-restored")
    phone.tap("#all-pass")
    phone.tap("#submit")
    phone.screen("today")
    (note_id,) = _voice_blobs(page)
    phone.context.set_offline(False)
    _wait_sent(page)
    with server_db(server.env["DATABASE_URL"]):
        f = Finding.select().where((Finding.item_key == "no_cobwebs")).order_by(Finding.id.desc()).first()
        assert f.extra["voice_note_id"] == note_id and VoiceNote.get_or_none(VoiceNote.id == note_id) is not None


def test_background_sync_sends_the_queue_with_no_window_open(browser, server):
    """The guard queues a round offline and closes the app; the network returns; Chromium fires the
    service worker's ``sync`` event (dispatched here through the DevTools protocol, as the browser
    does when the connection comes back) and the worker itself sends the round, once."""
    from api.models import Checkpoint, Inspection, User

    ph = Phone(browser, server.url, "bg-sync")
    page = ph.page
    try:
        ph.login("guard1", PASSWORD)
        ph.context.set_offline(True)
        page.goto(f"{server.url}/m/#/walk/LHY-LAMP-07/road_lamps")
        ph.screen("walk")
        ph.tap("#all-pass")
        ph.tap("#submit")
        ph.screen("today")
        (entry,) = ph.outbox()
        # the app asked for a Background Sync when it queued the round
        tags = page.evaluate("navigator.serviceWorker.ready.then((r) => r.sync.getTags())")
        assert "patrol-outbox" in tags
        with server_db(server.env["DATABASE_URL"]):
            before = Inspection.select().where(Inspection.id == entry["body"]["id"]).count()
        assert before == 0
        page.close()  # no window of the app is left
        ph.context.set_offline(False)
        blank = ph.context.new_page()  # another origin's tab: the DevTools session needs a target
        cdp = ph.context.new_cdp_session(blank)
        regs = []
        cdp.on("ServiceWorker.workerRegistrationUpdated", lambda ev: regs.extend(ev["registrations"]))
        cdp.send("ServiceWorker.enable")
        deadline = time.time() + 10
        while not regs and time.time() < deadline:
            blank.wait_for_timeout(200)
        (reg,) = [r for r in regs if r["scopeURL"].startswith(server.url + "/m/") and not r["isDeleted"]]
        cdp.send("ServiceWorker.dispatchSyncEvent", {"origin": server.url, "registrationId": reg["registrationId"],
                                                     "tag": "patrol-outbox", "lastChance": False})

        def arrived():
            with server_db(server.env["DATABASE_URL"]):
                return Inspection.select().where(Inspection.id == entry["body"]["id"]).count() == 1

        _until(blank, arrived)
        with server_db(server.env["DATABASE_URL"]):
            i = Inspection.select(Inspection, User).join(User).where(Inspection.id == entry["body"]["id"]).get()
            assert i.inspector.username == "guard1"
            assert i.checkpoint_id == Checkpoint.get(Checkpoint.code == "LHY-LAMP-07").id
        # the worker took it out of the outbox: opening the app sends nothing twice
        ph.page = ph.context.new_page()
        ph.page.goto(server.url + "/m/#/today")
        ph.screen("today")
        _until(ph.page, lambda: ph.outbox() == [])
        ph.page.evaluate("import('./outbox.js').then((o) => o.sendNow())")
        ph.page.wait_for_timeout(1000)
        with server_db(server.env["DATABASE_URL"]):
            assert Inspection.select().where(Inspection.id == entry["body"]["id"]).count() == 1
    finally:
        ph.close()


def _contrast(fg, bg):
    def lum(rgb):
        def ch(c):
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (ch(x) for x in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rgb(css):
    import re
    return tuple(int(x) for x in re.findall(r"\d+", css)[:3])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_disabled_submit_button_is_readable_at_wcag_aa(browser, server, scheme):
    ph = Phone(browser, server.url, f"disabled-{scheme}", color_scheme=scheme)
    try:
        page = ph.page
        ph.login("guard1", PASSWORD)
        page.goto(f"{server.url}/m/#/walk/LHY-LAMP-03/road_lamps")
        ph.screen("walk")
        look = """() => { const s = getComputedStyle(document.querySelector('#submit'));
            return {fg: s.color, bg: s.backgroundColor, opacity: s.opacity, text: document.querySelector('#submit').textContent}; }"""
        # 提交 before the items are checked (it says which are left when tapped), then while it sends
        for state in ("incomplete", "disabled"):
            if state == "disabled":
                page.evaluate("document.querySelector('#submit').disabled = true")
            looks = page.evaluate(look)
            ph.shot(f"submit-{state}")
            assert looks["opacity"] == "1", looks
            ratio = _contrast(_rgb(looks["fg"]), _rgb(looks["bg"]))
            assert ratio >= 4.5, (state, looks, ratio)
            assert looks["text"].startswith("提交")
    finally:
        ph.close()


# every screen, dark and light: what a person looks at in the screenshots, also checked by rule
AUDIT_SCREENS = [("login", None), ("today", "#/today"), ("scan", "#/scan"), ("walk", "#/walk/LHY-LAMP-02/road_lamps"),
                 ("report", "#/report"), ("outbox", "#/outbox"), ("sos", "#/sos")]
# Latin letters a guard may see on a Chinese screen: checkpoint codes, the version, the EN switch
ALLOWED_LATIN = r"\b(?:[A-Z]{2,}(?:-[A-Z0-9]+)+|v\d+|EN|KB|MB)\b"

AUDIT_JS = """() => {
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const small = [];
  for (const el of document.querySelectorAll('button, a, input:not([type=file]), select, textarea, label.photo-button, audio')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.height < 47.5 || r.width < 47.5) small.push(`${el.tagName.toLowerCase()}#${el.id || el.name || el.className} ${Math.round(r.width)}x${Math.round(r.height)} "${el.textContent.trim().slice(0, 20)}"`);
  }
  const cut = [];
  for (const el of document.querySelectorAll('button, h1, h2, .pill, .tab, label')) {
    if (visible(el) && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible') cut.push(el.textContent.trim().slice(0, 30));
  }
  // text against what is really behind it (transparent layers blended down to the page)
  const rgba = (c) => { const m = c.match(/[0-9.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const behind = (el) => { const layers = []; for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] > 0) layers.push(c); if (c[3] >= 1) break; }
    let out = [255, 255, 255]; for (const [r, g, b, a] of layers.reverse()) out = [r * a + out[0] * (1 - a), g * a + out[1] * (1 - a), b * a + out[2] * (1 - a)];
    return out; };
  const faint = [];
  for (const el of document.querySelectorAll('button, .pill, .toast.show, .tab, .badge, .error, .muted')) {
    if (!visible(el) || !el.textContent.trim()) continue;
    const s = getComputedStyle(el);
    const fg = rgba(s.color); const bg = behind(el);
    const fgb = [fg[0] * fg[3] + bg[0] * (1 - fg[3]), fg[1] * fg[3] + bg[1] * (1 - fg[3]), fg[2] * fg[3] + bg[2] * (1 - fg[3])];
    const [hi, lo] = [lum(fgb), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.66 && Number(s.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) faint.push(`"${el.textContent.trim().slice(0, 16)}" ${ratio.toFixed(2)}:1`);
  }
  const wide = document.documentElement.scrollWidth > window.innerWidth + 1;
  const words = [...document.querySelectorAll('body *')].filter((el) => visible(el) && el.children.length === 0)
    .map((el) => el.textContent).concat([...document.querySelectorAll('input, textarea')].map((el) => el.placeholder || ''))
    .join(' \\n ');
  return { small, cut, wide, words, faint };
}"""


def _audit(ph, name, scheme, findings):
    import re

    page = ph.page
    page.wait_for_timeout(300)
    page.screenshot(path=str(ph_path(f"audit-{scheme}-{name}.png")))
    got = page.evaluate(AUDIT_JS)
    latin = re.findall(r"[A-Za-z][A-Za-z-]+", re.sub(ALLOWED_LATIN, " ", got["words"]))
    for kind, bad in (("small", got["small"]), ("cut", got["cut"]), ("latin", sorted(set(latin))),
                      ("below WCAG AA", got["faint"])):
        if bad:
            findings.append((name, kind, bad))
    if got["wide"]:
        findings.append((name, "wider than the phone", True))
    return got


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_screen_is_chinese_uncut_and_thumb_sized_in_light_and_dark(browser, server, scheme):
    findings = []
    seen = {}
    guard = Phone(browser, server.url, f"audit-{scheme}", color_scheme=scheme, permissions=["microphone"])
    try:
        page = guard.page
        page.goto(server.url + "/m/")
        guard.screen("login")
        seen["login"] = _audit(guard, "login", scheme, findings)
        guard.login("guard1", PASSWORD)
        for name, hash_ in AUDIT_SCREENS[1:]:
            if name != "today":  # where the login leads
                page.goto(server.url + "/m/" + hash_)
            guard.screen(name, timeout=30000)
            seen[name] = _audit(guard, name, scheme, findings)
        # a failed item with its photo button, note and a recorded voice note
        page.goto(server.url + "/m/#/walk/LHY-LAMP-02/road_lamps")
        guard.screen("walk")
        guard.tap('[data-item="no_cobwebs"]')
        _record(guard, "voice-no_cobwebs", 1.0)
        page.locator("#item-no_cobwebs").scroll_into_view_if_needed()
        seen["walk-failed"] = _audit(guard, "walk-failed", scheme, findings)
        # the outbox with an entry waiting for the network
        guard.context.set_offline(True)
        page.goto(f"{server.url}/m/#/walk/LHY-LAMP-05/road_lamps")
        guard.screen("walk")
        guard.tap("#all-pass")
        guard.tap("#submit")
        guard.screen("today", timeout=30000)
        page.goto(server.url + "/m/#/outbox")
        guard.screen("outbox", timeout=30000)
        seen["outbox-entry"] = _audit(guard, "outbox-entry", scheme, findings)
        guard.context.set_offline(False)
    finally:
        guard.close()
    tech = Phone(browser, server.url, f"audit-{scheme}-tech", color_scheme=scheme)
    try:
        tech.login("tech1", PASSWORD)
        tech.page.goto(server.url + "/m/#/orders")
        tech.screen("orders")
        seen["orders"] = _audit(tech, "orders", scheme, findings)
        tech.page.locator("a.order").first.tap()
        tech.screen("order")
        seen["order"] = _audit(tech, "order", scheme, findings)
    finally:
        tech.close()
    assert "录音" in seen["walk-failed"]["words"] and "张伟" in seen["today"]["words"]  # the check reads the screens
    assert not findings, findings


def ph_path(name):
    from tests.e2e.phone import ARTIFACTS

    return ARTIFACTS / name


def test_a_deactivated_guards_round_on_a_shared_phone_is_sent_by_his_supervisor_as_his(browser, server):
    """岗位机: guard1 queues a round offline and leaves the company (deactivated); his supervisor logs
    in on the same phone, sees the round and sends it; it is stored as guard1's, the audit names super1."""
    from api.models import AuditLog, Inspection, User

    ph = Phone(browser, server.url, "handover")
    page = ph.page
    try:
        ph.login("guard1", PASSWORD)
        ph.context.set_offline(True)
        page.goto(f"{server.url}/m/#/walk/LHY-LAMP-10/road_lamps")
        ph.screen("walk")
        ph.tap("#all-pass")
        ph.tap("#submit")
        ph.screen("today")
        (entry,) = ph.outbox()
        with server_db(server.env["DATABASE_URL"]):
            User.update(active=False).where(User.username == "guard1").execute()
        ph.context.set_offline(False)  # his login no longer works: the phone asks for one
        ph.screen("login", timeout=30000)
        ph.login("super1", PASSWORD)
        page.goto(f"{server.url}/m/#/outbox")
        ph.screen("outbox")
        card = page.locator('.entry[data-owner="guard1"]')
        assert "代 guard1 发送" in card.inner_text()
        ph.shot("outbox-supervisor-sees-guard1")
        card.locator('button[data-action="send-for"]').tap()
        _until(page, lambda: ph.outbox() == [])
        with server_db(server.env["DATABASE_URL"]):
            i = Inspection.get_by_id(entry["body"]["id"])
            assert i.inspector.username == "guard1"
            audit = AuditLog.get((AuditLog.action == "inspection.submit") & (AuditLog.object_id == i.id))
            assert audit.user.username == "guard1" and audit.after["sent_by"]["username"] == "super1"
            assert audit.after["sent_by"]["reason"] == "deactivated"
    finally:
        with server_db(server.env["DATABASE_URL"]):
            User.update(active=True).where(User.username == "guard1").execute()
        ph.close()
