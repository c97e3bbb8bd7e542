"""Figures that mean what their names say (api/domain/reports.py), checked against a hand count.

Seed 002 六: 「日常報修維修工作(重點關注維修的及時性、收費合理性及返修率)」 — timeliness and the rework
rate are the figures the office is judged by, so an order that is days late must count as late
before anyone finishes it.
"""
from datetime import timedelta

import pytest

from api.domain.reports import score_parts
from api.models import WorkOrder, WorkOrderEvent, utcnow
from tests.factories import gen_inspection
from tests.factories import gen_photo, make_order, move


def _set(order_id, **fields):
    WorkOrder.update(**fields).where(WorkOrder.id == order_id).execute()


def test_an_overdue_open_order_lowers_the_on_time_rates(login, org):
    """Hand count, engineering orders of LHY:
    A accepted in time, finished in time        -> respond on time, finish on time
    B accepted in time, finished after resolve_by -> respond on time, finish late
    C never accepted, 3 days past both deadlines -> respond late, finish late (still open)
    D never accepted, deadlines still ahead      -> not counted yet
    完成及时率 = 1/3 (A of A, B, C); 响应及时率 = 2/3 (A, B of A, B, C)."""
    sup, tech = login("super1"), login("tech1")
    now = utcnow()
    a, b, c, d = (make_order(sup, org, title=f"工单{x}") for x in "ABCD")
    for o in (a, b):
        move(tech, o["id"], "accept")
        move(tech, o["id"], "finish", photo_ids=[gen_photo(org, seed=str(o["id"]))])
    _set(b["id"], resolve_by=now - timedelta(hours=1), done_at=now)
    _set(c["id"], respond_by=now - timedelta(days=3), resolve_by=now - timedelta(days=2))
    site = org["sites"]["LHY"].id
    eng = {g["key"]: g for g in sup.get(f"/reports/work-orders?site_id={site}&by=trade").get_json()["groups"]}[
        "engineering"]
    assert (eng["resolve_counted"], eng["resolve_late"], eng["resolve_sla"]) == (3, 2, round(1 / 3, 4))
    assert (eng["respond_counted"], eng["respond_late"], eng["respond_sla"]) == (3, 1, round(2 / 3, 4))
    assert eng["overdue"] == 1  # C
    today = sup.get(f"/reports/summary?site_id={site}").get_json()
    assert today["sla_30d"]["resolve"] == round(1 / 3, 4)  # the Today page says the same
    assert d["id"] not in (a["id"], b["id"], c["id"])


def test_a_reopened_order_gets_new_deadlines_from_the_reopening(login, org):
    """Seed 002: 「維修效果不理想、客戶有異議的,及時將信息傳遞給維修部門負責人」 — the rework starts now,
    with a fresh 24 h to respond (normal priority), not the old respond-by that passed days ago."""
    sup, tech = login("super1"), login("tech1")
    o = make_order(sup, org)
    move(tech, o["id"], "accept")
    move(tech, o["id"], "finish", photo_ids=[gen_photo(org)])
    _set(o["id"], respond_by=utcnow() - timedelta(days=3), resolve_by=utcnow() - timedelta(days=2))
    body = move(sup, o["id"], "verify", satisfied=False, note="仍然漏水").get_json()
    reopened_at = WorkOrderEvent.select().where((WorkOrderEvent.work_order == o["id"])
                                                & (WorkOrderEvent.action == "verify")).get().at
    row = WorkOrder.get_by_id(o["id"])
    assert row.respond_by - reopened_at == timedelta(hours=24)
    assert row.resolve_by > row.respond_by
    assert body["overdue"] is None and body["escalation_level"] == 0
    assert sup.post("/work-orders/escalate").get_json()["escalated"] == []  # not escalated the same minute


@pytest.mark.parametrize("parts,score", [
    # pass rate, on time, rework rate, complaints (weights 50/25/15/10, allowance 5)
    ((1.0, 1.0, 0.0, 0), 100.0),
    ((1.0, 0.5, 0.0, 0), 87.5),     # half the orders late: -12.5
    ((1.0, 1.0, 0.5, 0), 92.5),     # half the orders reworked: -7.5
    ((1.0, 1.0, 0.0, 5), 90.0),     # five complaints use up the complaint part
    ((0.8, None, None, 0), round(100 * (0.8 * 50 + 10) / 60, 1)),  # no orders: on time and rework left out
    ((None, None, None, 0), None),  # nobody inspected, no orders: no score, not full marks
])
def test_zone_score_is_the_policy_weighted_mean_of_its_parts(parts, score):
    weights = {"pass_rate_weight": 50, "on_time_weight": 25, "rework_weight": 15, "complaint_weight": 10,
               "complaint_allowance": 5}
    pr, on_time, rework, complaints = parts
    out = score_parts(pass_rate=pr, on_time=on_time, rework_rate=rework, complaints=complaints, weights=weights)
    assert out["score"] == score
    if score is None:
        return
    assert abs(sum(c["points"] for c in out["components"] if c["points"] is not None) - score) <= 0.15
    assert [c["key"] for c in out["components"]] == ["pass_rate", "on_time", "rework", "complaints"]


def test_an_overdue_order_moves_its_zone_down_the_ranking(login, org):
    sup = login("super1")
    for code in ("LHY-T1-LOBBY", "LHY-T4-LOBBY"):  # zones A and B: the same clean round each
        gen_inspection(org, code, {"a": "pass", "b": "pass"}, utcnow() - timedelta(minutes=5))
    late = make_order(sup, org)  # zone A
    make_order(sup, org, zone_id=org["zones"][("LHY", "B")].id)
    _set(late["id"], respond_by=utcnow() - timedelta(days=2), resolve_by=utcnow() - timedelta(days=1))
    month = utcnow().strftime("%Y-%m")
    zones = {z["code"]: z for z in sup.get(
        f"/reports/zone-ranking?site_id={org['sites']['LHY'].id}&month={month}").get_json()["zones"]}
    a, b = zones["A"], zones["B"]
    assert a["orders_late"] == 1 and a["orders_on_time_rate"] == 0.0
    on_time = next(c for c in a["components"] if c["key"] == "on_time")
    assert on_time["value"] == 0.0 and on_time["points"] == 0.0
    assert a["score"] < b["score"] and b["rank"] < a["rank"]


def test_an_order_from_a_failed_item_says_what_failed_and_where(login, org):
    """A checklist item is the standard (「空气清新，无异味」); alone as a title it reads as "all fine"."""
    from api.models import Checkpoint, Finding

    cp = Checkpoint.get(Checkpoint.code == "LHY-T1-LOBBY")
    f = Finding.create(site=cp.site, zone=cp.zone, checkpoint=cp, title="空气清新，无异味", trade="cleaning",
                       checklist_key="lobby", item_key="air_fresh", reported_by=org["users"]["guard1"])
    o = login("super1").post("/work-orders", json={"finding_ids": [f.id]}).get_json()
    assert o["title"] == f"不合格：空气清新，无异味（{cp.name}）"
