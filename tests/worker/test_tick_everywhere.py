"""A whole worker pass run by four processes at the same instant (as four machines' workers
would): every escalation step, missed round, briefing and message happens once. PostgreSQL when
DATABASE_URL says so (row locks, ON CONFLICT, SKIP LOCKED); SQLite serialises the writers."""
from collections import Counter
from datetime import datetime, timedelta

from api.db import write_tx
from api.models import Notification, Task, WorkOrderEvent
from tests.helpers import run_everywhere
from tests.factories import add_channel

AT = datetime(2026, 3, 16, 23, 40)  # 07:40 on Tuesday 17 March in Shanghai, naive UTC


def job_tick(now):
    from api.domain.scheduler import tick

    out = tick(now)
    errors = {k: v for k, v in out.items() if isinstance(v, str) and v.startswith("error")}
    assert not errors, errors
    return {"missed": out["missed_rounds"], "escalated": out["escalate"]["orders"], "sent": out["deliver"][0]}


def test_four_workers_at_once_do_each_step_once(database_url, org, robot):
    from api.domain.schedules import ensure_days
    from api.domain.workorders import create_work_order

    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url)
    ensure_days([lhy], AT.date() - timedelta(days=1), AT.date())
    with write_tx():
        order = create_work_order(site=lhy, created_by=org["users"]["super1"], trade="engineering",
                                  title="消防泵房漏水", priority="emergency", zone=org["zones"][("LHY", "A")],
                                  now=AT - timedelta(hours=30))  # 2 h to respond: overdue for 28 h
    already = Task.select().where(Task.status == "missed").count()
    results = run_everywhere(database_url, job_tick, AT)

    steps = [e.data["level"] for e in WorkOrderEvent.select().where(
        (WorkOrderEvent.work_order == order.id) & (WorkOrderEvent.action == "escalate"))]
    assert sorted(steps) == [1, 2]
    assert sorted(lvl for r in results for _, lvl in r["escalated"]) == [1, 2]
    missed = Task.select().where(Task.status == "missed").count() - already
    assert missed > 0 and sum(r["missed"] for r in results) == missed  # each task marked by one process
    keys = Counter((n.key, n.target) for n in Notification.select())
    assert keys and max(keys.values()) == 1
    assert Notification.select().where(Notification.status != "sent").count() == 0
    texts = robot.texts()
    assert len(texts) == len(set(texts)) == Notification.select().count()  # each message once
    assert sum(t.startswith("【早报】") for t in texts) == 1
    assert sum(r["sent"] for r in results) == len(texts)
