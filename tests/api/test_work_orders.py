"""Work orders through the API: dispatch, deadlines, the lifecycle, revisits, rework and escalation."""
import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from api.models import (Finding, Photo, PhotoSite, User, WorkOrder, WorkOrderEvent, Zone, utcnow)
from tests.factories import gen_finding, gen_photo, make_order, move
from tests.helpers import assert_error_shape


def test_order_goes_to_the_zones_responsible_person_with_deadlines_from_policy(login, org):
    sup = login("super1")
    o = make_order(sup, org)
    assert o["status"] == "assigned" and o["assignee"]["username"] == "tech1"  # 片区责任制
    created = WorkOrder.get_by_id(o["id"]).created_at
    wo = WorkOrder.get_by_id(o["id"])
    assert wo.respond_by - created == timedelta(hours=24)
    assert 0 < o["respond_seconds_left"] <= 24 * 3600
    assert o["overdue"] is None


def test_emergency_order_must_be_answered_within_two_hours(login, org):
    o = make_order(login("super1"), org, priority="emergency")
    wo = WorkOrder.get_by_id(o["id"])
    assert wo.respond_by - wo.created_at == timedelta(hours=2)


def test_planned_order_needs_its_day(login, org):
    r = login("super1").post("/work-orders", json={
        "site_id": org["sites"]["LHY"].id, "trade": "engineering", "title": "水泵保养", "priority": "planned"})
    assert_error_shape(r, 422, field="scheduled_for")


def test_full_lifecycle_with_after_photo_and_revisit_resolves_the_finding(login, org):
    f = gen_finding(org)
    sup, tech = login("super1"), login("tech1")
    r = sup.post("/work-orders", json={"finding_ids": [f.id]})
    assert r.status_code == 201, r.get_json()
    o = r.get_json()
    assert o["title"].startswith("不合格：路灯不亮（") and o["source"] == "finding" and o["assignee"]["username"] == "tech1"
    assert Finding.get_by_id(f.id).status == "in_work"
    assert move(tech, o["id"], "accept").status_code == 200
    assert move(tech, o["id"], "start").status_code == 200
    photo = gen_photo(org)
    r = move(tech, o["id"], "finish", photo_ids=[photo], note="已更换灯泡")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "done" and body["revisit_due"] and body["photos"] == [{"id": photo, "kind": "after"}]
    r = move(sup, o["id"], "verify", satisfied=True, note="业主满意")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "verified"
    assert [e["action"] for e in body["events"]] == ["create", "accept", "start", "finish", "verify"]
    assert body["events"][1]["actor"]["username"] == "tech1"
    assert body["findings"][0]["status"] == "resolved"
    assert Finding.get_by_id(f.id).status == "resolved"


def test_finishing_without_an_after_photo_is_refused(login, org):
    o = make_order(login("super1"), org)
    tech = login("tech1")
    move(tech, o["id"], "accept")
    r = move(tech, o["id"], "finish")
    assert_error_shape(r, 422, field="photo_ids")
    assert WorkOrder.get_by_id(o["id"]).status == "accepted"


def test_finishing_with_another_sites_photo_is_refused(login, org):
    o = make_order(login("super1"), org)
    tech = login("tech1")
    move(tech, o["id"], "accept")
    other = gen_photo(org, site="HQT", uploader="tech2", seed="hqt")
    r = move(tech, o["id"], "finish", photo_ids=[other])
    assert_error_shape(r, 422)


def test_illegal_transition_is_a_409_with_a_clear_message(login, org):
    o = make_order(login("super1"), org)
    r = move(login("tech1"), o["id"], "finish", photo_ids=["x"])
    assert_error_shape(r, 409)
    assert "Cannot finish a work order that is assigned" in r.get_json()["message"]
    assert_error_shape(move(login("super1"), o["id"], "verify", satisfied=True), 409)


def test_technicians_cannot_move_other_peoples_orders(login, org):
    o = make_order(login("super1"), org)
    r = move(login("garden1"), o["id"], "accept")
    assert_error_shape(r, 404)  # another person's order is not theirs even to see
    assert WorkOrder.get_by_id(o["id"]).status == "assigned"


def test_technicians_cannot_assign_or_cancel(login, org):
    o = make_order(login("super1"), org)
    assert_error_shape(move(login("tech1"), o["id"], "cancel"), 403)
    assert_error_shape(login("tech1").post("/work-orders", json={"site_id": org["sites"]["LHY"].id, "trade": "engineering",
                                                      "title": "x"}), 403)


def test_other_sites_orders_are_404(login, org):
    o = make_order(login("super1"), org)
    other = login("super3")
    assert_error_shape(other.get(f"/work-orders/{o['id']}"), 404)
    assert_error_shape(move(other, o["id"], "cancel"), 404)
    assert all(i["site_id"] != org["sites"]["LHY"].id for i in other.get("/work-orders").get_json()["items"])
    r = other.post("/work-orders", json={"site_id": org["sites"]["LHY"].id, "trade": "engineering", "title": "x"})
    assert_error_shape(r, 422)


def test_unsatisfied_revisit_reopens_for_rework(login, org):
    sup, tech = login("super1"), login("tech1")
    o = make_order(sup, org)
    move(tech, o["id"], "accept")
    move(tech, o["id"], "finish", photo_ids=[gen_photo(org)])
    r = move(sup, o["id"], "verify", satisfied=False, note="仍然不亮")
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "assigned" and body["reopen_count"] == 1
    assert body["done_at"] is None and body["revisit_due"] is None
    # the rework goes round again
    move(tech, o["id"], "accept")
    assert move(tech, o["id"], "finish", photo_ids=[gen_photo(org, seed="again")]).get_json()["status"] == "done"


def test_cancel_puts_findings_back_to_open(login, org):
    f = gen_finding(org)
    sup = login("super1")
    o = sup.post("/work-orders", json={"finding_ids": [f.id]}).get_json()
    assert move(sup, o["id"], "cancel", note="重复").get_json()["status"] == "cancelled"
    assert Finding.get_by_id(f.id).status == "open"
    assert_error_shape(move(sup, o["id"], "accept"), 409)


def test_a_finding_on_an_open_order_cannot_get_a_second_one(login, org):
    f = gen_finding(org)
    sup = login("super1")
    assert sup.post("/work-orders", json={"finding_ids": [f.id]}).status_code == 201
    assert_error_shape(sup.post("/work-orders", json={"finding_ids": [f.id]}), 409)


def test_several_findings_one_order_or_one_per_finding(login, org):
    fs = [gen_finding(org, title=f"路灯 {n} 不亮") for n in range(3)]
    sup = login("super1")
    one = sup.post("/work-orders", json={"finding_ids": [f.id for f in fs[:2]]}).get_json()
    assert len(one["created_ids"]) == 1 and "等 2 项" in one["title"]
    drain = gen_finding(org, trade="cleaning", title="井盖堵塞", checklist_key="drain_covers", item_key="flowing")
    r = sup.post("/work-orders", json={"finding_ids": [fs[2].id, drain.id], "one_per_finding": True,
                                       "client_id": "bulk-0001-abcd"})
    assert r.status_code == 201
    ids = r.get_json()["created_ids"]
    assert len(ids) == 2
    assert {WorkOrder.get_by_id(i).trade for i in ids} == {"engineering", "cleaning"}
    again = sup.post("/work-orders", json={"finding_ids": [fs[2].id, drain.id], "one_per_finding": True,
                                           "client_id": "bulk-0001-abcd"})
    assert again.status_code == 200 and again.get_json()["created_ids"] == ids


def test_mixed_trades_in_one_order_need_a_trade(login, org):
    a = gen_finding(org)
    b = gen_finding(org, trade="cleaning", title="地面有积水")
    r = login("super1").post("/work-orders", json={"finding_ids": [a.id, b.id]})
    assert_error_shape(r, 422, field="trade")
    assert Finding.get_by_id(a.id).status == "open"


def test_retry_with_idempotency_key_makes_one_order(login, org):
    sup = login("super1")
    body = {"site_id": org["sites"]["LHY"].id, "trade": "engineering", "title": "电梯异响"}
    a = sup.post("/work-orders", json=body, headers={"Idempotency-Key": "k-1"})
    b = sup.post("/work-orders", json=body, headers={"Idempotency-Key": "k-1"})
    assert a.status_code == 201 and b.status_code == 201 and a.get_json()["id"] == b.get_json()["id"]
    assert WorkOrder.select().where(WorkOrder.title == "电梯异响").count() == 1


def test_unknown_fields_and_bad_values_are_field_errors(login, org):
    r = login("super1").post("/work-orders", json={"site_id": org["sites"]["LHY"].id, "trade": "plumbing",
                                                   "title": "x", "status": "verified"})
    assert_error_shape(r, 422)
    errors = r.get_json()["errors"]["json"]
    assert "trade" in errors and "status" in errors


def test_overdue_orders_escalate_to_supervisor_then_manager_once(login, org, time_machine):
    """Escalation counts from the missed limit, whoever looks and whenever: reading the list changes
    nothing; the step to the manager comes manager_after_hours (24 h) after the supervisor's."""
    t0 = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Shanghai
    time_machine.move_to(t0, tick=False)
    sup = login("super1")
    o = make_order(sup, org)
    missed = utcnow() - timedelta(hours=1)
    WorkOrder.update(respond_by=missed).where(WorkOrder.id == o["id"]).execute()
    listed = sup.get("/work-orders?overdue=true").get_json()["items"]
    assert [i["id"] for i in listed] == [o["id"]]
    assert listed[0]["escalation_level"] == 0 and listed[0]["overdue"] == "respond"  # a GET is read-only
    assert sup.post("/work-orders/escalate").get_json()["escalated"] == [{"id": o["id"], "level": 1}]
    assert sup.post("/work-orders/escalate").get_json()["escalated"] == []  # nothing twice
    time_machine.move_to(missed + timedelta(hours=24, seconds=-1), tick=False)
    assert sup.post("/work-orders/escalate").get_json()["escalated"] == []
    time_machine.move_to(missed + timedelta(hours=24), tick=False)
    assert sup.post("/work-orders/escalate").get_json()["escalated"] == [{"id": o["id"], "level": 2}]
    assert sup.post("/work-orders/escalate").get_json()["escalated"] == []
    levels = [e.data["level"] for e in WorkOrderEvent.select().where(
        (WorkOrderEvent.work_order == o["id"]) & (WorkOrderEvent.action == "escalate")).order_by(WorkOrderEvent.id)]
    assert levels == [1, 2]


def test_list_filters_and_cursor_pages(login, org):
    sup = login("super1")
    ids = [make_order(sup, org, title=f"单 {n}")["id"] for n in range(3)]
    make_order(sup, org, trade="cleaning", title="保洁单")
    page = sup.get("/work-orders?trade=engineering&limit=2").get_json()
    assert [i["id"] for i in page["items"]] == ids[:0:-1]
    rest = sup.get(f"/work-orders?trade=engineering&limit=2&cursor={page['next_cursor']}").get_json()
    assert [i["id"] for i in rest["items"]] == [ids[0]] and rest["next_cursor"] is None
    assert_error_shape(sup.get("/work-orders?status=nonsense"), 422)


def test_technicians_list_only_their_own_orders(login, org):
    sup = login("super1")
    mine = make_order(sup, org)
    make_order(sup, org, trade="cleaning", title="清洁")
    items = login("tech1").get("/work-orders").get_json()["items"]
    assert [i["id"] for i in items] == [mine["id"]]


def test_reassigning_to_someone_of_another_site_is_refused(login, org):
    sup = login("super1")
    o = make_order(sup, org)
    r = move(sup, o["id"], "assign", assignee_id=org["users"]["tech2"].id)
    assert_error_shape(r, 422)
    r = move(sup, o["id"], "assign", assignee_id=org["users"]["garden1"].id, note="改派")
    assert r.status_code == 200 and r.get_json()["assignee"]["username"] == "garden1"


def test_history_finds_orders_of_any_status_by_number_place_person_and_text(login, org):
    """Seed 002: 「做到事事有登記、有處理、有跟進、有關閉、有回訪」 — closed and cancelled orders stay findable."""
    sup = login("super1")
    a = make_order(sup, org, title="3 号楼水泵异响")
    b = make_order(sup, org, title="车库照明", trade="cleaning")
    move(sup, b["id"], "cancel", note="重复登记")
    site = org["sites"]["LHY"].id

    def ids(**q):
        return [o["id"] for o in sup.get("/work-orders", query_string=dict(q, site_id=site)).get_json()["items"]]

    assert ids(q="水泵") == [a["id"]]
    assert ids(q=f"#{b['id']}") == [b["id"]] and ids(status="cancelled", q="车库") == [b["id"]]
    assert a["id"] in ids(q=org["users"]["tech1"].name)  # by the assignee's real name
    assert a["id"] in ids(q=org["zones"][("LHY", "A")].name)  # by the zone


def test_history_exports_to_excel_in_words_and_prints_a_dispatch_note(login, org):
    from io import BytesIO

    from openpyxl import load_workbook

    sup = login("super1")
    o = make_order(sup, org, title="3 号楼水泵异响", priority="emergency")
    r = sup.get("/work-orders/export.xlsx", query_string={"site_id": org["sites"]["LHY"].id, "q": "水泵"})
    assert r.status_code == 200
    ws = load_workbook(BytesIO(r.data)).active
    header, row = [c.value for c in ws[1]], [c.value for c in ws[2]]
    assert header[:3] == ["工单号", "登记时间", "片区"] and row[0] == o["id"]
    assert "工程维修" in row and "已派单" in row and org["users"]["tech1"].name in row
    assert "engineering" not in row and "assigned" not in row
    page = sup.get(f"/work-orders/{o['id']}/print.html")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "派 工 单" in html and "3 号楼水泵异响" in html
    assert "接单人签字" in html and "http://" not in html and "https://" not in html
    assert_error_shape(login("tech1").get(f"/work-orders/{o['id']}/print.html"), 403)
