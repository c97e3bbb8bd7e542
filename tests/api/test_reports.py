"""Reports: today's figures, pass rate by checklist/zone, zone ranking, work-order SLA/MTTR/rework, users, audit."""
import uuid
from datetime import datetime, timedelta, timezone

from api.models import (Checklist, ChecklistVersion, Checkpoint, Inspection, ItemResult, WorkOrder, utcnow)
from tests.factories import gen_finding, gen_inspection, gen_photo, make_order, move, notice
from tests.helpers import assert_error_shape


def test_pass_rate_by_checklist_per_local_day(login, org):
    site = org["sites"]["LHY"].id
    # 23:30 Shanghai on 9 March is still the 9th; 00:30 on the 10th is the 10th
    gen_inspection(org, "LHY-T1-LOBBY", {"a": "pass", "b": "pass", "c": "fail"}, datetime(2026, 3, 9, 15, 30))
    gen_inspection(org, "LHY-T2-LOBBY", {"a": "pass", "b": "na"}, datetime(2026, 3, 9, 16, 30))
    r = login("super1").get(f"/reports/pass-rate?site_id={site}&since=2026-03-01&until=2026-03-31&group=checklist")
    assert r.status_code == 200, r.get_json()
    series = r.get_json()["series"]
    assert [(p["period"], p["passed"], p["failed"]) for p in series] == [("2026-03-09", 2, 1), ("2026-03-10", 1, 0)]
    assert series[0]["key"] == "lobby" and series[0]["pass_rate"] == round(2 / 3, 4)
    monthly = login("super1").get(
        f"/reports/pass-rate?site_id={site}&since=2026-03-01&until=2026-03-31&group=zone&interval=month").get_json()
    assert [(p["period"], p["passed"], p["failed"], p["inspections"]) for p in monthly["series"]] == [
        ("2026-03-01", 3, 1, 2)]


def test_zone_ranking_puts_the_cleaner_zone_first(login, org):
    site = org["sites"]["LHY"].id
    gen_inspection(org, "LHY-T1-LOBBY", {"a": "pass", "b": "pass"}, datetime(2026, 3, 5, 2, 0))   # zone A
    gen_inspection(org, "LHY-T4-LOBBY", {"a": "fail", "b": "pass"}, datetime(2026, 3, 5, 2, 0))   # zone B
    body = login("manager1").get(f"/reports/zone-ranking?site_id={site}&month=2026-03").get_json()
    ranked = [(z["code"], z["rank"]) for z in body["zones"]]
    assert ranked[0] == ("A", 1) and ranked[1] == ("B", 2)
    assert body["zones"][0]["score"] == 100.0 and body["zones"][1]["pass_rate"] == 0.5


def test_work_order_report_sla_mttr_and_rework_by_trade(login, org):
    sup, tech = login("super1"), login("tech1")
    a = make_order(sup, org)
    b = make_order(sup, org)
    make_order(sup, org, trade="cleaning", title="清洁")
    for o in (a, b):
        move(tech, o["id"], "accept")
        move(tech, o["id"], "finish", photo_ids=[gen_photo(org, seed=str(o["id"]))])
    move(sup, b["id"], "verify", satisfied=False)
    late = WorkOrder.get_by_id(a["id"])
    late.accepted_at = late.created_at + timedelta(hours=30)
    late.save()
    r = sup.get(f"/reports/work-orders?site_id={org['sites']['LHY'].id}&by=trade")
    assert r.status_code == 200, r.get_json()
    groups = {g["key"]: g for g in r.get_json()["groups"]}
    eng = groups["engineering"]
    assert eng["orders"] == 2 and eng["reopened"] == 1 and eng["completed"] == 2 and eng["rework_rate"] == 0.5
    assert eng["respond_sla"] == 0.5  # one accepted at once, one 30 h after creation
    assert eng["mean_respond_hours"] == 15.0
    assert groups["cleaning"]["orders"] == 1 and groups["cleaning"]["mean_resolve_hours"] is None
    assert r.get_json()["overall"]["orders"] == 3
    people = sup.get(f"/reports/work-orders?site_id={org['sites']['LHY'].id}&by=person").get_json()["groups"]
    assert {p["username"] for p in people} == {"tech1", "cleaner1"}


def test_summary_counts_today(login, org, time_machine):
    """The worker escalates the overdue order (no page has to be open); the summary only reads."""
    from api.domain.scheduler import tick

    time_machine.move_to(datetime(2026, 12, 2, 4, 0, tzinfo=timezone.utc), tick=False)  # 12:00 in Shanghai
    sup = login("super1")
    gen_finding(org)
    o = make_order(sup, org)
    WorkOrder.update(respond_by=utcnow() - timedelta(minutes=5)).where(WorkOrder.id == o["id"]).execute()
    notice(sup, org, occurred_at=utcnow().isoformat() + "+00:00", points=4)
    tick(steps=["escalate"])
    r = sup.get(f"/reports/summary?site_id={org['sites']['LHY'].id}")
    assert r.status_code == 200, r.get_json()
    s = r.get_json()
    assert s["findings"]["open"] == 1 and s["findings"]["new_today"] == 1
    assert s["work_orders"]["open"] == 1 and s["work_orders"]["overdue"] == 1 and s["work_orders"]["escalated"] == 1
    assert s["deductions_month"]["points"] == 4
    assert s["rounds"] is None or set(s["rounds"]) == {"done", "due", "missed", "total"}


def test_reports_are_for_supervisors_and_their_sites(login, org):
    assert_error_shape(login("guard1").get("/reports/zone-ranking"), 403)
    assert_error_shape(login("super3").get(f"/reports/summary?site_id={org['sites']['LHY'].id}"), 404)
    r = login("super1").get("/reports/pass-rate?since=2026-03-10&until=2026-03-01")
    assert_error_shape(r, 422)


def test_users_picker_lists_staff_of_the_site_by_role(login, org):
    sup = login("super1")
    techs = sup.get(f"/users?site_id={org['sites']['LHY'].id}&role=technician").get_json()
    assert {u["username"] for u in techs} == {"tech1", "garden1"}
    assert "password_hash" not in techs[0]
    assert_error_shape(login("guard1").get("/users"), 403)
    assert_error_shape(login("super1").get(f"/users?site_id={org['sites']['HQT'].id}"), 404)


def test_audit_is_for_managers_and_shows_deductions_before_and_after(login, org):
    sup = login("super1")
    d = notice(sup, org).get_json()
    assert_error_shape(sup.get("/audit"), 403)
    items = login("manager1").get(f"/audit?object_type=deduction&object_id={d['id']}").get_json()["items"]
    assert [i["action"] for i in items] == ["deduction.create"] and items[0]["after"]["points"] == 2
    assert_error_shape(login("super3").get("/audit"), 403)


def test_a_month_of_year_zero_is_refused_not_a_server_error(login, org):
    """Found by schemathesis 4: ``month=0000-01`` reached the calendar and answered 500."""
    r = login("manager1").get("/reports/zone-ranking?month=0000-01")
    assert_error_shape(r, 422, field="month")
