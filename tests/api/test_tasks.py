"""GET /tasks and /tasks/summary: the day's tasks per role, due/done/missed against now."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from api.domain import schedules as sch

NOON = datetime(2026, 3, 16, 4, 0, tzinfo=timezone.utc)  # Monday 12:00 in Shanghai


@pytest.fixture(autouse=True)
def the_worker_made_the_days_tasks(org, time_machine):
    """A frozen clock (no test depends on the hour it runs at) and the worker's pass that makes
    the coming days' tasks: GET /tasks only reads them."""
    from api.domain.scheduler import tick

    time_machine.move_to(NOON, tick=False)
    tick(steps=["tasks"])


def local_day(offset):
    return sch.local_today("Asia/Shanghai") + timedelta(days=offset)


def complete_one(org, task_json):
    """An inspection of a task's checkpoint, finished inside its window (as the inspection write does)."""
    from datetime import datetime

    from api.domain.checklist_versions import current_versions
    from api.models import ChecklistVersion, Checkpoint, Inspection

    cp = Checkpoint.get_by_id(task_json["checkpoint"]["id"])
    finished = datetime.fromisoformat(task_json["due_at"].rstrip("Z")) + timedelta(minutes=5)
    inspection = Inspection.create(
        id=str(uuid.uuid4()), site=cp.site_id, zone=cp.zone_id, checkpoint=cp,
        checklist_version=ChecklistVersion.get_by_id(current_versions()[task_json["checklist_key"]].version_id),
        checklist_key=task_json["checklist_key"], inspector=org["users"]["guard1"],
        started_at=finished - timedelta(minutes=2), finished_at=finished, body_hash="x")
    return sch.complete_task_for(inspection)


def test_guard_gets_the_guard_rounds_of_their_own_site(login):
    r = login("guard1").get(f"/tasks?date={local_day(1)}")
    assert r.status_code == 200
    body = r.get_json()
    assert body["date"] == str(local_day(1))
    tasks = body["items"]
    assert tasks and {t["role"] for t in tasks} == {"guard"}
    assert {t["checkpoint"]["code"][:3] for t in tasks} == {"LHY"}
    assert {t["status"] for t in tasks} == {"due"}
    night = [t for t in tasks if t["schedule"]["key"] == "night_lighting"]
    assert len(night) == 24 and {t["due_at"][11:] for t in night} == {"14:00:00Z"}  # 22:00 in Shanghai
    assert [t["due_at"] for t in tasks] == sorted(t["due_at"] for t in tasks)


def test_cleaner_gets_only_cleaning_tasks(login):
    tasks = login("cleaner1").get(f"/tasks?date={local_day(1)}").get_json()["items"]
    assert tasks and {t["checklist_key"] for t in tasks} == {"zone_cleaning"} and {t["role"] for t in tasks} == {"cleaner"}


def test_supervisor_gets_every_task_of_their_sites(login):
    tasks = login("super1").get(f"/tasks?date={local_day(1)}").get_json()["items"]
    assert {t["role"] for t in tasks} == {"guard", "cleaner", "technician"}
    assert {t["site_id"] for t in tasks} == {tasks[0]["site_id"]}


def test_yesterdays_undone_tasks_are_missed_and_an_inspection_makes_one_done(org, login):
    guard = login("guard1")
    yesterday = guard.get(f"/tasks?date={local_day(-1)}").get_json()["items"]
    assert {t["status"] for t in yesterday} == {"missed"}
    task = complete_one(org, yesterday[0])
    assert task.id == yesterday[0]["id"]
    again = {t["id"]: t for t in guard.get(f"/tasks?date={local_day(-1)}").get_json()["items"]}
    assert again[task.id]["status"] == "done" and again[task.id]["inspection_id"] == task.inspection_id
    assert sum(t["status"] == "done" for t in again.values()) == 1


def test_asking_twice_does_not_double_the_tasks(login):
    guard = login("guard1")
    first = guard.get(f"/tasks?date={local_day(0)}").get_json()["items"]
    second = guard.get(f"/tasks?date={local_day(0)}").get_json()["items"]
    assert [t["id"] for t in first] == [t["id"] for t in second]


def test_summary_counts_done_due_missed_by_zone(org, login):
    supervisor = login("super1")
    yesterday = supervisor.get(f"/tasks?date={local_day(-1)}").get_json()["items"]
    complete_one(org, yesterday[0])
    r = supervisor.get(f"/tasks/summary?date={local_day(-1)}")
    assert r.status_code == 200
    body = r.get_json()
    assert {z["zone"]["code"] for z in body["zones"]} == {"A", "B", "P"}
    assert body["totals"] == {"done": 1, "due": 0, "missed": len(yesterday) - 1, "total": len(yesterday)}
    for z in body["zones"]:
        assert z["done"] + z["due"] + z["missed"] == z["total"]


@pytest.mark.parametrize("user", ["guard1", "cleaner1", "service1"])
def test_summary_is_for_supervisors(login, user):
    assert login(user).get("/tasks/summary").status_code == 403


def test_customer_service_has_no_task_list(login):
    assert login("service1").get("/tasks").status_code == 403


def test_another_sites_tasks_are_404(login):
    from api.models import Site

    hqt = Site.get(Site.code == "HQT").id
    assert login("guard1").get(f"/tasks?site_id={hqt}").status_code == 404
    assert login("guard2").get(f"/tasks?site_id={hqt}&date={local_day(1)}").get_json()["items"]


def test_reading_the_tasks_writes_nothing(login):
    from api.models import Task

    Task.delete().where(Task.date == local_day(2)).execute()
    assert login("guard1").get(f"/tasks?date={local_day(2)}").get_json()["items"] == []
    assert not Task.select().where(Task.date == local_day(2)).exists()


def test_old_days_are_shown_as_recorded_not_invented(login):
    from api.models import Task

    r = login("super1").get(f"/tasks?date={local_day(-40)}")
    assert r.status_code == 200 and r.get_json()["items"] == []
    assert not Task.select().where(Task.date == local_day(-40)).exists()


@pytest.mark.parametrize("query", ["date=2026-13-01", "date=yesterday", "date=1900-01-01", "site_id=x"])
def test_bad_query_is_422(login, query):
    r = login("guard1").get(f"/tasks?{query}")
    assert r.status_code == 422
    assert r.get_json()["errors"]["query"]
