"""The phone in the guard's hand: a whole round offline, lost answers, refusals kept.

Real server (gunicorn), real Chromium on a phone-sized screen with touch; the network is taken
away with context.set_offline(True)."""
import pytest

from tests.e2e.phone import TWENTY, TWENTY_CODE, Phone, chromium_available, jpeg, server_db
from tests.live import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(), reason="needs Debian chromium")]


@pytest.fixture
def phone(browser, server, request):
    ph = Phone(browser, server.url, request.node.name.replace("test_", ""))
    yield ph
    ph.close()


def _inspections(server, **where):
    from api.models import Checkpoint, Finding, Inspection, ItemResult, ItemResultPhoto

    with server_db(server.env["DATABASE_URL"]):
        q = Inspection.select().join(Checkpoint).where(Checkpoint.code == where["code"])
        out = []
        for ins in q:
            photos = (ItemResultPhoto.select().join(ItemResult).where(ItemResult.inspection == ins).count())
            findings = Finding.select().where(Finding.inspection == ins).count()
            out.append({"id": ins.id, "photos": photos, "findings": findings, "failed": ins.failed_count,
                        "items": ins.item_count, "started_at": ins.started_at, "finished_at": ins.finished_at})
        return out


def test_a_whole_round_offline_is_kept_across_a_reload_and_sent_once_online(phone, server, tmp_path):
    page = phone.page
    phone.login("guard1", PASSWORD)
    page.wait_for_selector(".counts")  # today's tasks were stored at login
    phone.shot("today-online")

    phone.context.set_offline(True)
    # the guard's camera opens the label's URL: a fresh page load, with no network
    page.goto(f"{server.url}/m/#/scan/{TWENTY_CODE}")
    phone.screen("walk")
    assert page.locator(".item").count() == 20
    phone.shot("walk-opened")

    photo_a, sha_a = jpeg(tmp_path / "a.jpg", "item 03 broken")
    photo_b, sha_b = jpeg(tmp_path / "b.jpg", "item 14 broken", color=(40, 60, 200))
    phone.taps = 0  # scan done: count taps from here to submit
    phone.tap("#all-pass")
    phone.tap('[data-item="item_03"]')
    page.locator('textarea[name="note-item_03"]').fill("3 号泵漏水")
    phone.photo('input[name="photo-item_03"]', photo_a)
    phone.tap('[data-item="item_14"]')
    page.locator('textarea[name="note-item_14"]').fill("14 号风机异响")
    phone.photo('input[name="photo-item_14"]', photo_b)
    page.wait_for_selector("#item-item_14 .thumb img")
    assert page.locator("#progress").inner_text() == "已检 20/20"
    phone.shot("walk-two-failures")
    phone.tap("#submit")
    assert phone.taps <= 12, f"{phone.taps} taps from scan to submit"

    phone.screen("today")
    assert page.locator("#outbox-count").inner_text().startswith("1 条待发送")
    phone.shot("today-offline-queued")

    page.reload()  # still offline: the app opens from the service worker's cache
    phone.screen("today")
    assert page.locator("#outbox-count").inner_text().startswith("1 条待发送")
    [entry] = phone.outbox()
    assert entry["kind"] == "inspection" and entry["state"] == "pending"
    assert sorted(p["id"] for p in entry["photos"]) == sorted([sha_a, sha_b])
    assert all(p["isBlob"] and p["size"] > 1000 for p in entry["photos"])
    body = entry["body"]
    assert body["checkpoint_code"] == TWENTY_CODE and body["checklist_key"] == TWENTY["key"]
    assert body["started_at"].endswith("+08:00") and body["finished_at"] >= body["started_at"]
    assert [r["status"] for r in body["results"]].count("fail") == 2
    assert _inspections(server, code=TWENTY_CODE) == []
    phone.shot("today-after-offline-reload")

    phone.context.set_offline(False)
    page.wait_for_function("document.querySelector('#outbox-count').textContent.includes('没有待发送')",
                           timeout=30000)
    phone.shot("today-sent")
    [stored] = _inspections(server, code=TWENTY_CODE)
    assert stored["id"] == body["id"]
    assert stored["photos"] == 2 and stored["findings"] == 2
    assert stored["items"] == 20 and stored["failed"] == 2
    assert phone.outbox() == []


def test_a_lost_answer_is_retried_and_stored_exactly_once(phone, server):
    page = phone.page
    phone.login("guard3", PASSWORD)
    seen = []

    def lose_first_answer(route):
        seen.append(route.request.post_data_json)
        if len(seen) == 1:
            route.fetch()  # the server stores it...
            route.abort("connectionreset")  # ...and the answer never reaches the phone
        else:
            route.continue_()

    before = {s["id"] for s in _inspections(server, code="LHY-B2-CP")}  # the demo's history
    page.route("**/api/v1/inspections", lose_first_answer)
    page.goto(f"{server.url}/m/#/scan/LHY-B2-CP")
    phone.screen("walk")
    phone.shot("walk")
    phone.tap("#all-pass")
    phone.tap("#submit")
    phone.screen("today")
    page.wait_for_function("document.querySelector('#outbox-count').textContent.includes('没有待发送')",
                           timeout=30000)
    phone.shot("today-sent-after-retry")
    assert len(seen) >= 2 and all(s["id"] == seen[0]["id"] for s in seen)
    new = [s["id"] for s in _inspections(server, code="LHY-B2-CP") if s["id"] not in before]
    assert new == [seen[0]["id"]]
    assert phone.outbox() == []


def test_a_refusal_shows_the_servers_message_and_keeps_the_entry(phone, server, tmp_path):
    page = phone.page
    phone.login("guard1", PASSWORD)
    phone.context.set_offline(True)
    page.goto(f"{server.url}/m/#/walk/LHY-LAMP-03/road_lamps")
    phone.screen("walk")
    phone.tap("#all-pass")
    phone.tap('[data-item="lamp_lit"]')
    page.locator('textarea[name="note-lamp_lit"]').fill("路灯不亮")
    photo, _sha = jpeg(tmp_path / "lamp.jpg", "lamp out")
    phone.photo('input[name="photo-lamp_lit"]', photo)
    page.wait_for_selector("#item-lamp_lit .thumb img")
    phone.tap("#submit")
    phone.screen("today")

    # someone tampers with the stored entry: the failed lamp loses its photo
    page.evaluate("""() => new Promise((resolve, reject) => {
        const r = indexedDB.open('patrol');
        r.onsuccess = () => {
          const store = r.result.transaction('outbox', 'readwrite').objectStore('outbox');
          const q = store.getAll();
          q.onsuccess = () => {
            const e = q.result[0];
            e.photos = [];
            e.body.results.forEach((res) => { res.photo_ids = []; });
            const p = store.put(e);
            p.onsuccess = () => { r.result.close(); resolve(); };
            p.onerror = () => reject(p.error);
          };
        };
    })""")
    [entry] = phone.outbox()
    ins_id = entry["body"]["id"]

    with page.expect_response(lambda r: r.url.endswith("/api/v1/inspections") and r.request.method == "POST",
                              timeout=30000) as answer:
        phone.context.set_offline(False)  # back online: the outbox drains by itself
    refusal = answer.value
    assert refusal.status == 422
    body = refusal.json()
    page.goto(f"{server.url}/m/#/outbox")
    phone.screen("outbox")
    page.wait_for_selector(".entry.refused")
    shown = page.locator(".entry.refused").inner_text()
    assert body["message"] in shown
    field_messages = []

    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v) if not isinstance(v, str) else field_messages.append(v)

    walk(body.get("errors", {}))
    assert field_messages and all(m in shown for m in field_messages)
    assert "路灯" in shown  # the refused line is named by its item, not by a JSON path
    phone.shot("outbox-refused")

    page.reload()
    phone.screen("outbox")
    [kept] = phone.outbox()
    assert kept["state"] == "refused" and kept["body"]["id"] == ins_id
    assert kept["error"]["status"] == 422
    assert all(s["id"] != ins_id for s in _inspections(server, code="LHY-LAMP-03"))
    page.goto(f"{server.url}/m/#/today")
    phone.screen("today")
    assert "1 条被退回" in page.locator("#outbox-count").inner_text()
    phone.shot("today-with-refusal")


def test_a_cleaner_reports_a_problem_on_no_checklist_in_english(phone, server, tmp_path):
    from api.models import Finding, FindingPhoto

    page = phone.page
    phone.login("cleaner1", PASSWORD)
    page.locator("button.lang").tap()  # the English switch
    page.wait_for_selector("text=Today's tasks")
    phone.shot("today-english")
    phone.tap('[data-tab="report"]')
    phone.screen("report")
    page.select_option('select[name="zone"]', label="North zone (towers 1–3)")  # one site: zones only
    page.locator('input[name="place"]').fill("east flower bed of tower 3")
    page.locator('textarea[name="note"]').fill("花坛边有碎玻璃 broken glass by the flower bed")
    page.select_option('select[name="trade"]', "cleaning")
    phone.tap('[data-priority="emergency"]')
    photo, sha = jpeg(tmp_path / "glass.jpg", "glass")
    phone.photo('input[name="photo"]', photo)
    page.wait_for_selector(".thumb img")
    phone.shot("report-filled")
    phone.tap("#submit-report")
    phone.screen("today")
    page.wait_for_function("document.querySelector('#outbox-count').textContent.includes('Nothing waiting')",
                           timeout=30000)
    phone.shot("today-report-sent")
    assert phone.outbox() == []
    with server_db(server.env["DATABASE_URL"]):
        f = Finding.select().where(Finding.note == "花坛边有碎玻璃 broken glass by the flower bed").get()
        assert f.source == "adhoc" and f.trade == "cleaning" and f.priority == "emergency"
        assert f.zone.code == "A"
        assert [fp.photo_id for fp in FindingPhoto.select().where(FindingPhoto.finding == f)] == [sha]
