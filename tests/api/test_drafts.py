"""Form drafts: a console form's unsent input is kept per user, bounded, and gone once sent or stale."""
from datetime import timedelta

import time_machine

from api import clock
from api.domain import drafts
from api.models import FormDraft


def test_a_draft_comes_back_to_its_user_only(login):
    clerk, other = login("service1"), login("super1")
    values = {"sd_new_description": "3号楼电梯异响，业主很着急", "sd_new_urgent": True, "sd_new_kind": "repair"}
    r = clerk.put("/drafts/sd_new", json={"values": values})
    assert r.status_code == 200 and r.get_json()["values"] == values
    assert clerk.get("/drafts/sd_new").get_json()["values"] == values
    assert other.get("/drafts/sd_new").status_code == 404  # the supervisor has no draft of that form
    assert other.delete("/drafts/sd_new").status_code == 204
    assert clerk.get("/drafts/sd_new").status_code == 200  # another user cannot drop it


def test_the_last_save_wins_and_sending_the_form_drops_it(login):
    clerk = login("service1")
    clerk.put("/drafts/wo_new", json={"values": {"title": "路灯"}})
    clerk.put("/drafts/wo_new", json={"values": {"title": "路灯不亮"}})
    assert clerk.get("/drafts/wo_new").get_json()["values"] == {"title": "路灯不亮"}
    assert FormDraft.select().where(FormDraft.form == "wo_new").count() == 1
    assert clerk.delete("/drafts/wo_new").status_code == 204
    assert clerk.delete("/drafts/wo_new").status_code == 204  # safe to repeat
    r = clerk.get("/drafts/wo_new")
    assert r.status_code == 404 and r.get_json()["message"] == "No draft."


def test_an_oversized_draft_or_odd_form_name_is_refused_in_chinese(login):
    clerk = login("service1")
    zh = {"Accept-Language": "zh-CN"}
    r = clerk.put("/drafts/sd_new", json={"values": {"d": "长" * 6000}}, headers=zh)
    assert r.status_code == 422 and r.get_json()["errors"]["json"]["values"] == ["草稿最多保存 16 KB。"]
    r = clerk.put("/drafts/a%20b", json={"values": {}}, headers=zh)
    assert r.status_code == 422 and "只能使用字母" in r.get_json()["errors"]["json"]["form"][0]
    assert clerk.put("/drafts/sd_new", json={"values": "text"}).status_code == 422
    assert not FormDraft.select().exists()


def test_a_draft_lasts_a_week_then_is_gone(login, org):
    clerk = login("service1")
    clerk.put("/drafts/sd_new", json={"values": {"note": "周五下午没写完"}})
    with time_machine.travel(clock.now_aware() + timedelta(days=drafts.DRAFT_DAYS - 1)):
        assert clerk.get("/drafts/sd_new").status_code == 200
    with time_machine.travel(clock.now_aware() + timedelta(days=drafts.DRAFT_DAYS + 1)):
        assert clerk.get("/drafts/sd_new").status_code == 404
        drafts.save(org["users"]["super1"], "other", {"x": 1}, clock.now())  # any save sweeps stale ones
    assert not FormDraft.select().where(FormDraft.form == "sd_new").exists()


def test_a_user_keeps_at_most_fifty_drafts(login, org):
    user = org["users"]["service1"]
    start = clock.now()
    for i in range(drafts.MAX_PER_USER + 3):
        drafts.save(user, f"f{i}", {"i": i}, start + timedelta(seconds=i))
    kept = {d.form for d in FormDraft.select().where(FormDraft.user == user)}
    assert len(kept) == drafts.MAX_PER_USER and "f0" not in kept and f"f{drafts.MAX_PER_USER + 2}" in kept


def test_eight_saves_of_one_draft_at_once_leave_one_draft_and_no_error(app, login):
    """Two tabs (or a double refresh) saving the same form together: upsert, never a unique-key 500."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    token = login("service1").token
    barrier = threading.Barrier(8)

    def one(i):
        client = app.test_client()
        barrier.wait(timeout=30)
        return client.put("/api/v1/drafts/sd_new", json={"values": {"n": i}},
                          headers={"Authorization": f"Bearer {token}"}).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(one, range(8)))
    assert codes == [200] * 8
    kept = FormDraft.select().where(FormDraft.form == "sd_new")
    assert kept.count() == 1 and kept.get().values["n"] in range(8)
