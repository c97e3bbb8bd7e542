"""Seed 003's differences between complaints, suggestions and special complaints, over the API and
in the pure time-limit functions."""
import copy
import os
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from api.domain.service_requests import limits, stats
from api.domain.policy import load_policy
from api.models import RequestEvent, ServiceRequest

SH = ZoneInfo("Asia/Shanghai")
POLICY = load_policy(os.path.join(os.path.dirname(__file__), "..", "..", "checklists", "policy.yaml"))


def utc(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=SH).astimezone(timezone.utc).replace(tzinfo=None)


def body(org, **over):
    b = {"site_id": org["sites"]["LHY"].id, "kind": "complaint", "channel": "phone", "category": "facility",
         "owner_name": "李四", "owner_phone": "13900001111", "building": "5", "unit": "1", "room": "502",
         "description": "建议在 5 号楼门口加装雨棚", "owner_ask": ""}
    b.update(over)
    return b


def received(days_ago, hour=10):
    return (datetime.now(SH).replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(days=days_ago))


def test_a_suggestion_has_no_complaint_limit():
    """Seed 003 业主投诉处理暂行规定 1: 均视为投诉（不含业主/租户对大厦管理的建议及善意的批评）."""
    d = limits.request_deadlines(POLICY, "suggestion", "normal", "desk", utc(2025, 5, 20, 23, 50), SH)
    assert d == {"respond_by": None, "due_at": None}
    assert limits.request_deadlines(POLICY, "suggestion", "normal", "transferred", utc(2025, 5, 20, 9), SH,
                                urgent=True)["due_at"] is None


def test_a_suggestion_is_never_escalated_as_a_complaint(login, org):
    """Seed 003 业主投诉处理暂行规定 1: 不含业主/租户对大厦管理的建议及善意的批评 — a suggestion left open
    for days is not a complaint past its day, even marked urgent."""
    desk = login("service1")
    r = desk.post("/requests", json=body(org, kind="suggestion", urgent=True,
                                          received_at=received(3).isoformat()))
    assert r.status_code == 201, r.get_json()
    got = r.get_json()
    assert got["due_at"] is None and got["escalation_level"] == 0 and got["overdue"] is False
    complaint = desk.post("/requests", json=body(org, description="5 号楼门口积水无人处理",
                                                 received_at=received(3).isoformat())).get_json()
    steps = desk.post("/requests/escalate").get_json()["escalated"]
    assert {s["id"] for s in steps} == {complaint["id"]}
    assert not RequestEvent.select().where((RequestEvent.request == got["id"])
                                           & (RequestEvent.action == "escalate")).exists()
    # and transferring it to a department gives it no three-day limit either
    t = desk.post(f"/requests/{got['id']}/transitions", json={"action": "transfer", "trade": "engineering"})
    assert t.status_code == 200, t.get_json()
    assert t.get_json()["due_at"] is None
    assert ServiceRequest.get_by_id(got["id"]).escalation_level == 0


def test_a_special_complaint_settled_on_day_three_is_on_time():
    """Seed 003 业主投诉处理暂行规定 6: 普通投诉的处理一般不过当日，特殊投诉的处理一般不超过三天."""
    got = utc(2025, 6, 9, 10, 0)  # Monday 10:00
    d = limits.request_deadlines(POLICY, "complaint", "normal", "desk", got, SH, urgent=True)
    assert d["due_at"] == utc(2025, 6, 13)  # 24:00 of Thursday, the third day after the day received
    ordinary = limits.request_deadlines(POLICY, "complaint", "normal", "desk", got, SH)
    assert ordinary["due_at"] == utc(2025, 6, 10)  # the same day
    row = {"status": "done", "due_at": d["due_at"], "respond_by": None, "responded_at": got,
           "now": utc(2025, 6, 20)}
    assert stats.on_time(dict(row, done_at=utc(2025, 6, 11, 16))) is True  # day three counting the day received
    assert stats.on_time(dict(row, done_at=utc(2025, 6, 12, 23, 59))) is True
    assert stats.on_time(dict(row, done_at=utc(2025, 6, 13, 0, 1))) is False


def test_special_days_are_policy():
    """Seed 003 暂行规定 6 (特殊投诉……一般不超过三天): a company may count working days or allow fewer."""
    p = copy.deepcopy(POLICY)
    p["complaints"].update(special_days=2, special_days_kind="working")
    got = utc(2025, 6, 6, 10, 0)  # Friday
    assert limits.request_deadlines(p, "complaint", "normal", "desk", got, SH, urgent=True)["due_at"] == utc(2025, 6, 11)


def test_a_special_complaint_goes_to_the_duty_manager_and_has_three_days(login, org):
    """Seed 003 暂行规定 5B (特殊或紧急投诉……立即反映给当值的部门经理) and 6 (不超过三天): registered two
    days ago and still open, it is not late."""
    desk = login("service1")
    got = desk.post("/requests", json=body(org, urgent=True, description="车库入口道闸砸车",
                                           received_at=received(2).isoformat())).get_json()
    assert got["escalation_level"] == 2
    assert got["overdue"] is False
    due = datetime.fromisoformat(got["due_at"].replace("Z", "+00:00")).astimezone(SH)
    assert due.date() == (received(2) + timedelta(days=4)).date() and due.hour == 0
    assert [e["data"]["reason"] for e in got["events"] if e["action"] == "escalate"] == ["urgent"]
