"""The scheduled messages and the appeal messages: the morning briefing, the weekly report to the
general manager (seed 003), the ledger reminder (deductions.ledger_due_day: "每月 1–5 日报送财务"),
the customer-service supervisor's end-of-day complaint summary, and appeals filed and decided."""
from datetime import datetime, timedelta, timezone

from api.domain.scheduler import tick
from api.models import Notification
from tests.factories import add_channel
from tests.helpers import PushPhone as Phone

UTC = timezone.utc
SCHEDULED = ["morning_briefing", "weekly_report", "ledger_due", "complaint_summary"]


def local(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=8)


def test_monday_the_first_brings_the_briefing_the_weekly_report_and_the_ledger_reminder(org, robot, time_machine):
    """Monday 1 June 2026: 07:30 the briefing, 08:00 the week's report, 09:00 May's ledger is due
    to finance by the 5th, 18:00 the day's complaints; each once however many passes run."""
    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url, events=SCHEDULED)
    for hh, mm in [(7, 0), (7, 30), (8, 0), (8, 1), (9, 0), (9, 30), (17, 59), (18, 0), (18, 5)]:
        time_machine.move_to(local(2026, 6, 1, hh, mm), tick=False)
        tick(steps=["scheduled", "deliver"])
    heads = [t.split("】")[0] + "】" for t in robot.texts()]
    assert heads == ["【早报】", "【周报 2026-W22】", "【台账】", "【今日投诉 2026-06-01】"]
    texts = robot.texts()
    assert texts[2] == f"【台账】{lhy.name} 2026-05 扣分台账须于 2026-06-05 前报财务。\nhttp://127.0.0.1:8501"
    assert "巡查完成" in texts[1] and "满意率" in texts[1]
    assert "受理 0，办结 0" in texts[3]
    keys = [n.key for n in Notification.select()]
    assert len(keys) == len(set(keys)) == 4


def test_the_ledger_reminder_stops_once_the_month_is_closed(org, robot, time_machine):
    from api.models import LedgerMonth, User

    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url, events=["ledger_due"])
    LedgerMonth.create(site=lhy, month="2026-05", closed_by=User.get(User.username == "manager1"))
    time_machine.move_to(local(2026, 6, 1, 9, 0), tick=False)
    tick(steps=["scheduled", "deliver"])
    assert robot.texts() == []


def test_an_appeal_goes_to_the_managers_and_its_decision_to_the_appellants_phone(org, login, robot, make_robot):
    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url, events=["appeal_filed"])
    phone = Phone(make_robot())
    guard = login("guard1")
    guard.post("/push/subscriptions", json=phone.subscription())
    d = login("super1").post("/deductions", json={
        "site_id": lhy.id, "staff_id": org["users"]["guard1"].id, "points": 2, "reason": "大堂地面有积水未处理",
        "problem_key": "lobby:floor_clean", "occurred_at": "2026-03-10T09:00:00+08:00"}).get_json()
    assert guard.post(f"/deductions/{d['id']}/appeal", json={"reason": "当时我在另一岗位"}).status_code in (200, 201)
    tick(steps=["deliver"])
    assert robot.texts()[0].startswith("【申诉】") and "当时我在另一岗位" in robot.texts()[0]
    r = login("manager1").post(f"/deductions/{d['id']}/appeal/decision", json={"upheld": True, "reason": "排班表证实"})
    assert r.status_code == 200, r.get_json()
    tick(steps=["deliver"])
    (_, msg), = phone.messages()
    assert msg["title"] == "申诉结果" and "申诉成立" in msg["body"] and "排班表证实" in msg["body"]


def test_the_assignee_hears_the_moment_a_response_limit_passes(org, login, make_robot, time_machine):
    """"紧急维修 2 小时内响应" (seed 001): at 11:01 the technician's phone says the 11:00 limit passed."""
    from api.db import write_tx
    from api.domain.workorders import create_work_order

    phone = Phone(make_robot())
    time_machine.move_to(local(2026, 3, 16, 9, 0), tick=False)
    login("tech1").post("/push/subscriptions", json=phone.subscription())
    with write_tx():
        order = create_work_order(site=org["sites"]["LHY"], created_by=org["users"]["super1"], trade="engineering",
                                  title="水泵房漏水", priority="emergency", zone=org["zones"][("LHY", "A")],
                                  assignee=org["users"]["tech1"])
    for t in (local(2026, 3, 16, 11, 0), local(2026, 3, 16, 11, 1), local(2026, 3, 16, 11, 2)):
        time_machine.move_to(t, tick=False)
        tick(steps=["deadlines", "deliver"])
    bodies = [m["body"] for _, m in phone.messages()]
    assert bodies[0].startswith(f"【工单 #{order.id}】")  # assigned
    assert bodies[1:] == [f"【超时 #{order.id}】{org['sites']['LHY'].name} · {org['zones'][('LHY', 'A')].name}："
                          f"水泵房漏水 未在 03-16 11:00 前响应。"]


def test_a_finished_request_due_for_its_revisit_is_announced_once(org, robot, time_machine):
    from api.models import ServiceRequest, User

    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url, events=["revisit_due"])
    time_machine.move_to(local(2026, 3, 16, 9, 0), tick=False)
    desk = User.get(User.username == "service1")
    req = ServiceRequest.create(site=lhy, kind="repair", channel="phone", description="厨房漏水", building="5",
                                room="302", status="done", created_by=desk, handler=desk,
                                done_at=local(2026, 3, 13, 9).replace(tzinfo=None),
                                revisit_due=local(2026, 3, 16, 8, 0).replace(tzinfo=None))
    tick(steps=["revisits", "deliver"])
    tick(steps=["revisits", "deliver"])
    assert robot.texts() == [f"【回访到期】客服单 #{req.id} {lhy.name} · 5栋302：请于 03-16 08:00 前回访。\nhttp://127.0.0.1:8501"]
