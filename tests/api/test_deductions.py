"""Fault notices and appeals through the API: defaults from findings, months, closed months, appeals."""
from api.models import AuditLog, Deduction, LedgerMonth
from tests.factories import gen_finding, gen_photo, notice
from tests.helpers import assert_error_shape


def test_notice_from_a_finding_defaults_to_the_zones_responsible_person_and_item_points(login, org):
    f = gen_finding(org, trade="cleaning", title="地面有积水", checklist_key="lobby", item_key="floor_clean",
                    points=3)
    r = login("super2").post("/deductions", json={"finding_id": f.id})
    assert r.status_code == 201, r.get_json()
    d = r.get_json()
    assert d["staff"]["username"] == "cleaner1" and d["points"] == 3 and d["amount"] == "15.00"
    assert d["problem_key"] == "lobby:floor_clean" and d["finding_id"] == f.id


def test_a_deduction_late_on_march_31st_shanghai_time_is_march(login, org):
    r = notice(login("super1"), org, occurred_at="2026-03-31T23:30:00+08:00")
    assert r.status_code == 201 and r.get_json()["month"] == "2026-03"
    r = notice(login("super1"), org, occurred_at="2026-03-31T16:30:00Z")  # 00:30 on 1 April in Shanghai
    assert r.get_json()["month"] == "2026-04"


def test_points_must_be_a_whole_number_above_zero(login, org):
    sup = login("super1")
    for bad in (0, -2, 1.5, "3"):
        r = notice(sup, org, points=bad)
        assert_error_shape(r, 422)
        assert "points" in r.get_json()["errors"]["json"], bad
    assert Deduction.select().count() == 0


def test_a_notice_dated_in_a_closed_month_is_refused(login, org):
    sup, mgr = login("super1"), login("manager1")
    assert notice(sup, org).status_code == 201
    assert mgr.post(f"/ledger/2026-03/close?site_id={org['sites']['LHY'].id}").status_code == 200
    r = notice(sup, org, occurred_at="2026-03-20T10:00:00+08:00")
    assert_error_shape(r, 409)
    assert "closed" in r.get_json()["message"]
    assert Deduction.select().count() == 1


def test_only_supervisors_issue_notices_and_only_for_their_sites(login, org):
    assert_error_shape(notice(login("guard1"), org, staff="guard3"), 403)
    r = notice(login("super3"), org)  # HQT's supervisor, LHY's site
    assert_error_shape(r, 422)
    r = notice(login("super1"), org, staff="guard2")  # HQT's guard
    assert_error_shape(r, 422, field="staff_id")


def test_staff_see_only_their_own_notices(login, org):
    sup = login("super1")
    mine = notice(sup, org, staff="guard1").get_json()
    theirs = notice(sup, org, staff="guard3").get_json()
    guard = login("guard1")
    assert [d["id"] for d in guard.get("/deductions").get_json()["items"]] == [mine["id"]]
    assert_error_shape(guard.get(f"/deductions/{theirs['id']}"), 404)
    assert_error_shape(login("super3").get(f"/deductions/{mine['id']}"), 404)


def test_retry_with_the_same_client_id_makes_one_notice(login, org):
    sup = login("super1")
    a = notice(sup, org, client_id="3f1c9a5e-0001")
    b = notice(sup, org, client_id="3f1c9a5e-0001")
    assert a.status_code == 201 and b.status_code == 200 and a.get_json()["id"] == b.get_json()["id"]


def test_evidence_photos_must_be_visible(login, org):
    sup = login("super1")
    ok = gen_photo(org, uploader="guard1", seed="evidence")
    r = notice(sup, org, photo_ids=[ok])
    assert r.status_code == 201 and r.get_json()["photo_ids"] == [ok]
    other = gen_photo(org, site="HQT", uploader="guard2", seed="elsewhere")
    assert_error_shape(notice(sup, org, photo_ids=[other]), 422)


def test_appeal_upheld_in_an_open_month_voids_the_notice(login, org):
    d = notice(login("super1"), org).get_json()
    guard = login("guard1")
    r = guard.post(f"/deductions/{d['id']}/appeal", json={"reason": "当时我在另一岗位"})
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    assert_error_shape(guard.post(f"/deductions/{d['id']}/appeal", json={"reason": "again"}), 409)
    assert_error_shape(guard.get("/appeals"), 403)  # the deciders' queue: department heads up (004 4.3)
    queue = login("manager1").get("/appeals?status=pending").get_json()["items"]
    assert [a["deduction"]["id"] for a in queue] == [d["id"]]
    assert_error_shape(guard.post(f"/deductions/{d['id']}/appeal/decision",
                      json={"upheld": True, "reason": "x"}), 403)
    r = login("manager1").post(f"/deductions/{d['id']}/appeal/decision", json={"upheld": True, "reason": "排班表证实"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "upheld" and body["deduction"]["status"] == "voided" and body["reversal"] is None
    audit = AuditLog.get((AuditLog.action == "deduction.appeal_decision"))
    assert audit.before["status"] == "active" and audit.after["status"] == "voided"
    assert_error_shape(login("manager1").post(f"/deductions/{d['id']}/appeal/decision",
                                  json={"upheld": False, "reason": "x"}), 409)


def test_someone_elses_notice_cannot_be_appealed_by_a_guard(login, org):
    d = notice(login("super1"), org, staff="guard3").get_json()
    assert_error_shape(login("guard1").post(f"/deductions/{d['id']}/appeal", json={"reason": "x"}), 404)
    # a supervisor may appeal for their staff
    assert login("super1").post(f"/deductions/{d['id']}/appeal", json={"reason": "代为申诉"}).status_code == 201


def test_appeal_upheld_after_close_books_a_reversing_entry_in_the_next_open_month(login, org):
    site = org["sites"]["LHY"].id
    sup, mgr = login("super1"), login("manager1")
    d = notice(sup, org, points=3).get_json()
    login("guard1").post(f"/deductions/{d['id']}/appeal", json={"reason": "非本人责任"})
    assert mgr.post(f"/ledger/2026-03/close?site_id={site}").status_code == 200
    assert mgr.post(f"/ledger/2026-04/close?site_id={site}").status_code == 200
    r = mgr.post(f"/deductions/{d['id']}/appeal/decision", json={"upheld": True, "reason": "核实不属实"})
    assert r.status_code == 200
    rev = r.get_json()["reversal"]
    assert rev["points"] == -3 and rev["reverses_id"] == d["id"] and rev["month"] == "2026-05"
    assert rev["amount"] == "-15.00"
    assert Deduction.get_by_id(d["id"]).status == "active"  # history is never edited
    march = mgr.get(f"/ledger/2026-03?site_id={site}").get_json()
    assert march["closed"] and march["totals"]["total"] == "15.00"
    may = mgr.get(f"/ledger/2026-05?site_id={site}").get_json()
    assert may["totals"]["total"] == "-15.00" and may["lines"][0]["reversed_points"] == -3
    assert LedgerMonth.select().count() == 2


def test_rejected_appeal_keeps_the_notice(login, org):
    d = notice(login("super1"), org).get_json()
    login("guard1").post(f"/deductions/{d['id']}/appeal", json={"reason": "不服"})
    r = login("manager1").post(f"/deductions/{d['id']}/appeal/decision", json={"upheld": False, "reason": "证据充分"})
    assert r.get_json()["status"] == "rejected" and r.get_json()["deduction"]["status"] == "active"
    assert login("manager1").get("/appeals").get_json()["items"] == []


def test_list_filters_by_month_and_staff(login, org):
    sup = login("super1")
    notice(sup, org, occurred_at="2026-02-10T09:00:00+08:00")
    notice(sup, org, staff="guard3")
    items = sup.get("/deductions?month=2026-03&staff_id=%d" % org["users"]["guard3"].id).get_json()["items"]
    assert len(items) == 1 and items[0]["staff"]["username"] == "guard3"
    assert_error_shape(sup.get("/deductions?month=2026-13"), 422)
