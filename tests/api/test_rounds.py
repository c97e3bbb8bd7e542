"""GET /rounds: a day's rounds as walked, each point early / on time / late / missed / out of
order, with its proof of presence (按顺序巡更; 漏巡、迟巡 are told apart)."""
from datetime import datetime, timedelta

from tests.factories import body_for
from tests.factories import local_day


def _at(iso, minutes):
    return (datetime.fromisoformat(iso.replace("Z", "+00:00")) + timedelta(minutes=minutes)).isoformat()


def _walk(guard, point, minutes, **extra):
    at = _at(point["due_at"], minutes) if minutes is not None else None
    body = body_for(key=point["checklist_key"], code=point["checkpoint"]["code"], **extra)
    body["started_at"] = _at(at, -2) if at else body["started_at"]
    body["finished_at"] = at or body["finished_at"]
    r = guard.post("/inspections", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_yesterdays_round_shows_order_lateness_and_misses(login):
    from api.domain.schedules import ensure_tasks
    from api.models import Site

    sup, guard = login("super1"), login("guard1")
    day = local_day(-1)
    for site in Site.select():  # yesterday's tasks, as the worker made them
        ensure_tasks(site, day)
    rounds = sup.get(f"/rounds?date={day}").get_json()["items"]
    walk = next(r for r in rounds if len(r["points"]) >= 4)
    p = walk["points"]
    window = (datetime.fromisoformat(p[2]["window_end"].rstrip("Z")) - datetime.fromisoformat(
        p[2]["due_at"].rstrip("Z"))).total_seconds() / 60
    _walk(guard, p[0], 10)
    _walk(guard, p[1], 5, presence={"method": "typed", "reason": "标签脏了"})   # before p[0]: out of order
    _walk(guard, p[2], window + 15)                                          # after its window: late
    again = next(r for r in sup.get(f"/rounds?date={day}").get_json()["items"]
                 if r["schedule"]["id"] == walk["schedule"]["id"] and r["due_at"] == walk["due_at"])
    points = again["points"]
    assert [q["timing"] for q in points[:4]] == ["on_time", "on_time", "late", "missed"]
    assert [q["out_of_order"] for q in points[:3]] == [False, True, False]
    assert points[1]["presence_method"] == "typed" and points[1]["presence_flag"] == "typed_code"
    assert points[2]["status"] == "missed" and points[2]["walked_at"] is not None
    assert again["counts"]["late"] == 1 and again["counts"]["out_of_order"] == 1
    assert again["counts"]["missed"] == len(points) - 3


def test_a_guard_sees_rounds_and_tasks_carry_their_window(login):
    guard = login("guard1")
    r = guard.get(f"/rounds?date={local_day(0)}")
    assert r.status_code == 200 and r.get_json()["items"]
    task = guard.get(f"/tasks?date={local_day(0)}").get_json()["items"][0]
    assert task["window_start"] < task["due_at"] < task["window_end"]
