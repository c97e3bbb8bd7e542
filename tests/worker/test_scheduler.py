"""On time without anyone looking: the worker's pass escalates, marks missed rounds and sends the
briefings at the minutes the rules give, under a frozen clock, and a GET changes nothing.

Seed 001 (报修处理程序): "紧急维修 2 小时内响应" — the response limit an emergency order misses;
policy.yaml escalation: overdue -> the supervisor at once, still overdue 24 h later -> the manager.
Seed 003 (投诉处理): a complaint within the desk's scope is handled "不得超过当日".
"""
from datetime import date, datetime, timedelta, timezone

import pytest

from api.domain.scheduler import tick
from api.models import (Notification, RequestEvent, ServiceRequest, Task, User, WorkOrder, WorkOrderEvent,
                        utcnow)
from tests.worker.conftest import add_channel

UTC = timezone.utc
SH = timedelta(hours=8)


def local(y, m, d, hh, mm=0):
    """A Shanghai wall-clock time as an aware UTC datetime (what time-machine is moved to)."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - SH


def minutes(start, end):
    t = start
    while t <= end:
        yield t
        t += timedelta(minutes=1)


def escalations(model, event_model, fk, obj_id):
    return [(e.data["level"], e.at) for e in event_model.select().where(
        (getattr(event_model, fk) == obj_id) & (event_model.action == "escalate")).order_by(event_model.id)]


@pytest.fixture
def lhy(org):
    return org["sites"]["LHY"]


def test_an_emergency_order_escalates_at_the_policy_minutes_across_the_qingming_weekend(org, lhy, robot,
                                                                                       time_machine):
    """Friday 3 April 2026 09:00 an emergency order is made and nobody accepts it. Its 2-hour response
    limit passes at 11:00; the worker moves it to the supervisor in that minute's pass and to the
    manager 24 h later, Saturday 11:00, in the middle of the Qingming holiday (4–6 April) — with no
    page open, and the group robot told at each step."""
    from api.db import write_tx
    from api.domain.workorders import create_work_order

    add_channel(lhy, robot.url)
    time_machine.move_to(local(2026, 4, 3, 9, 0), tick=False)
    with write_tx():
        order = create_work_order(site=lhy, created_by=org["users"]["super1"], trade="engineering",
                                  title="3 栋电梯困人", priority="emergency", zone=org["zones"][("LHY", "A")])
    assert order.respond_by == datetime(2026, 4, 3, 3, 0)  # 11:00 Shanghai

    seen = {}
    for t in list(minutes(local(2026, 4, 3, 10, 58), local(2026, 4, 3, 11, 2))) + \
            list(minutes(local(2026, 4, 4, 10, 58), local(2026, 4, 4, 11, 2))):
        time_machine.move_to(t, tick=False)
        tick(steps=["escalate", "deliver"])
        seen[t] = WorkOrder.get_by_id(order.id).escalation_level
    assert seen[local(2026, 4, 3, 11, 0)] == 0  # the limit itself: not yet missed
    assert seen[local(2026, 4, 3, 11, 1)] == 1  # the first pass after it: the supervisor
    assert seen[local(2026, 4, 4, 10, 59)] == 1
    assert seen[local(2026, 4, 4, 11, 0)] == 2  # 24 h after the missed limit, on the holiday Saturday
    assert [lvl for lvl, _ in escalations(WorkOrder, WorkOrderEvent, "work_order", order.id)] == [1, 2]
    texts = robot.texts()
    assert texts[0].startswith(f"【紧急工单 #{order.id}】") and "04-03 11:00" in texts[0]
    assert any(t.startswith(f"【升级至主管 #{order.id}】") for t in texts)
    assert any(t.startswith(f"【升级至经理 #{order.id}】") and "自 04-03 11:00 起超时未响应" in t for t in texts)
    assert len(texts) == 3 and f"/m/#/orders/{order.id}" in texts[-1]


def test_a_late_first_look_does_not_delay_the_manager(org, lhy, time_machine):
    """An order overdue since Monday 09:00 reaches the manager on Tuesday 09:00 even when the
    worker's first pass after the deadline (or the first person to look) comes on Wednesday."""
    from api.db import write_tx
    from api.domain.workorders import create_work_order

    time_machine.move_to(local(2026, 3, 15, 9, 0), tick=False)  # Sunday 09:00: normal, 24 h to respond
    with write_tx():
        order = create_work_order(site=lhy, created_by=org["users"]["super1"], trade="engineering",
                                  title="车库照明不亮", priority="normal", zone=org["zones"][("LHY", "A")])
    assert order.respond_by == datetime(2026, 3, 16, 1, 0)  # Monday 09:00
    time_machine.move_to(local(2026, 3, 18, 9, 0), tick=False)  # Wednesday: the first pass in days
    tick(steps=["escalate"])
    events = escalations(WorkOrder, WorkOrderEvent, "work_order", order.id)
    assert [lvl for lvl, _ in events] == [1, 2]
    data = [e.data for e in WorkOrderEvent.select().where((WorkOrderEvent.work_order == order.id)
                                                          & (WorkOrderEvent.action == "escalate"))]
    assert data[1]["since"] == "2026-03-17T01:00:00"  # due at the manager on Tuesday 09:00


def test_a_complaint_escalates_by_the_same_engine_from_its_missed_limit(org, lhy, robot, time_machine):
    """A complaint received on Friday 3 April 20:00 is due by 24:00 that day (seed 003 "不得超过当日");
    at 00:01 on the holiday Saturday it is with the customer-service supervisor, at 00:00 on Sunday
    with the deputy general manager: the same minutes an order's missed limit would give."""
    from api.db import write_tx
    from api.domain.service_requests import desk as request_desk

    add_channel(lhy, robot.url)
    time_machine.move_to(local(2026, 4, 3, 20, 0), tick=False)
    desk = org["users"]["service1"]
    with write_tx():
        req, _ = request_desk.register(request_desk.NewRequest(site_id=lhy.id, kind="complaint", channel="phone", category="other",
                                           received_at=utcnow(),
                                           description="楼上装修噪音", owner_name="李女士", owner_phone="13800001234",
                                           building="3", unit="2", room="1201", client_id="c-qingming-1"),
                             desk, visible_sites=[lhy.id])
    assert req.due_at == datetime(2026, 4, 3, 16, 0)  # 24:00 Shanghai
    levels = {}
    for t in [local(2026, 4, 4, 0, 0), local(2026, 4, 4, 0, 1), local(2026, 4, 4, 23, 59), local(2026, 4, 5, 0, 0)]:
        time_machine.move_to(t, tick=False)
        tick(steps=["escalate", "deliver"])
        levels[t] = ServiceRequest.get_by_id(req.id).escalation_level
    assert list(levels.values()) == [0, 1, 1, 2]
    assert [lvl for lvl, _ in escalations(ServiceRequest, RequestEvent, "request", req.id)] == [1, 2]
    texts = robot.texts()
    assert [t.split("】")[0] for t in texts] == [f"【投诉 #{req.id} 上报客服主管", f"【投诉 #{req.id} 上报主管副总经理/值班经理"]
    assert "3栋2单元1201" in texts[0] and "李女士" not in "".join(texts) and "1380000" not in "".join(texts)


def test_reading_lists_and_details_changes_nothing(org, lhy, login, time_machine):
    """GET handlers are read-only: an overdue order or request stays as it was until the worker runs."""
    from api.db import write_tx
    from api.domain.workorders import create_work_order

    time_machine.move_to(local(2026, 3, 16, 9, 0), tick=False)
    with write_tx():
        order = create_work_order(site=lhy, created_by=org["users"]["super1"], trade="engineering",
                                  title="路灯不亮", priority="emergency", zone=org["zones"][("LHY", "A")])
    time_machine.move_to(local(2026, 3, 17, 9, 0), tick=False)
    sup, desk = login("super1"), login("service1")
    before = (WorkOrderEvent.select().count(), RequestEvent.select().count(), Task.select().count(),
              Notification.select().count())
    for api, path in [(sup, "/work-orders"), (sup, f"/work-orders/{order.id}"), (sup, "/work-orders?overdue=true"),
                      (desk, "/requests"), (desk, f"/requests/escalated?site_id={lhy.id}"),
                      (desk, f"/requests/revisit-due?site_id={lhy.id}"), (sup, f"/reports/summary?site_id={lhy.id}"),
                      (sup, "/tasks"), (sup, "/tasks/summary"),
                      (sup, f"/requests/stats?site_id={lhy.id}&month=2026-03")]:
        assert api.get(path).status_code == 200, path
    after = (WorkOrderEvent.select().count(), RequestEvent.select().count(), Task.select().count(),
             Notification.select().count())
    assert after == before and WorkOrder.get_by_id(order.id).escalation_level == 0
    tick(steps=["escalate"])
    assert WorkOrder.get_by_id(order.id).escalation_level == 1  # 22 h past its 11:00 limit


def test_missed_rounds_are_marked_and_reported_per_zone(org, lhy, robot, time_machine):
    """漏巡: a round whose window ended undone is missed; the site's group hears it once per zone."""
    add_channel(lhy, robot.url)
    time_machine.move_to(local(2026, 3, 16, 0, 5), tick=False)
    tick(steps=["tasks"])
    day = date(2026, 3, 16)
    assert Task.select().where((Task.site == lhy) & (Task.date == day)).count() > 20
    time_machine.move_to(local(2026, 3, 16, 23, 59), tick=False)
    tick(steps=["missed_rounds", "deliver"])
    missed = Task.select().where((Task.site == lhy) & (Task.date == day) & (Task.status == "missed")).count()
    assert missed > 0 and not Task.select().where((Task.date == day) & (Task.status == "due")
                                                  & (Task.window_end < utcnow())).exists()
    texts = robot.texts()
    assert texts and all(t.startswith("【漏巡】") for t in texts)
    zones = {t.split(" · ")[1].split("：")[0] for t in texts}
    assert zones <= {z.name for (code, _), z in org["zones"].items() if code == "LHY"} and len(zones) >= 2
    keys = [n.key for n in Notification.select().where(Notification.event == "missed_round")]
    assert len(keys) == len(set(keys)) == len(texts)
    tick(steps=["missed_rounds", "deliver"])  # again: nothing new
    assert len(robot.texts()) == len(texts)


def test_the_morning_briefing_arrives_once_and_reads_well(org, lhy, robot, time_machine):
    """Supervisors and the manager get yesterday's rounds by zone, open and overdue orders and new
    complaints at 07:30 site time, once, however many passes run."""
    from api.db import write_tx
    from api.domain.workorders import create_work_order

    add_channel(lhy, robot.url, events=["morning_briefing"])
    time_machine.move_to(local(2026, 3, 15, 0, 5), tick=False)
    tick(steps=["tasks"])
    with write_tx():
        create_work_order(site=lhy, created_by=org["users"]["super1"], trade="engineering", title="井盖松动",
                          priority="emergency", zone=org["zones"][("LHY", "A")])
    time_machine.move_to(local(2026, 3, 16, 7, 29), tick=False)
    tick()
    assert robot.texts() == []
    for t in (local(2026, 3, 16, 7, 30), local(2026, 3, 16, 7, 31), local(2026, 3, 16, 9, 0)):
        time_machine.move_to(t, tick=False)
        tick()
    texts = robot.texts()
    assert len(texts) == 1
    text = texts[0]
    assert text.startswith(f"【早报】{lhy.name} 2026-03-16")
    assert "昨日巡查：完成 0，漏巡" in text and "工单：未完成 1，其中超时 1，紧急 1" in text
    assert "昨日新投诉 0" in text


def test_old_records_are_pruned(org, time_machine):
    from api.models import ApiToken, LoginFailure

    time_machine.move_to(local(2026, 3, 16, 9, 0), tick=False)
    LoginFailure.create(key="user:x", at=utcnow() - timedelta(days=2))
    LoginFailure.create(key="user:y", at=utcnow())
    ApiToken.create(user=User.get(User.username == "guard1"), token_hash="a" * 64,
                    expires_at=utcnow() - timedelta(days=2))
    out = tick(steps=["prune"])["prune"]
    assert out["login_failures"] == 1 and out["tokens"] == 1
    assert LoginFailure.select().where(LoginFailure.key == "user:y").exists()
