"""Seed 003's complaint handling beyond the time limits and seed 002's repair revisits, over the API."""
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from api.models import AuditLog, IncomingMail, RevisitReferral, ServiceRequest
from tests.factories import finish_and_verify
from tests.helpers import assert_error_shape

SH = ZoneInfo("Asia/Shanghai")
MONTH = datetime.now(SH).strftime("%Y-%m")


def new(api, org, **over):
    b = {"site_id": org["sites"]["LHY"].id, "kind": "complaint", "channel": "phone", "category": "noise",
         "owner_name": "孙八", "owner_phone": "13500001111", "building": "6", "unit": "1", "room": "601",
         "description": "楼下商铺音响太吵"}
    b.update(over)
    r = api.post("/requests", json=b)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def solve(api, rid):
    assert api.post(f"/requests/{rid}/transitions", json={"action": "handle"}).status_code == 200
    assert api.post(f"/requests/{rid}/transitions", json={"action": "complete", "note": "已协调商铺"}).status_code == 200


def test_valid_and_invalid_complaints_are_counted_apart_with_the_reason(login, org):
    """003 有效投訴和無效投訴的鑒別: 凡是在物業管理公司與業主簽定的合同條款以內……均屬於有效投訴，凡是不屬於該範圍的……
    均屬於無效投訴; 暫行規定 9 在每個月末……對投訴處理材料進行全面統計."""
    desk, sup = login("service1"), login("super1")
    a, b, _c = new(desk, org), new(desk, org, description="户内墙面开裂要求物业赔偿"), new(desk, org)
    new(desk, org, kind="suggestion", description="建议增加儿童游乐设施")
    assert desk.post(f"/requests/{a}/validity", json={"valid": True, "reason": "属公共秩序维护范围"}).status_code == 200
    r = desk.post(f"/requests/{b}/validity", json={"valid": False, "reason": "户内结构属开发商保修，非物业合同范围"})
    assert r.status_code == 200 and r.get_json()["valid"] is False
    assert_error_shape(desk.post(f"/requests/{b}/validity", json={"valid": False, "reason": ""}), 422)
    s = sup.get(f"/complaints/stats?site_id={org['sites']['LHY'].id}&month={MONTH}").get_json()
    assert (s["complaints"], s["valid"], s["invalid"], s["unjudged"], s["suggestions"]) == (3, 1, 1, 1, 1)
    assert s["invalid_reasons"] == [{"request_id": b, "reason": "户内结构属开发商保修，非物业合同范围"}]
    assert AuditLog.select().where(AuditLog.action == "complaint.judge").count() == 2


def test_the_reply_goes_the_way_the_owner_complained(login, org):
    """003 暫行規定 7: 或走訪投訴人，或回函投訴人，或致電給投訴人，或按其投訴方式給予相應的回復."""
    desk = login("service1")
    rid = new(desk, org, channel="phone")
    assert_error_shape(desk.post(f"/requests/{rid}/reply", json={"method": "call"}), 409)  # not solved yet
    solve(desk, rid)
    r = desk.post(f"/requests/{rid}/reply", json={"method": "letter", "text": "函复"})
    assert_error_shape(r, 422, field="method")
    r = desk.post(f"/requests/{rid}/reply", json={"method": "call", "text": "已致电告知处理结果"})
    assert r.status_code == 200 and r.get_json()["reply_method"] == "call"
    assert_error_shape(desk.post(f"/requests/{rid}/reply", json={"method": "call"}), 409)
    visit = new(desk, org, channel="visit")
    solve(desk, visit)
    assert_error_shape(desk.post(f"/requests/{visit}/reply", json={"method": "call"}), 422)
    assert desk.post(f"/requests/{visit}/reply", json={"method": "visit", "text": "上门回访"}).status_code == 200


def test_a_written_complaint_is_registered_and_answered_in_writing(login, org):
    """003: 對於業主的書面投訴，要在公司的收文登記本上登記後報呈公司領導，按照投訴性質一般以書面回復業主."""
    desk = login("service1")
    first = new(desk, org, channel="letter", description="来函：地下车库长期积水")
    second = new(desk, org, channel="letter", description="来函：绿化带被占用")
    solve(desk, first)
    assert_error_shape(desk.post(f"/requests/{first}/reply", json={"method": "letter", "text": "函复"}), 409)
    body = {"sender": "6栋业主孙先生", "subject": "地下车库积水", "reported_to": "公司总经理"}
    m1 = desk.post(f"/requests/{first}/incoming-mail", json=body)
    assert m1.status_code == 201, m1.get_json()
    m2 = desk.post(f"/requests/{second}/incoming-mail", json=dict(body, subject="绿化带被占用"))
    year = datetime.now(SH).year
    assert (m1.get_json()["mail_no"], m2.get_json()["mail_no"]) == (f"{year}-0001", f"{year}-0002")
    assert_error_shape(desk.post(f"/requests/{first}/incoming-mail", json=body), 409)
    assert_error_shape(desk.post(f"/requests/{first}/reply", json={"method": "letter", "text": ""}), 422)
    r = desk.post(f"/requests/{first}/reply", json={"method": "letter", "text": "孙先生：车库积水已疏通排水沟……"})
    assert r.status_code == 200
    assert IncomingMail.get(IncomingMail.request == first).answered_at is not None
    phone = new(desk, org)
    assert_error_shape(desk.post(f"/requests/{phone}/incoming-mail", json=body), 409)  # not a letter
    register = desk.get(f"/incoming-mail?site_id={org['sites']['LHY'].id}").get_json()["items"]
    assert [m["mail_no"] for m in register] == [f"{year}-0002", f"{year}-0001"]


def test_a_special_complaint_beyond_the_duty_managers_authority_goes_to_the_general_property_manager(login, org):
    """003 暫行規定 5B: 若在部門經理權屬範圍之外，則由部門經理向總物業經理匯報，再予處理."""
    desk, mgr = login("service1"), login("manager1")
    rid = new(desk, org, urgent=True, description="外墙瓷砖脱落砸中车辆，业主要求赔偿")
    assert ServiceRequest.get_by_id(rid).escalation_level == 2
    assert_error_shape(desk.post(f"/requests/{rid}/general-manager", json={"reason": "赔偿金额超出权限"}), 403)
    r = mgr.post(f"/requests/{rid}/general-manager", json={"reason": "赔偿金额超出部门经理权限"})
    assert r.status_code == 200, r.get_json()
    assert ServiceRequest.get_by_id(rid).escalation_level == 3
    assert_error_shape(mgr.post(f"/requests/{rid}/general-manager", json={"reason": "再报"}), 409)
    ordinary = new(desk, org)
    assert_error_shape(mgr.post(f"/requests/{ordinary}/general-manager", json={"reason": "x"}), 409)
    listed = mgr.get("/requests/escalated?min_level=3").get_json()["items"]
    assert [i["id"] for i in listed] == [rid]


def test_an_unsatisfied_repair_revisit_goes_to_the_maintenance_department_head_and_the_monthly_report(login, org):
    """002: 維修完成后一個工作日內要求客服人員進行回訪，維修效果不理想、客戶有異議的，及時將信息傳遞給維修部門負責人;
    維修回訪情況每月形成報告."""
    desk, sup = login("service1"), login("super1")
    rid = new(desk, org, kind="repair", category="water_leak", description="卫生间顶棚渗水")
    t = desk.post(f"/requests/{rid}/transitions", json={"action": "transfer", "trade": "engineering"})
    assert t.status_code == 200, t.get_json()
    order_id = t.get_json()["work_order_id"] if "work_order_id" in t.get_json() else t.get_json()["order"]["id"]
    finish_and_verify(org, login, order_id)
    desk.post("/requests/escalate")  # the order-following step marks the request done
    assert ServiceRequest.get_by_id(rid).status == "done"
    r = desk.post(f"/requests/{rid}/revisit", json={"satisfied": False, "note": "仍在滴水"})
    assert r.status_code == 200, r.get_json()
    ref = RevisitReferral.get(RevisitReferral.request == rid)
    assert ref.head_id == org["users"]["super1"].id  # tech1's supervisor
    assert [x["request_id"] for x in sup.get("/repair-revisits/referrals").get_json()["items"]] == [rid]
    rep = sup.get(f"/reports/repair-revisits?site_id={org['sites']['LHY'].id}&month={MONTH}").get_json()
    assert (rep["revisited"], rep["satisfied"], rep["unsatisfied"]) == (1, 0, 1)
    assert rep["unsatisfied_list"][0]["heads"] == ["李主管"] and rep["unsatisfied_list"][0]["note"] == "仍在滴水"
    xlsx = sup.get(f"/reports/repair-revisits.xlsx?site_id={org['sites']['LHY'].id}&month={MONTH}")
    wb = load_workbook(io.BytesIO(xlsx.get_data()))
    assert wb["不满意 Unsatisfied"]["D2"].value == "仍在滴水"
