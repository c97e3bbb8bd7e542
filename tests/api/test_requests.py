"""The service desk through the API: registering, masking, transfer to work orders, escalation,
revisits that reopen, faults and the monthly statistics."""
import hashlib
import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from api.models import AuditLog, Photo, PhotoSite, RequestEvent, ServiceRequest, WorkOrder, utcnow

SH = ZoneInfo("Asia/Shanghai")


def local_iso(dt_utc):
    return dt_utc.replace(tzinfo=timezone.utc).astimezone(SH).isoformat()


def body(org, **over):
    b = {"site_id": org["sites"]["LHY"].id, "kind": "complaint", "channel": "phone", "category": "noise",
         "owner_name": "张三丰", "owner_phone": "13800135678", "building": "3", "unit": "2", "room": "1201",
         "description": "楼上 1301 装修，晚上九点后还在电钻", "owner_ask": "请物业制止夜间施工"}
    b.update(over)
    return b


def register(api, org, **over):
    r = api.post("/requests", json=body(org, **over))
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


def act(api, rid, action, **kw):
    return api.post(f"/requests/{rid}/transitions", json={"action": action, **kw})


def gen_photo(org, seed, uploader="tech1", site="LHY"):
    pid = hashlib.sha256(seed.encode()).hexdigest()
    Photo.create(id=pid, uploaded_by=org["users"][uploader], content_type="image/jpeg", size_bytes=10,
                 width=10, height=10)
    PhotoSite.create(photo=pid, site=org["sites"][site])
    return pid


def finish_and_verify(org, login, order_id, seed="after"):
    """The department does the work and its supervisor checks it (the work order's lifecycle)."""
    tech, sup = login("tech1"), login("super1")
    if WorkOrder.get_by_id(order_id).status == "open":  # no zone given: the supervisor dispatches it
        r = sup.post(f"/work-orders/{order_id}/transitions",
                     json={"action": "assign", "assignee_id": org["users"]["tech1"].id})
        assert r.status_code == 200, r.get_json()
    assert tech.post(f"/work-orders/{order_id}/transitions", json={"action": "accept"}).status_code == 200
    pid = gen_photo(org, seed)
    r = tech.post(f"/work-orders/{order_id}/transitions", json={"action": "finish", "photo_ids": [pid]})
    assert r.status_code == 200, r.get_json()
    r = sup.post(f"/work-orders/{order_id}/transitions", json={"action": "verify", "satisfied": True})
    assert r.status_code == 200, r.get_json()


# --- registering --------------------------------------------------------------------------

def test_complaint_registered_now_is_due_by_midnight_site_time(login, org):
    r = register(login("service1"), org)
    assert r["status"] == "open" and r["scope"] == "desk" and r["kind_name"] == "投诉"
    received = datetime.fromisoformat(r["received_at"].replace("Z", "+00:00")).astimezone(SH)
    due = datetime.fromisoformat(r["due_at"].replace("Z", "+00:00")).astimezone(SH)
    assert due == datetime.combine(received.date() + timedelta(days=1), datetime.min.time(), tzinfo=SH)
    assert r["handler"]["id"] == org["users"]["service1"].id  # the receptionist is the first responsible
    assert [e["action"] for e in r["events"]] == ["register"]


def test_repair_request_gets_its_response_limit(login, org):
    r = register(login("service1"), org, kind="repair", category="water_leak", priority="emergency",
                 description="卫生间天花板漏水")
    req = ServiceRequest.get_by_id(r["id"])
    assert req.respond_by - req.received_at == timedelta(hours=2)


def test_retry_with_the_same_client_id_makes_one_request(login, org):
    desk = login("service1")
    a = desk.post("/requests", json=body(org, client_id="c0ffee00-0000-4000-8000-000000000001"))
    b = desk.post("/requests", json=body(org, client_id="c0ffee00-0000-4000-8000-000000000001"))
    assert (a.status_code, b.status_code) == (201, 200)
    assert a.get_json()["id"] == b.get_json()["id"]
    assert ServiceRequest.select().count() == 1


def test_idempotency_key_replays_the_first_answer(login, org):
    desk = login("service1")
    h = {"Idempotency-Key": "reg-1"}
    a = desk.post("/requests", json=body(org), headers=h)
    b = desk.post("/requests", json=body(org), headers=h)
    assert a.get_json()["id"] == b.get_json()["id"] and b.headers.get("Idempotent-Replayed") == "true"
    assert desk.post("/requests", json=body(org, room="9"), headers=h).status_code == 409
    assert ServiceRequest.select().count() == 1


@pytest.mark.parametrize("over, field", [
    ({"kind": "praise"}, "kind"),
    ({"channel": "fax"}, "channel"),
    ({"description": ""}, "description"),
    ({"building": "", "unit": "", "room": ""}, "building"),
    ({"owner_name": "", "owner_phone": ""}, "owner_phone"),
    ({"owner_phone": "12ab"}, "owner_phone"),
    ({"received_at": "2025-05-01T10:00:00"}, "received_at"),  # no time zone
    ({"received_at": "2000-01-01T10:00:00+08:00"}, "received_at"),  # long ago: registered as today, with a note
    ({"received_at": "0001-01-01T00:00:00+14:00"}, "received_at"),  # before year 1 in UTC: not a 500
    ({"secret": 1}, "secret"),
    ({"photo_ids": ["0" * 64]}, "photo_ids"),
])
def test_bad_input_is_a_field_error_and_nothing_is_stored(login, org, over, field):
    r = login("service1").post("/requests", json=body(org, **over))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]["json"]
    assert ServiceRequest.select().count() == 0


def test_received_in_the_future_is_refused(login, org):
    r = login("service1").post("/requests", json=body(org, received_at=local_iso(utcnow() + timedelta(hours=2))))
    assert r.status_code == 422 and "received_at" in r.get_json()["errors"]["json"]


def test_photos_taken_at_the_desk_are_attached(login, org):
    pid = gen_photo(org, "leak", uploader="service1")
    r = register(login("service1"), org, photo_ids=[pid])
    assert r["photo_ids"] == [pid]


# --- who may see what ------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["guard1", "cleaner1", "tech1"])
def test_field_staff_never_reach_owners(login, org, username):
    rid = register(login("service1"), org)["id"]
    staff = login(username)
    assert staff.get("/requests").status_code == 403
    assert staff.get(f"/requests/{rid}").status_code == 403
    assert staff.post("/requests", json=body(org)).status_code == 403
    assert staff.get("/requests/escalated").status_code == 403


def test_other_sites_requests_are_404(login, org):
    rid = register(login("service1"), org)["id"]
    assert login("super3").get(f"/requests/{rid}").status_code == 404
    assert login("super3").get("/requests").get_json()["items"] == []


def test_lists_mask_the_owner_for_everyone(login, org):
    register(login("service1"), org)
    for username in ("service1", "super1", "manager1", "admin"):
        item = login(username).get("/requests").get_json()["items"][0]
        assert (item["owner_name"], item["owner_phone"], item["owner_masked"]) == ("张**", "138****5678", True)


@pytest.mark.parametrize("username, allowed", [
    ("service1", True),    # created it and handles it
    ("super1", False),     # a supervisor who is not its handler
    ("manager1", True), ("admin", True),
])
def test_full_owner_details_only_for_handler_creator_and_managers_and_audited(login, org, username, allowed):
    rid = register(login("service1"), org)["id"]
    api = login(username)
    masked = api.get(f"/requests/{rid}").get_json()
    assert masked["owner_phone"] == "138****5678"
    r = api.get(f"/requests/{rid}?reveal=true")
    views = AuditLog.select().where((AuditLog.action == "view_owner") & (AuditLog.object_id == str(rid)))
    if allowed:
        assert r.status_code == 200
        assert (r.get_json()["owner_name"], r.get_json()["owner_phone"]) == ("张三丰", "13800135678")
        assert [(v.user_id, v.object_type) for v in views] == [(org["users"][username].id, "request")]
    else:
        assert r.status_code == 403
        assert views.count() == 0


def test_taking_a_request_in_hand_lets_its_new_handler_see_the_owner(login, org):
    rid = register(login("service1"), org)["id"]
    sup = login("super1")
    assert sup.get(f"/requests/{rid}?reveal=true").status_code == 403
    assert act(sup, rid, "handle").status_code == 200
    assert sup.get(f"/requests/{rid}?reveal=true").get_json()["owner_phone"] == "13800135678"


def test_phone_numbers_written_into_the_text_are_hidden_too(login, org):
    desk = login("service1")
    rid = register(desk, org, description="张三丰说请回电 139-1111-2222", owner_ask="打 13800135678 找他")["id"]
    item = desk.get("/requests").get_json()["items"][0]
    assert "2222" not in item["description"] and "张三丰" not in item["description"]
    assert "13800135678" not in item["owner_ask"]
    full = desk.get(f"/requests/{rid}?reveal=true").get_json()
    assert "139-1111-2222" in full["description"]


def test_search_by_unit_or_phone_last_four_without_unmasking(login, org):
    desk = login("service1")
    a = register(desk, org)
    register(desk, org, owner_phone="13911112222", building="5", unit="1", room="301")
    by_phone = desk.get("/requests?phone_last4=5678").get_json()["items"]
    assert [i["id"] for i in by_phone] == [a["id"]] and by_phone[0]["owner_phone"] == "138****5678"
    by_unit = desk.get("/requests?building=5&unit=1&room=301").get_json()["items"]
    assert [i["location"] for i in by_unit] == ["5栋1单元301"]
    assert desk.get("/requests?phone_last4=56").status_code == 422


def test_list_pages_with_a_cursor(login, org):
    desk = login("service1")
    ids = [register(desk, org, room=str(100 + n))["id"] for n in range(3)]
    first = desk.get("/requests?limit=2").get_json()
    second = desk.get(f"/requests?limit=2&cursor={first['next_cursor']}").get_json()
    assert [i["id"] for i in first["items"] + second["items"]] == sorted(ids, reverse=True)
    assert second["next_cursor"] is None


# --- handling and transfer ------------------------------------------------------------------

def test_desk_handles_and_completes_then_revisit_closes(login, org):
    desk = login("service1")
    rid = register(desk, org)["id"]
    assert act(desk, rid, "handle").get_json()["status"] == "handling"
    assert act(desk, rid, "complete").status_code == 422  # how it was handled must be written down
    done = act(desk, rid, "complete", note="已上门劝阻装修户，承诺 21:00 后停工").get_json()
    assert done["status"] == "done" and done["revisit_due"]
    assert [i["id"] for i in desk.get("/requests/revisit-due").get_json()["items"]] == [rid]
    r = desk.post(f"/requests/{rid}/revisit", json={"satisfied": True, "note": "业主表示满意"})
    assert r.get_json()["status"] == "closed" and r.get_json()["satisfied"] is True
    assert desk.get("/requests/revisit-due").get_json()["items"] == []


def test_a_completed_request_stays_on_the_revisit_list_until_revisited(login, org):
    desk = login("service1")
    rid = register(desk, org)["id"]
    act(desk, rid, "handle")
    act(desk, rid, "complete", note="已处理")
    ServiceRequest.update(revisit_due=utcnow() - timedelta(days=3)).where(ServiceRequest.id == rid).execute()
    items = desk.get("/requests?revisit_due=true").get_json()["items"]
    assert [i["id"] for i in items] == [rid] and items[0]["revisit_overdue"] is True


def test_transfer_makes_a_work_order_without_the_owners_name_or_phone(login, org):
    desk = login("service1")
    rid = register(desk, org, kind="repair", category="water_leak",
                   description="张三丰家厨房水管漏水，让师傅打 13800135678")["id"]
    r = act(desk, rid, "transfer", trade="engineering", note="业主张三丰下午在家")
    assert r.status_code == 200, r.get_json()
    out = r.get_json()
    assert out["status"] == "transferred" and out["scope"] == "transferred" and out["trade"] == "engineering"
    order = WorkOrder.get_by_id(out["work_order_id"])
    assert (order.source, order.request_id, order.trade) == ("request", rid, "engineering")
    for text in (order.title, order.description):
        assert "张三丰" not in text and "13800135678" not in text and "5678" not in text
    assert "3栋2单元1201" in order.title
    # the technician sees the order once it is theirs, never the request
    tech = login("tech1")
    assert tech.get(f"/work-orders/{order.id}").status_code == 404  # not dispatched to anyone yet
    login("super1").post(f"/work-orders/{order.id}/transitions",
                         json={"action": "assign", "assignee_id": org["users"]["tech1"].id})
    assert tech.get(f"/work-orders/{order.id}").status_code == 200
    assert tech.get(f"/requests/{rid}").status_code == 403


def test_transfer_needs_a_department(login, org):
    desk = login("service1")
    rid = register(desk, org)["id"]
    r = act(desk, rid, "transfer")
    assert r.status_code == 422 and "trade" in r.get_json()["errors"]["json"]
    r = act(desk, rid, "transfer", trade="customer_service")
    assert r.status_code == 422
    assert WorkOrder.select().count() == 0


def test_transferred_complaint_gets_the_three_day_limit(login, org):
    desk = login("service1")
    r = register(desk, org)
    out = act(desk, r["id"], "transfer", trade="security").get_json()
    received = datetime.fromisoformat(r["received_at"].replace("Z", "+00:00")).astimezone(SH)
    due = datetime.fromisoformat(out["due_at"].replace("Z", "+00:00")).astimezone(SH)
    assert due == datetime.combine(received.date() + timedelta(days=4), datetime.min.time(), tzinfo=SH)


def worker_pass():
    """What the worker does every minute (no page has to be open): escalate, follow the orders."""
    from api.domain.scheduler import tick

    return tick(steps=["escalate", "follow_orders"])


def test_request_is_done_only_when_its_orders_are_verified(login, org):
    desk = login("service1")
    rid = register(desk, org, kind="repair", category="water_leak")["id"]
    order_id = act(desk, rid, "transfer", trade="engineering").get_json()["work_order_id"]
    assert act(desk, rid, "complete", note="x").status_code == 409
    finish_and_verify(org, login, order_id)
    assert desk.get(f"/requests/{rid}").get_json()["status"] == "transferred"  # a GET changes nothing
    worker_pass()
    got = desk.get(f"/requests/{rid}").get_json()
    assert got["status"] == "done" and got["revisit_due"]
    assert got["events"][-1]["action"] == "complete"


def test_unsatisfied_revisit_reopens_the_request_and_its_order(login, org):
    desk = login("service1")
    rid = register(desk, org, kind="repair", category="water_leak")["id"]
    order_id = act(desk, rid, "transfer", trade="engineering").get_json()["work_order_id"]
    finish_and_verify(org, login, order_id)
    worker_pass()
    assert desk.post(f"/requests/{rid}/revisit", json={"satisfied": False}).status_code == 422  # say why
    r = desk.post(f"/requests/{rid}/revisit", json={"satisfied": False, "note": "还在滴水"})
    assert r.status_code == 200, r.get_json()
    out = r.get_json()
    assert out["status"] == "transferred" and out["satisfied"] is False and out["reopen_count"] == 1
    order = WorkOrder.get_by_id(order_id)
    assert order.status == "assigned" and order.reopen_count == 1
    # the rework is verified again: the request is waiting for its second revisit
    finish_and_verify(org, login, order_id, seed="after-2")
    worker_pass()
    assert desk.get(f"/requests/{rid}").get_json()["status"] == "done"
    assert desk.post(f"/requests/{rid}/revisit", json={"satisfied": True}).get_json()["status"] == "closed"


def test_an_order_reopened_by_its_department_takes_the_done_request_back(login, org):
    desk = login("service1")
    rid = register(desk, org, kind="repair", category="water_leak")["id"]
    order_id = act(desk, rid, "transfer", trade="engineering").get_json()["work_order_id"]
    finish_and_verify(org, login, order_id)
    worker_pass()
    assert desk.get(f"/requests/{rid}").get_json()["status"] == "done"
    r = login("super1").post(f"/work-orders/{order_id}/transitions", json={"action": "reopen", "note": "复查仍渗水"})
    assert r.status_code == 200, r.get_json()
    worker_pass()
    got = desk.get(f"/requests/{rid}").get_json()
    assert got["status"] == "transferred" and got["revisit_due"] is None
    assert got["events"][-1]["action"] == "orders_reopened"


def test_revisit_of_an_open_request_is_a_conflict(login, org):
    desk = login("service1")
    rid = register(desk, org)["id"]
    assert desk.post(f"/requests/{rid}/revisit", json={"satisfied": True}).status_code == 409


def test_cancel_needs_a_reason_and_closes_nothing_else(login, org):
    desk = login("service1")
    rid = register(desk, org)["id"]
    assert act(desk, rid, "cancel").status_code == 422
    assert act(desk, rid, "cancel", note="业主撤回").get_json()["status"] == "cancelled"
    assert act(desk, rid, "handle").status_code == 409


# --- escalation ------------------------------------------------------------------------------

def _received(days_ago, hour=10):
    local = datetime.now(SH).replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    return local.isoformat()


def test_complaint_left_open_past_its_day_goes_to_the_supervisor(login, org, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 4, 0, tzinfo=timezone.utc), tick=False)  # 12:00 in Shanghai
    desk = login("service1")
    rid = register(desk, org, received_at=_received(1))["id"]
    worker_pass()
    got = desk.get(f"/requests/{rid}").get_json()
    assert got["escalation_level"] == 1 and got["overdue"] is True
    esc = [e for e in got["events"] if e["action"] == "escalate"]
    assert len(esc) == 1 and esc[0]["data"]["level"] == 1 and "客服主管" in esc[0]["note"]
    assert [i["id"] for i in login("super1").get("/requests/escalated").get_json()["items"]] == [rid]
    assert login("manager1").get("/requests/escalated?min_level=2").get_json()["items"] == []


def test_complaint_received_at_2350_was_due_at_midnight(login, org, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 4, 0, tzinfo=timezone.utc), tick=False)
    desk = login("service1")
    received = (datetime.now(SH) - timedelta(days=1)).replace(hour=23, minute=50, second=0, microsecond=0)
    got = register(desk, org, received_at=received.isoformat())
    due = datetime.fromisoformat(got["due_at"].replace("Z", "+00:00")).astimezone(SH)
    assert due - received == timedelta(minutes=10)
    worker_pass()
    esc = [e for e in desk.get(f"/requests/{got['id']}").get_json()["events"] if e["action"] == "escalate"]
    assert [e["data"]["level"] for e in esc] == [1]
    assert esc[0]["data"]["missed_limit"] == due.astimezone(timezone.utc).replace(tzinfo=None).isoformat()


def test_still_open_a_day_later_it_reaches_the_deputy_general_manager(login, org):
    desk = login("service1")
    rid = register(desk, org, received_at=_received(2))["id"]
    r = desk.post("/requests/escalate")
    assert r.status_code == 200
    assert [s for s in r.get_json()["escalated"] if s["id"] == rid] == [{"id": rid, "level": 1},
                                                                        {"id": rid, "level": 2}]
    # running again changes nothing: each step happens once
    assert desk.post("/requests/escalate").get_json()["escalated"] == []
    events = RequestEvent.select().where((RequestEvent.request == rid) & (RequestEvent.action == "escalate"))
    assert sorted(e.data["level"] for e in events) == [1, 2]
    assert [i["id"] for i in login("manager1").get("/requests/escalated?min_level=2").get_json()["items"]] == [rid]


def test_urgent_matter_goes_straight_to_the_duty_manager(login, org):
    r = register(login("service1"), org, kind="repair", category="lift", urgent=True, priority="emergency",
                 building="2", unit="1", room="", public_area="", description="2 号楼电梯困人")
    assert r["escalation_level"] == 2
    assert [e["data"]["reason"] for e in r["events"] if e["action"] == "escalate"] == ["urgent"]


def test_handled_in_time_nothing_escalates(login, org):
    desk = login("service1")
    rid = register(desk, org)["id"]
    act(desk, rid, "handle")
    act(desk, rid, "complete", note="已处理")
    assert desk.post("/requests/escalate").get_json()["escalated"] == []
    assert desk.get("/requests?escalated=true").get_json()["items"] == []


# --- statistics ------------------------------------------------------------------------------

def test_monthly_statistics_match_a_hand_count_and_download_as_xlsx(login, org):
    from openpyxl import load_workbook

    desk = login("service1")
    now_local = datetime.now(SH)
    month = now_local.strftime("%Y-%m")
    a = register(desk, org)["id"]                                                    # complaint, phone, bldg 3
    b = register(desk, org, kind="repair", category="water_leak", channel="wechat")["id"]
    register(desk, org, kind="repair", category="water_leak", channel="visit")       # same unit, same thing
    register(desk, org, kind="suggestion", category="greenery", building="", unit="", room="",
             public_area="中心广场")
    act(desk, a, "handle")
    act(desk, a, "complete", note="已处理")
    desk.post(f"/requests/{a}/revisit", json={"satisfied": True})
    act(desk, b, "transfer", trade="engineering")
    sup = login("super1")
    stats = sup.get(f"/requests/stats?site_id={org['sites']['LHY'].id}&month={month}").get_json()
    assert stats["total"] == 4
    assert stats["by_kind"] == {"complaint": 1, "repair": 2, "suggestion": 1}
    assert stats["by_channel"] == {"phone": 2, "visit": 1, "wechat": 1}
    assert stats["by_building"] == {"3": 3, "公共区域": 1}
    assert stats["by_trade"] == {"customer_service": 1, "engineering": 1, "unassigned": 2}
    assert (stats["on_time"], stats["late"], stats["on_time_rate"]) == (1, 0, 1.0)
    assert (stats["revisited"], stats["satisfied"], stats["satisfaction_rate"]) == (1, 1, 1.0)
    assert stats["repeat_units"] == [{"building": "3", "unit": "2", "room": "1201", "category": "water_leak",
                                      "count": 2, "earlier": 0}]
    r = sup.get(f"/requests/stats.xlsx?site_id={org['sites']['LHY'].id}&month={month}")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    rows = list(wb["明细 Requests"].values)
    assert len(rows) == 5 and "13800135678" not in str(rows) and "138****5678" in str(rows)


def test_statistics_are_for_supervisors_and_managers_of_the_site(login, org):
    lhy = org["sites"]["LHY"].id
    assert login("service1").get(f"/requests/stats?site_id={lhy}&month=2025-05").status_code == 403
    assert login("super3").get(f"/requests/stats?site_id={lhy}&month=2025-05").status_code == 404
    r = login("manager1").get(f"/requests/stats?site_id={lhy}&month=2025-13")
    assert r.status_code == 422 and "month" in r.get_json()["errors"]["query"]


# --- faults ---------------------------------------------------------------------------------

def test_supervisor_raises_a_fault_for_a_complaint_registered_late(login, org):
    from api.models import Deduction

    desk = login("service1")
    rid = register(desk, org, received_at=_received(0, hour=0) if datetime.now(SH).hour >= 4
                   else _received(1, hour=20))["id"]
    got = desk.get(f"/requests/{rid}").get_json()
    assert got["registered_late"] is True
    body_ = {"staff_id": org["users"]["service1"].id, "fault": "late_registration", "points": 2,
             "note": "业主上午来电，下午才登记", "client_id": "fault-0001-abcd"}
    assert desk.post(f"/requests/{rid}/faults", json=body_).status_code == 403  # not the desk's own call
    sup = login("super1")
    r = sup.post(f"/requests/{rid}/faults", json=body_)
    assert r.status_code == 201, r.get_json()
    again = sup.post(f"/requests/{rid}/faults", json=body_)
    assert again.status_code == 200 and again.get_json() == r.get_json()
    d = Deduction.get_by_id(r.get_json()["deduction_ids"][0])
    assert (d.request_id, d.points, d.problem_key, d.staff_id) == (rid, 2, "request:late_registration",
                                                                   org["users"]["service1"].id)
    assert "迟报" in d.reason
    assert desk.get(f"/requests/{rid}").get_json()["events"][-1]["action"] == "fault"


def test_overdue_fault_needs_a_request_that_ran_overdue(login, org):
    desk = login("service1")
    rid = register(desk, org)["id"]
    r = login("super1").post(f"/requests/{rid}/faults", json={
        "staff_id": org["users"]["service1"].id, "fault": "overdue", "points": 1})
    assert r.status_code == 409
    r = login("super1").post(f"/requests/{rid}/faults", json={
        "staff_id": org["users"]["service1"].id, "fault": "overdue", "points": 0})
    assert r.status_code == 422 and "points" in r.get_json()["errors"]["json"]
