"""The gen_* factories make rows the product itself accepts: what they make can be logged in with,
listed, moved on and booked through the API, so tests built on them test the product, not the factory."""
from datetime import timedelta
from decimal import Decimal

import pytest

from api.models import Finding, WorkOrderEvent
from tests.factories import (ORDER_PATHS, PASSWORD, gen_checkpoint, gen_deduction, gen_failed_inspection,
                             gen_service_request, gen_site, gen_task, gen_user, gen_work_order, gen_zone, local_day)
from tests.helpers import assert_error_shape


def test_a_new_site_zone_checkpoint_and_user_work_together(client, org, login):
    site = gen_site(code="TST", name="测试苑")
    boss = gen_user("supervisor", [site], username="tst_boss")
    guard = gen_user("guard", [site], username="tst_guard", supervisor=boss)
    zone = gen_zone(site, code="Z1", responsible={"security": guard})
    cp = gen_checkpoint(zone, code="TST-CP-1")
    r = client.post("/api/v1/auth/login", json={"username": "tst_guard", "password": PASSWORD})
    assert r.status_code == 200 and r.get_json()["user"]["role"] == "guard"
    g = login("tst_guard")
    r = g.get("/checkpoints/by-code/TST-CP-1")
    assert r.status_code == 200 and r.get_json()["id"] == cp.id
    assert_error_shape(login("guard1").get("/checkpoints/by-code/TST-CP-1"), 404)  # another site's guard


def test_a_task_is_in_the_guards_list_for_its_day(org, login):
    cp = gen_checkpoint(org["zones"][("LHY", "A")], code="LHY-TEST-CP")
    task = gen_task(cp, day=local_day(1), assignee=org["users"]["guard1"])
    r = login("guard1").get(f"/tasks?date={local_day(1)}")
    assert r.status_code == 200
    ids = [t["id"] for t in r.get_json()["items"]] if isinstance(r.get_json(), dict) else [t["id"] for t in r.get_json()]
    assert task.id in ids


def test_an_inspection_with_a_failed_item_opens_its_finding(org, login):
    before = Finding.select().count()
    body = gen_failed_inspection(login("guard1"))
    assert Finding.select().count() == before + 1
    assert Finding.select().order_by(Finding.id.desc()).first().checklist_key == body["checklist_key"]


@pytest.mark.parametrize("status", ["open"] + list(ORDER_PATHS))
def test_a_work_order_in_each_status_got_there_through_its_transitions(org, login, status):
    order = gen_work_order(login, org, status=status)
    assert login("super1").get(f"/work-orders/{order['id']}").get_json()["status"] == status
    actions = [e.action for e in WorkOrderEvent.select().where(WorkOrderEvent.work_order == order["id"])
               .order_by(WorkOrderEvent.id)]
    assert [a for a in actions if a in ORDER_PATHS.get(status, ())] == list(ORDER_PATHS.get(status, ()))


def test_a_service_request_is_on_the_desks_list(org, login):
    req = gen_service_request(login("service1"), org, kind="repair", category="water_leak")
    r = login("service1").get("/requests")
    assert r.status_code == 200 and req["id"] in [x["id"] for x in r.get_json()["items"]]


def test_a_deduction_is_booked_at_the_fixture_policys_rate(org, login):
    d = gen_deduction(org, points=3)
    assert d.month == "2026-03" and d.yuan_per_point == Decimal("5.00") and d.points == 3
    r = login("super1").get(f"/deductions?month=2026-03&site_id={org['sites']['LHY'].id}")
    assert r.status_code == 200 and d.id in [x["id"] for x in r.get_json()["items"]]


def test_local_day_is_shanghais(org):
    assert local_day(1) - local_day(0) == timedelta(days=1)
