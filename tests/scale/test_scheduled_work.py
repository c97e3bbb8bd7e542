"""Scheduled work run from several processes at once against one database: today's tasks,
missed rounds and overdue escalation each happen exactly once, because the database says so
(unique indexes and conditional updates), not because the processes happened not to collide."""
import multiprocessing as mp
from datetime import date, datetime, timedelta

import pytest

from api.db import db, init_db, write_tx
from api.models import ServiceRequest, Site, Task, User, WorkOrder, WorkOrderEvent, RequestEvent

PROCESSES = 4


def _child(url, job, args, barrier, out):
    """A fresh process: its own connection, then everyone starts together."""
    try:
        init_db(url)
        db.connect(reuse_if_open=True)
        barrier.wait(timeout=60)
        out.put(("ok", job(*args)))
    except Exception as exc:  # reported to the parent, which fails the test with it
        out.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        if not db.is_closed():
            db.close()


def run_everywhere(url, job, *args, processes=PROCESSES):
    """Run ``job(*args)`` in several processes at the same instant; returns their results."""
    if not db.is_closed():
        db.close()
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()  # no pooled connection may be inherited by the children
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=_child, args=(url, job, args, barrier, out)) for _ in range(processes)]
    for p in procs:
        p.start()
    answers = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    db.connect(reuse_if_open=True)
    errors = [a[1] for a in answers if a[0] == "error"]
    assert not errors, errors
    return [a[1] for a in answers]


# --- jobs (module level so the children find them) ---------------------------------------

def job_ensure_tasks(site_id, day):
    from api.domain.schedules import ensure_tasks

    return ensure_tasks(Site.get_by_id(site_id), day)


def job_mark_missed(now):
    from api.domain.schedules import mark_missed

    return mark_missed(now)


def job_escalate_orders(now):
    from api.domain.workorder_escalation import escalate_overdue

    with write_tx():
        return escalate_overdue(now)


def job_escalate_requests(now):
    from api.domain.service_requests.upkeep import escalate_overdue

    with write_tx():
        return escalate_overdue(now)


# --- tests --------------------------------------------------------------------------------

@pytest.fixture
def lhy(org):
    return Site.get(Site.code == "LHY")


def test_todays_tasks_are_made_once_however_many_processes_make_them(database_url, lhy):
    from api.domain.schedules import planned_tasks

    day = date(2026, 3, 16)
    planned = planned_tasks(lhy, day)
    assert len(planned) > 20  # the demo schedules call for lamp, lobby, car-park and road rounds

    made = run_everywhere(database_url, job_ensure_tasks, lhy.id, day)

    tasks = list(Task.select().where((Task.site == lhy) & (Task.date == day)))
    assert len(tasks) == len(planned)
    assert len({(t.schedule_id, t.checkpoint_id, t.due_at) for t in tasks}) == len(tasks)
    assert sum(made) == len(planned)  # each task counted by the one process that made it
    assert run_everywhere(database_url, job_ensure_tasks, lhy.id, day) == [0] * PROCESSES


def test_a_missed_round_is_marked_missed_once(database_url, lhy):
    from api.domain.schedules import ensure_tasks

    day = date(2026, 3, 16)
    ensure_tasks(lhy, day)
    evening = datetime(2026, 3, 16, 12, 0)  # 20:00 in Shanghai: the morning rounds' windows are over
    overdue = Task.select().where((Task.site == lhy) & (Task.date == day) & (Task.window_end < evening)).count()
    assert overdue > 0

    counts = run_everywhere(database_url, job_mark_missed, evening)

    assert sum(counts) == overdue
    assert Task.select().where((Task.status == "missed") & (Task.date == day)).count() == overdue
    assert Task.select().where((Task.status == "due") & (Task.window_end < evening)).count() == 0


def _overdue_orders(site, n, created):
    from api.domain.workorders import create_work_order

    sup = User.get(User.username == "super1")
    orders = []
    with write_tx():
        for i in range(n):
            orders.append(create_work_order(site=site, created_by=sup, trade="engineering",
                                            title=f"路灯不亮 {i:02d}", priority="emergency", now=created))
    return orders


def test_an_overdue_work_order_is_escalated_once_per_level(database_url, lhy):
    from api.domain.policy import current_policy

    created = datetime(2026, 3, 16, 1, 0)
    orders = _overdue_orders(lhy, 12, created)
    ids = {o.id for o in orders}
    late = created + timedelta(hours=3)  # an emergency must be answered within two hours

    steps = run_everywhere(database_url, job_escalate_orders, late)

    made = [s for per_process in steps for s in per_process]
    assert sorted(made) == sorted((i, 1) for i in ids)
    assert {o.escalation_level for o in WorkOrder.select().where(WorkOrder.id.in_(list(ids)))} == {1}
    events = WorkOrderEvent.select().where((WorkOrderEvent.action == "escalate")
                                           & WorkOrderEvent.work_order.in_(list(ids)))
    assert events.count() == len(ids)

    wait = current_policy()["work_orders"]["escalation"]["manager_after_hours"]
    later = late + timedelta(hours=wait, minutes=1)
    steps = run_everywhere(database_url, job_escalate_orders, later)
    made = [s for per_process in steps for s in per_process]
    assert sorted(made) == sorted((i, 2) for i in ids)
    assert events.count() == 2 * len(ids)
    assert run_everywhere(database_url, job_escalate_orders, later + timedelta(days=1)) == [[]] * PROCESSES


def test_an_overdue_complaint_moves_up_once(database_url, lhy, login):
    service = login("service1")
    received = []
    for i in range(6):
        r = service.post("/requests", json={
            "site_id": lhy.id, "kind": "complaint", "channel": "phone", "owner_name": "王先生",
            "owner_phone": f"1390000{i:04d}", "building": "3", "unit": "1", "room": f"{i + 1}01",
            "description": "楼道灯坏了三天没人修", "owner_ask": "尽快修好"})
        assert r.status_code == 201, r.get_json()
        received.append(r.get_json()["id"])
    far_later = datetime.utcnow() + timedelta(days=10)

    steps = run_everywhere(database_url, job_escalate_requests, far_later)

    made = sorted(s for per_process in steps for s in per_process)
    assert made == sorted((i, level) for i in received for level in (1, 2))
    assert {r.escalation_level for r in ServiceRequest.select().where(ServiceRequest.id.in_(received))} == {2}
    assert RequestEvent.select().where((RequestEvent.action == "escalate")
                                       & RequestEvent.request.in_(received)).count() == 2 * len(received)
