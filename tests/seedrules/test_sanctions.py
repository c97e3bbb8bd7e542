"""Sanctions on the ledger line (seed 004 4.2.3/4.2.4), a dismissal carried out, a hidden complaint's
consequence (seed 003 第十九条) and the supervisor's share verified (004 4.2.6)."""
import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from api.models import AuditLog, Deduction
from tests.helpers import assert_error_shape

SH = ZoneInfo("Asia/Shanghai")
MONTH = datetime.now(SH).strftime("%Y-%m")


def give(api, org, points, staff="guard1", key="post.absent", **extra):
    r = api.post("/deductions", json={"site_id": org["sites"]["LHY"].id, "staff_id": org["users"][staff].id,
                                      "points": points, "reason": "脱岗", "problem_key": key,
                                      "occurred_at": datetime.now(SH).isoformat(), **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def sanction(api, org, kind, staff="guard1", **extra):
    return api.post("/sanctions", json={"site_id": org["sites"]["LHY"].id, "month": MONTH,
                                        "staff_id": org["users"][staff].id, "kind": kind,
                                        "reason": "经管理处研究决定", **extra})


def line(api, org, staff="guard1"):
    ledger = api.get(f"/ledger/{MONTH}?site_id={org['sites']['LHY'].id}").get_json()
    return next(ln for ln in ledger["lines"] if ln["staff_id"] == org["users"][staff].id), ledger


def test_the_sanction_is_recorded_on_the_ledger_line_and_in_payroll(login, org):
    """004 4.2.3 違規責任人每月累計扣分達11~15分，除按扣分進行處罰以外，另對其做出行政警告、行政罰款、行政記過等行政處分."""
    sup, mgr = login("super1"), login("manager1")
    give(sup, org, 8)
    r = sanction(mgr, org, "warning")
    assert_error_shape(r, 409)  # 8 points: not the sanction tier
    give(sup, org, 4, key="post.sleeping")  # 12 points
    assert_error_shape(sanction(sup, org, "warning"), 403)  # a manager decides
    assert_error_shape(sanction(mgr, org, "fine"), 422)  # a fine needs its amount
    r = sanction(mgr, org, "fine", amount="50.00")
    assert r.status_code == 201, r.get_json()
    assert sanction(mgr, org, "demerit").status_code == 201
    assert_error_shape(sanction(mgr, org, "fine", amount="50.00"), 409)  # once
    ln, ledger = line(mgr, org)
    assert [s["name"] for s in ln["sanctions"]] == ["行政罚款", "行政记过"]
    assert ln["sanction_fine"] == "50.00" and ln["total"] == "110.00"  # 12 × 5 + 50
    body = mgr.get(f"/ledger/{MONTH}/payroll.csv?site_id={org['sites']['LHY'].id}").get_data().decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(body)) if r and r[0] == "guard1")
    assert "行政罚款 / administrative fine；行政记过 / administrative demerit" in row and "50.00" in row
    assert "110.00" in row
    assert AuditLog.select().where(AuditLog.action == "sanction.record").count() == 2


def test_a_dismissal_is_recorded_and_carried_out_by_someone_at_a_time(login, org):
    """004 4.2.4 違規責任人每月累計扣分達20分以上，作開除處理."""
    sup, mgr = login("super1"), login("manager1")
    give(sup, org, 19)
    assert_error_shape(sanction(mgr, org, "dismissal"), 409)  # 19 points
    give(sup, org, 1, key="post.sleeping")
    s = sanction(mgr, org, "dismissal").get_json()
    assert s["carried_out_at"] is None
    r = mgr.post(f"/sanctions/{s['id']}/carry-out", json={"note": "已办理离职手续"})
    assert r.status_code == 200
    done = r.get_json()
    assert done["carried_out_by_id"] == org["users"]["manager1"].id and done["carried_out_at"]
    assert_error_shape(mgr.post(f"/sanctions/{s['id']}/carry-out", json={}), 409)
    ln, _ = line(mgr, org)
    assert ln["tier"] == "dismissal" and ln["sanctions"][0]["carried_out_by_id"] == org["users"]["manager1"].id


def test_hiding_a_complaint_brings_basic_wage_only_not_more_points(login, org):
    """003 第十九條 隱瞞投訴、漏記或漏報者除在本部門公開檢討外，情節嚴重的，當月只發放基本工資，造成惡劣影響的作解聘處理."""
    desk, sup, mgr = login("service1"), login("super1"), login("manager1")
    req = desk.post("/requests", json={"site_id": org["sites"]["LHY"].id, "kind": "complaint", "channel": "phone",
                                       "owner_name": "钱七", "owner_phone": "13600001111", "building": "1",
                                       "description": "投诉保安态度差"}).get_json()
    r = sup.post(f"/requests/{req['id']}/faults", json={"staff_id": org["users"]["service1"].id, "fault": "hidden",
                                                       "points": 2, "note": "接诉后未登记"})
    assert r.status_code == 201, r.get_json()
    # not the ordinary tier sanctions, and not without the complaint's fault notice
    assert_error_shape(sanction(mgr, org, "basic_wage_only", staff="service1"), 422)
    assert_error_shape(sanction(mgr, org, "basic_wage_only", staff="guard1", request_id=req["id"]), 409)
    assert_error_shape(sanction(mgr, org, "warning", staff="service1", request_id=req["id"]), 422)
    assert sanction(mgr, org, "self_criticism", staff="service1", request_id=req["id"]).status_code == 201
    assert sanction(mgr, org, "basic_wage_only", staff="service1", request_id=req["id"]).status_code == 201
    ln, _ = line(mgr, org, "service1")
    assert ln["points"] == 2 and ln["tier"] == "none" and ln["basic_wage_only"] is True
    assert {s["kind"] for s in ln["sanctions"]} == {"self_criticism", "basic_wage_only"}
    body = mgr.get(f"/ledger/{MONTH}/payroll.csv?site_id={org['sites']['LHY'].id}").get_data().decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(body)) if r and r[0] == "service1")
    assert "是 / yes" in row


def test_the_supervisors_share_is_verified_by_someone_with_what_they_found(login, org):
    """004 4.2.6 若員工違規相關直屬上司負有管理責任並經查實，其直屬上司負有連帶責任，按70/30原則進行處理."""
    sup, mgr = login("super1"), login("manager1")
    d = give(sup, org, 4)
    assert d["supervisor_shares"] is False and d["supervisor_verification"] is None
    r = sup.post(f"/deductions/{d['id']}/supervisor-verification", json={"verified": True, "finding": "自查"})
    assert_error_shape(r, 403)  # not the supervisor about themselves
    r = mgr.post(f"/deductions/{d['id']}/supervisor-verification",
                 json={"verified": True, "finding": "排班表显示主管未安排替岗"})
    assert r.status_code == 201, r.get_json()
    got = mgr.get(f"/deductions/{d['id']}").get_json()
    assert got["supervisor_shares"] is True
    assert got["supervisor_verification"]["finding"] == "排班表显示主管未安排替岗"
    assert got["supervisor_verification"]["verified_by_id"] == org["users"]["manager1"].id
    ledger = mgr.get(f"/ledger/{MONTH}?site_id={org['sites']['LHY'].id}").get_json()
    boss = next(ln for ln in ledger["lines"] if ln["staff_id"] == org["users"]["super1"].id)
    assert boss["supervisor_share"] == "6.00"  # 30% of 4 × 5
    assert_error_shape(mgr.post(f"/deductions/{d['id']}/supervisor-verification",
                    json={"verified": False, "finding": "再查"}), 409)
    assert Deduction.get_by_id(d["id"]).supervisor_shares is True
