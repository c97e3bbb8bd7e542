"""A walk left half done is not lost: the draft survives leaving the screen, a reload with no
network and a killed browser; it is resumed, discarded, or sent; logging out clears it.

Real server (gunicorn), real Chromium on a phone-sized screen with touch."""
import pytest

from tests.e2e.phone import TWENTY, TWENTY_CODE, Phone, chromium_available, jpeg, server_db
from tests.live import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not chromium_available(), reason="needs Debian chromium")]

# the lobby of tower 1 at 绿荷苑, as the phone's GPS reports it
WHERE = {"latitude": 31.2304, "longitude": 121.4737, "accuracy": 12}


@pytest.fixture
def phone(browser, server, request):
    ph = Phone(browser, server.url, request.node.name.replace("test_", ""),
               geolocation=WHERE, permissions=["geolocation"])
    yield ph
    ph.close()


def _inspections(server, code):
    from api.models import Checkpoint, Finding, Inspection, ItemResult, ItemResultPhoto

    with server_db(server.env["DATABASE_URL"]):
        out = []
        for ins in Inspection.select().join(Checkpoint).where(Checkpoint.code == code):
            photos = sorted(p.photo_id for p in ItemResultPhoto.select().join(ItemResult)
                            .where(ItemResult.inspection == ins))
            results = {r.item_key: (r.status, r.note) for r in ItemResult.select().where(ItemResult.inspection == ins)}
            out.append({"id": str(ins.id), "photos": photos, "results": results,
                        "findings": Finding.select().where(Finding.inspection == ins).count(),
                        "failed": ins.failed_count, "location": (ins.lat, ins.lon, ins.accuracy_m)})
        return out


def _wait_for_draft(page, draft_id, js_condition):
    """Until the stored draft satisfies `js_condition` (a JS expression over `d`)."""
    page.wait_for_function("""([id, cond]) => new Promise((resolve) => {
        const r = indexedDB.open('patrol');
        r.onsuccess = () => {
          const db = r.result;
          const q = db.transaction('drafts', 'readonly').objectStore('drafts').get(id);
          q.onsuccess = () => { db.close(); const d = q.result; resolve(!!d && new Function('d', `return ${cond}`)(d)); };
          q.onerror = () => { db.close(); resolve(false); };
        };
        r.onerror = () => resolve(false);
    })""", arg=[draft_id, js_condition], timeout=10000)


def test_a_half_done_walk_survives_an_offline_reload_and_is_sent_once_with_both_photos(phone, server, tmp_path):
    page = phone.page
    draft_id = f"guard1|{TWENTY_CODE}|{TWENTY['key']}"  # drafts are kept per person
    phone.login("guard1", PASSWORD)
    phone.context.set_offline(True)
    page.goto(f"{server.url}/m/#/scan/{TWENTY_CODE}")
    phone.screen("walk")
    assert page.locator("#draft-banner").count() == 0  # nothing begun here yet

    photo_a, sha_a = jpeg(tmp_path / "a.jpg", "item 03 pump leaking")
    photo_b, sha_b = jpeg(tmp_path / "b.jpg", "item 14 fan noise", color=(40, 60, 200))
    phone.tap("#all-pass")
    phone.tap('[data-item="item_03"]')
    page.locator('textarea[name="note-item_03"]').fill("3 号泵漏水")
    phone.photo('input[name="photo-item_03"]', photo_a)
    phone.tap('[data-item="item_14"]')
    page.locator('textarea[name="note-item_14"]').fill("14 号风机异响")
    phone.photo('input[name="photo-item_14"]', photo_b)
    page.wait_for_selector("#item-item_14 .thumb img")
    phone.shot("walk-two-failures-before-reload")

    # the guard's typing is in IndexedDB within a moment, photos and all
    _wait_for_draft(page, draft_id, "d.items.item_14 && d.items.item_14.note === '14 号风机异响'")
    [draft] = phone.drafts()
    assert draft["started_at"].endswith("+08:00")
    assert {k: v["status"] for k, v in draft["items"].items() if v["status"] == "fail"} == {
        "item_03": "fail", "item_14": "fail"}
    assert sorted(p["id"] for p in draft["stored_photos"]) == sorted([sha_a, sha_b])
    assert all(p["size"] > 1000 for p in draft["stored_photos"])

    # the tab is reloaded with no network: the walk comes back as it was
    page.reload()
    phone.screen("walk")
    page.wait_for_selector("#draft-banner")
    assert page.locator(".item.fail").count() == 2
    phone.shot("walk-after-offline-reload")
    # the guard goes elsewhere, then scans the label again: the same draft opens
    phone.tap('[data-tab="today"]')
    phone.screen("today")
    page.goto(f"{server.url}/m/#/scan/{TWENTY_CODE}")
    phone.screen("walk")
    banner = page.locator("#draft-banner")
    assert "继续未完成的检查" in banner.inner_text()
    assert page.locator("#progress").inner_text() == "已检 20/20"
    assert page.locator(".item.fail").count() == 2
    assert page.locator('textarea[name="note-item_03"]').input_value() == "3 号泵漏水"
    assert page.locator('textarea[name="note-item_14"]').input_value() == "14 号风机异响"
    for key in ("item_03", "item_14"):
        img = page.locator(f"#item-{key} .thumb img")
        assert img.count() == 1
        page.wait_for_function("(el) => el.complete && el.naturalWidth === 640", arg=img.element_handle())
    assert "提交（2 项不合格）" in page.locator("#submit").inner_text()
    phone.shot("walk-draft-restored")
    page.locator("#item-item_14").scroll_into_view_if_needed()
    phone.shot("walk-draft-restored-item-14")

    phone.tap("#submit")
    phone.screen("today")
    assert phone.drafts() == []  # moved into the outbox
    [entry] = phone.outbox()
    assert entry["body"]["started_at"] == draft["started_at"]  # the walk began before the reload
    assert entry["body"]["location"] == {"lat": WHERE["latitude"], "lon": WHERE["longitude"], "accuracy_m": 12}

    phone.context.set_offline(False)
    page.wait_for_function("document.querySelector('#outbox-count').textContent.includes('没有待发送')",
                           timeout=30000)
    phone.shot("today-sent")
    [stored] = _inspections(server, TWENTY_CODE)
    assert stored["id"] == entry["body"]["id"]
    assert stored["photos"] == sorted([sha_a, sha_b])
    assert stored["failed"] == 2 and stored["findings"] == 2
    assert stored["results"]["item_03"] == ("fail", "3 号泵漏水")
    assert stored["results"]["item_14"] == ("fail", "14 号风机异响")
    assert stored["location"] == (WHERE["latitude"], WHERE["longitude"], 12)

    # the same walk opened again starts afresh
    page.goto(f"{server.url}/m/#/scan/{TWENTY_CODE}")
    phone.screen("walk")
    assert page.locator("#draft-banner").count() == 0
    assert page.locator(".item.unset").count() == 20


def test_a_draft_kept_on_leaving_the_screen_can_be_discarded_and_logout_clears_drafts(phone, server, tmp_path):
    page = phone.page
    phone.login("guard1", PASSWORD)
    page.goto(f"{server.url}/m/#/walk/LHY-LAMP-02/road_lamps")
    phone.screen("walk")
    phone.tap('[data-item="lamp_lit"]')
    page.locator('textarea[name="note-lamp_lit"]').fill("灯罩破裂")
    photo, sha = jpeg(tmp_path / "lamp.jpg", "cracked lamp cover")
    phone.photo('input[name="photo-lamp_lit"]', photo)
    page.wait_for_selector("#item-lamp_lit .thumb img")
    phone.tap('[data-tab="today"]')  # leaving before the note's save timer ran: saved on the way out
    phone.screen("today")
    [draft] = phone.drafts()
    assert draft["items"]["lamp_lit"] == {"status": "fail", "note": "灯罩破裂",
                                          "photos": [{"id": sha, "name": "lamp.jpg"}]}

    page.goto(f"{server.url}/m/#/walk/LHY-LAMP-02/road_lamps")
    phone.screen("walk")
    page.wait_for_selector("#draft-banner")
    assert page.locator('textarea[name="note-lamp_lit"]').input_value() == "灯罩破裂"
    phone.shot("walk-resumed")
    phone.tap("#discard-draft")  # the confirm is accepted
    page.wait_for_selector("#draft-banner", state="detached")
    phone.screen("walk")
    assert page.locator(".item.fail").count() == 0 and page.locator(".item.unset").count() > 0
    assert phone.drafts() == []
    assert any("放弃后" in line for line in phone.logs)  # the guard was asked first
    phone.shot("walk-discarded")

    # a task begun from Today and left: its row says so; then logout, and nothing stays on the phone
    phone.tap('[data-tab="today"]')
    phone.screen("today")
    # which tasks are folded away depends on the hour: open every group first
    page.evaluate("document.querySelectorAll('details.group').forEach(d => { d.open = true; })")
    # a task due now if the hour has one, else any of the guard's own tasks (late at night all may be missed)
    due = page.locator("a.task.due")
    task = due.first if due.count() else page.locator('a.task[href^="#/walk/"]').first
    href = task.get_attribute("href")
    task.tap()
    phone.screen("walk")
    phone.tap("#all-pass")
    # drafts are kept per person (a shared post phone): "<username>|<code>|<checklist>"
    _wait_for_draft(page, "guard1|" + href.split("/", 2)[2].replace("/", "|"), "Object.keys(d.items).length > 0")
    phone.tap('[data-tab="today"]')
    phone.screen("today")
    page.evaluate("document.querySelectorAll('details.group').forEach(d => { d.open = true; })")
    marked = page.locator(f'a.task[href="{href}"] .pill.draft')
    assert marked.inner_text() == "未完成"
    assert page.locator(".task .pill.draft").count() == 1
    marked.scroll_into_view_if_needed()
    phone.shot("today-with-unfinished-task")
    phone.tap("#logout")
    phone.screen("login")
    assert any("未完成的检查" in line for line in phone.logs)  # the logout warned of the draft
    assert page.evaluate("indexedDB.databases().then((l) => l.map((d) => d.name))") == []
