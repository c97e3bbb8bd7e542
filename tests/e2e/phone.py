"""Helpers for the phone app's browser tests: a phone-sized Chromium, screenshots, tap counting,
and reading the live server's database directly."""
import hashlib
import io
import json
import os
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageDraw

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "phone"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2,
             locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


class Phone:
    """One phone: a browser context and page, with taps counted and screens photographed."""

    def __init__(self, browser, base_url, name, **context_options):
        # context_options: e.g. geolocation and permissions=["geolocation"] for a phone that allows it
        # the tests' own waits (wait_for_function) are evaluated inside the page, which the app's
        # Content-Security-Policy forbids; the app itself is checked under the policy in test_csp_browser.py
        context_options.setdefault("bypass_csp", True)
        self.context = browser.new_context(**PHONE, **context_options)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.name = name
        self.shots = 0
        self.taps = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.logs = []
        self.page.on("dialog", lambda d: (self.logs.append(f"dialog: {d.message}"), d.accept()))
        self.page.on("console", lambda m: self.logs.append(f"console.{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.logs.append(f"pageerror: {e}"))

    def tap(self, selector):
        self.taps += 1
        self.page.locator(selector).first.tap()

    def photo(self, selector, path):
        """Taking a photo: one tap on the photo button (the camera app's shutter is not ours)."""
        self.taps += 1
        self.page.locator(selector).first.set_input_files(str(path))

    def shot(self, label):
        self.shots += 1
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{self.shots:02d}-{label}.png"), full_page=False)

    def screen(self, name, timeout=15000):
        self.page.wait_for_selector(f'#view[data-screen="{name}"]', timeout=timeout)

    def login(self, username, password):
        self.page.goto(self.base_url + "/m/")
        self.screen("login")
        self.page.fill('input[name="username"]', username)
        self.page.fill('input[name="password"]', password)
        self.shot("login")
        self.page.locator('button[type="submit"]').tap()
        self.screen("today", timeout=30000)
        # the service worker controls the page before the test takes the network away
        self.page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null",
                                    timeout=15000)

    def outbox(self):
        """The outbox entries as the app stored them in IndexedDB (photos reported by size)."""
        return self.page.evaluate("""() => new Promise((resolve, reject) => {
            const r = indexedDB.open('patrol');
            r.onsuccess = () => {
              const tx = r.result.transaction('outbox', 'readonly');
              const q = tx.objectStore('outbox').getAll();
              q.onsuccess = () => {
                r.result.close();  // an open connection would block the app's logout (deleteDatabase)
                resolve(q.result.map((e) => Object.assign({}, e, {
                  photos: (e.photos || []).map((p) => ({id: p.id, size: p.blob.size, isBlob: p.blob instanceof Blob}))})));
              };
              q.onerror = () => reject(q.error);
            };
            r.onerror = () => reject(r.error);
        })""")

    def drafts(self):
        """The walk drafts the app stored in IndexedDB, each with its stored photos' sizes."""
        return self.page.evaluate("""() => new Promise((resolve, reject) => {
            const r = indexedDB.open('patrol');
            r.onsuccess = () => {
              const db = r.result;
              if (!db.objectStoreNames.contains('drafts')) { db.close(); resolve([]); return; }
              const tx = db.transaction(['drafts', 'draft_photos'], 'readonly');
              const d = tx.objectStore('drafts').getAll();
              const k = tx.objectStore('draft_photos').getAllKeys();
              const b = tx.objectStore('draft_photos').getAll();
              tx.oncomplete = () => {
                db.close();
                resolve(d.result.map((x) => Object.assign({}, x, {
                  stored_photos: k.result.map((key, i) => ({draft: key[0], id: key[1], size: b.result[i].size}))
                    .filter((p) => p.draft === x.id)})));
              };
              tx.onerror = () => reject(tx.error);
            };
            r.onerror = () => reject(r.error);
        })""")

    def close(self):
        # shown by pytest when the test failed: what the app said in its console
        print("\n".join(self.logs))
        try:
            self.shot("last")  # where the test ended, pass or fail
        except Exception:  # noqa: BLE001 - a closed page has nothing to show
            pass
        self.context.close()


def jpeg(path, text, color=(200, 60, 40), size=(640, 480)):
    """A real JPEG with some drawing in it; returns (path, sha256 of its bytes)."""
    im = Image.new("RGB", size, color)
    d = ImageDraw.Draw(im)
    for i in range(0, size[0], 40):
        d.line([(i, 0), (size[0] - i, size[1])], fill=(255, 255, 255), width=3)
    d.text((20, 20), text, fill=(0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    data = buf.getvalue()
    Path(path).write_bytes(data)
    return Path(path), hashlib.sha256(data).hexdigest()


@contextmanager
def server_db(url):
    """The live server's database, opened from the test process."""
    from api.db import db, init_db

    init_db(url)
    db.connect(reuse_if_open=True)
    try:
        yield db
    finally:
        db.close()
        if hasattr(db.obj, "close_all"):
            db.obj.close_all()


TWENTY = {
    "key": "plant_room_test",
    "name": "设备房巡查（测试）",
    "name_en": "Plant room round (test)",
    "trade": "engineering",
    "applies_to": ["plant_room"],
    "items": [
        {"key": f"item_{n:02d}", "text": f"第 {n} 项：设备运行正常、无异响", "text_en": f"Item {n}: running normally, no noise",
         "trade": "engineering", "photo_required_on_fail": n in (3, 14), "priority": "normal", "points": 1,
         "resolve_hours": None}
        for n in range(1, 21)
    ],
}
TWENTY_CODE = "LHY-PLANT-20"


def add_twenty_item_checklist(url):
    """No shipped checklist has 20 items: store one, through the checklists' own sync, and a
    checkpoint it applies to, in the test server's database."""
    from api.db import write_tx
    from api.domain.checklist_versions import sync_checklists
    from api.models import Checkpoint, Site, Zone

    with server_db(url):
        with write_tx():
            sync_checklists({TWENTY["key"]: json.loads(json.dumps(TWENTY))})
            site = Site.get(Site.code == "LHY")
            zone = Zone.get((Zone.site == site) & (Zone.code == "A"))
            Checkpoint.get_or_create(code=TWENTY_CODE, defaults=dict(
                site=site, zone=zone, name="1 号楼设备房", name_en="Tower 1 plant room", kind="plant_room",
                checklist_keys=[TWENTY["key"]], sort_order=999))


def env_database_url(server):
    return server.env["DATABASE_URL"]


def chromium_available():
    return os.path.exists(CHROMIUM)
