"""Owners' names and phones never reach guards, cleaners or technicians, through any door: the
work order made from a request, its events after an unsatisfied revisit, a fault notice raised from
the request, an order opened by its id; supervisors refused ``?reveal`` read masked notes, and
every unmasked view is audited.

Seed 003 投诉处理: 回访由客服中心负责 — the owner is called back by the desk, never by the department."""

import pytest

from api.models import AuditLog, WorkOrder
from tests import factories
from tests.helpers import assert_error_shape

OWNER, PHONE = "张三丰", "13912345601"
WAYS = ["139.1234.5601", "139/1234/5601", "139 1234 5601", "１３９１２３４５６０１", "+86 139-1234-5601",
        "0086 13912345601", "（021）6123 4567"]


def leaks(text):
    digits = "".join(ch for ch in str(text) if ch.isdigit())
    return OWNER in str(text) or "5601" in digits or "4567" in digits or "张先生" in str(text)


def gen_photo(org, seed):
    return factories.gen_photo(org, seed=seed)


def register(desk, org, **over):
    body = {"site_id": org["sites"]["LHY"].id, "kind": "repair", "channel": "phone", "category": "water_leak",
            "owner_name": OWNER, "owner_phone": PHONE, "building": "3", "unit": "2", "room": "1201",
            "zone_id": org["zones"][("LHY", "A")].id,
            "description": f"{OWNER}（张先生）反映厨房漏水，电话 139.1234.5601，座机（021）6123 4567",
            "owner_ask": "请师傅下午来，打 139/1234/5601"}
    body.update(over)
    return factories.gen_service_request(desk, org, **body)["id"]


def transfer(desk, rid, note=""):
    r = desk.post(f"/requests/{rid}/transitions", json={"action": "transfer", "trade": "engineering", "note": note})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["work_order_id"]


def order_seen_by(api, oid):
    r = api.get(f"/work-orders/{oid}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.mark.parametrize("written", WAYS)
def test_an_order_made_from_a_request_carries_no_owner_data_in_any_field(login, org, written):
    desk = login("service1")
    rid = register(desk, org, description=f"业主{OWNER}来电 {written} 反映漏水", building=f"3 {written}")
    oid = transfer(desk, rid, note=f"请联系张先生 {written}")
    body = order_seen_by(login("tech1"), oid)
    for key in ("title", "description"):
        assert not leaks(body[key]), (key, body[key])
    assert not any(leaks(e["note"]) for e in body["events"])
    assert "漏水" in body["description"]


def test_an_unsatisfied_revisit_note_reaches_the_technician_scrubbed(login, org):
    """The finding: ``_reopen`` copied the desk's revisit note into the order's events unscrubbed."""
    desk, tech, sup = login("service1"), login("tech1"), login("super1")
    rid = register(desk, org)
    oid = transfer(desk, rid)
    assert tech.post(f"/work-orders/{oid}/transitions", json={"action": "accept"}).status_code == 200
    assert tech.post(f"/work-orders/{oid}/transitions",
                     json={"action": "finish", "photo_ids": [gen_photo(org, "after")]}).status_code == 200
    assert sup.post(f"/work-orders/{oid}/transitions", json={"action": "verify", "satisfied": True}).status_code == 200
    desk.post("/requests/escalate")  # the request follows its verified order to "done"
    r = desk.post(f"/requests/{rid}/revisit",
                  json={"satisfied": False, "note": f"{OWNER}说还在漏，让师傅打 139.1234.5601 或 139 1234 5601"})
    assert r.status_code == 200, r.get_json()
    events = order_seen_by(tech, oid)["events"]
    reopen = [e for e in events if e["action"] == "reopen"]
    assert reopen and "还在漏" in reopen[0]["note"]
    assert not any(leaks(e["note"]) for e in events), [e["note"] for e in events]


def test_a_supervisor_refused_reveal_reads_masked_event_notes_and_nothing_is_audited(login, org):
    desk = login("service1")
    rid = register(desk, org)
    r = desk.post(f"/requests/{rid}/transitions", json={"action": "handle", "note": f"已联系{OWNER} 139.1234.5601"})
    assert r.status_code == 200
    sup = login("super2")  # not the handler, not the creator
    assert_error_shape(sup.get(f"/requests/{rid}?reveal=true"), 403)
    body = sup.get(f"/requests/{rid}").get_json()
    assert not any(leaks(e["note"]) for e in body["events"]), [e["note"] for e in body["events"]]
    assert not leaks(body["description"]) and body["owner_phone"] == "139****5601" and body["owner_name"] == "张**"
    assert AuditLog.select().where(AuditLog.action == "view_owner").count() == 0


def test_every_unmasked_view_is_audited(login, org):
    desk = login("service1")
    rid = register(desk, org)
    desk.post(f"/requests/{rid}/transitions", json={"action": "handle", "note": f"已联系{OWNER} 139.1234.5601"})
    mgr = login("manager1")
    body = mgr.get(f"/requests/{rid}?reveal=true").get_json()
    assert body["owner_phone"] == PHONE and any(OWNER in e["note"] for e in body["events"])
    rows = list(AuditLog.select().where(AuditLog.action == "view_owner"))
    assert len(rows) == 1 and rows[0].object_id == str(rid) and rows[0].user_id == org["users"]["manager1"].id
    # without reveal the same manager reads the masked form, and no row is added
    assert not leaks(mgr.get(f"/requests/{rid}").get_json()["events"])
    assert AuditLog.select().where(AuditLog.action == "view_owner").count() == 1


def test_a_fault_notice_from_a_request_shows_the_penalised_guard_no_owner_data(login, org):
    desk = login("service1")
    rid = register(desk, org, kind="complaint", category="noise",
                   description=f"{OWNER}投诉保安张伟态度差，回电 139/1234/5601")
    sup = login("super1")
    d = sup.post("/deductions", json={"request_id": rid, "site_id": org["sites"]["LHY"].id,
                                      "staff_id": org["users"]["guard1"].id, "points": 2,
                                      "occurred_at": "2026-03-10T09:00:00+08:00"})
    assert d.status_code == 201, d.get_json()
    mine = login("guard1").get(f"/deductions/{d.get_json()['id']}").get_json()
    assert "态度差" in mine["reason"] and not leaks(mine["reason"]), mine["reason"]
    r = sup.post(f"/requests/{rid}/faults", json={"staff_id": org["users"]["guard1"].id, "fault": "hidden",
                                                   "points": 1, "note": f"{OWNER}两次来电 139.1234.5601 未登记"})
    assert r.status_code == 201, r.get_json()
    notice = login("guard1").get(f"/deductions/{r.get_json()['deduction_ids'][0]}").get_json()
    assert not leaks(notice["reason"]), notice["reason"]


def test_field_staff_open_only_the_orders_assigned_to_them(login, org):
    """The finding: any guard could open any order of the site by its sequential id."""
    desk = login("service1")
    oid = transfer(desk, register(desk, org))  # zone A engineering: tech1's
    for who in ("guard1", "guard3", "cleaner1", "garden1"):
        api = login(who)
        assert_error_shape(api.get(f"/work-orders/{oid}"), 404)
        assert_error_shape(api.post(f"/work-orders/{oid}/transitions", json={"action": "accept"}), 404)
        assert oid not in [o["id"] for o in api.get("/work-orders").get_json()["items"]]
    assert login("tech1").get(f"/work-orders/{oid}").status_code == 200
    assert login("super1").get(f"/work-orders/{oid}").status_code == 200
    WorkOrder.update(assignee=org["users"]["guard1"].id).where(WorkOrder.id == oid).execute()
    assert_error_shape(login("tech1").get(f"/work-orders/{oid}"), 404)
    assert login("guard1").get(f"/work-orders/{oid}").status_code == 200


def test_by_policy_field_staff_also_see_their_zones_orders(org):
    from api.domain.policy import parse_policy, policy_path
    from api.domain.workorders import field_staff_may_see

    text = open(policy_path(), encoding="utf-8").read().replace("field_staff_see: assigned", "field_staff_see: zone")
    zone_policy, problems = parse_policy(text)
    assert not problems
    order = WorkOrder(zone=org["zones"][("LHY", "A")].id, assignee=org["users"]["tech1"].id)
    guard1, guard3 = org["users"]["guard1"], org["users"]["guard3"]  # A's guard; B's guard
    assert field_staff_may_see(order, guard1, zone_policy) and not field_staff_may_see(order, guard3, zone_policy)
    assert not field_staff_may_see(order, guard1)  # the shipped policy: assigned only
