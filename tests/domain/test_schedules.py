"""Schedules: expansion into due times in the site's time zone (pure), and the Task rows they make
(idempotent), completed by inspections and missed when their window ends."""
import uuid
from datetime import date, datetime, timedelta
from types import SimpleNamespace as T

import pytest

from api.domain import catalog_sync, schedules as sch
from api.errors import Forbidden

SH = "Asia/Shanghai"
D = date(2026, 3, 10)  # a Tuesday


def utc(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi)


EXPANSIONS = [
    # rule, window, expected [(due UTC, window end UTC)]
    ({"at": ["22:00"]}, 120, [(utc(2026, 3, 10, 14), utc(2026, 3, 10, 16))]),
    # 07:00 in Shanghai is still the previous day in UTC
    ({"at": ["07:00", "16:30"]}, 90, [(utc(2026, 3, 9, 23), utc(2026, 3, 10, 0, 30)),
                                      (utc(2026, 3, 10, 8, 30), utc(2026, 3, 10, 10))]),
    # a window running past local midnight
    ({"at": ["23:30"]}, 60, [(utc(2026, 3, 10, 15, 30), utc(2026, 3, 10, 16, 30))]),
    ({"every_minutes": 120, "from": "08:00", "to": "12:00"}, 60,
     [(utc(2026, 3, 10, 0), utc(2026, 3, 10, 1)), (utc(2026, 3, 10, 2), utc(2026, 3, 10, 3)),
      (utc(2026, 3, 10, 4), utc(2026, 3, 10, 5))]),
    # an overnight round: "to" before "from" runs into the next morning, still this day's round
    ({"every_minutes": 180, "from": "22:00", "to": "04:00"}, 30,
     [(utc(2026, 3, 10, 14), utc(2026, 3, 10, 14, 30)), (utc(2026, 3, 10, 17), utc(2026, 3, 10, 17, 30)),
      (utc(2026, 3, 10, 20), utc(2026, 3, 10, 20, 30))]),
    ({"at": ["09:00"], "weekdays": [6, 7]}, 60, []),  # weekends only; D is a Tuesday
    ({"at": ["09:00"], "weekdays": [2]}, 60, [(utc(2026, 3, 10, 1), utc(2026, 3, 10, 2))]),
]


@pytest.mark.parametrize("rule,window,expected", EXPANSIONS)
def test_schedule_expands_to_utc_due_times_in_the_site_time_zone(rule, window, expected):
    assert sch.due_times(rule, window, D, SH) == expected


def test_night_lighting_at_22_local_is_14_utc():
    (due, end), = sch.due_times({"at": ["22:00"]}, 120, D, SH)
    assert due == datetime(2026, 3, 10, 14, 0) and end == datetime(2026, 3, 10, 16, 0)


def test_a_time_zone_with_summer_time_is_followed():
    (due, _), = sch.due_times({"at": ["22:00"]}, 60, date(2026, 7, 1), "Europe/Berlin")
    assert due == datetime(2026, 7, 1, 20, 0)


def test_local_date_of_a_utc_time_crosses_midnight():
    assert sch.local_date(datetime(2026, 3, 9, 23, 0), SH) == date(2026, 3, 10)
    assert sch.local_date(datetime(2026, 3, 10, 15, 59), SH) == date(2026, 3, 10)
    assert sch.local_date(datetime(2026, 3, 10, 16, 0), SH) == date(2026, 3, 11)


STATUS = [
    ("due", datetime(2026, 3, 10, 16), datetime(2026, 3, 10, 15), "due"),
    ("due", datetime(2026, 3, 10, 16), datetime(2026, 3, 10, 16, 1), "missed"),
    ("done", datetime(2026, 3, 10, 16), datetime(2026, 3, 11, 0), "done"),
    ("missed", datetime(2026, 3, 10, 16), datetime(2026, 3, 11, 0), "missed"),
]


@pytest.mark.parametrize("stored,window_end,now,expected", STATUS)
def test_task_status_is_computed_against_now(stored, window_end, now, expected):
    assert sch.task_status(stored, window_end, now) == expected


def test_inspection_completes_the_earliest_open_task_whose_window_holds_it():
    tasks = [T(id=1, due_at=datetime(2026, 3, 10, 0), window_end=datetime(2026, 3, 10, 1), status="done"),
             T(id=2, due_at=datetime(2026, 3, 10, 2), window_end=datetime(2026, 3, 10, 3), status="due"),
             T(id=3, due_at=datetime(2026, 3, 10, 2, 30), window_end=datetime(2026, 3, 10, 4), status="due")]
    assert sch.pick_task(tasks, datetime(2026, 3, 10, 2, 40)).id == 2
    assert sch.pick_task(tasks, datetime(2026, 3, 10, 1, 45)).id == 2  # a little early still counts
    assert sch.pick_task(tasks, datetime(2026, 3, 10, 3, 30)).id == 3
    assert sch.pick_task(tasks, datetime(2026, 3, 10, 0, 30)) is None  # that one is done already
    assert sch.pick_task(tasks, datetime(2026, 3, 10, 5)) is None


@pytest.mark.parametrize("role,sees", [("guard", "guard"), ("cleaner", "cleaner"), ("technician", "technician"),
                                       ("supervisor", None), ("manager", None), ("admin", None)])
def test_each_role_sees_its_own_kind_of_task(role, sees):
    assert sch.task_role_for(role) == sees


def test_customer_service_has_no_rounds():
    with pytest.raises(Forbidden):
        sch.task_role_for("service")


# --- rows -----------------------------------------------------------------------------------

def _site(code="LHY"):
    from api.models import Site

    return Site.get(Site.code == code)


def _inspection(org, code, checklist_key, finished_at, clock_suspect=False, received_at=None):
    from api.domain.checklist_versions import current_versions
    from api.models import ChecklistVersion, Checkpoint, Inspection

    cp = Checkpoint.get(Checkpoint.code == code)
    version = ChecklistVersion.get_by_id(current_versions()[checklist_key].version_id)
    return Inspection.create(id=str(uuid.uuid4()), site=cp.site_id, zone=cp.zone_id, checkpoint=cp,
                             checklist_version=version, checklist_key=checklist_key,
                             inspector=org["users"]["guard1"], started_at=finished_at - timedelta(minutes=2),
                             finished_at=finished_at, received_at=received_at or finished_at,
                             clock_suspect=clock_suspect, body_hash="x")


def test_ensure_tasks_makes_the_day_once(org):
    from api.models import Task

    site = _site()
    made = sch.ensure_tasks(site, D)
    assert made > 0
    assert sch.ensure_tasks(site, D) == 0
    assert Task.select().where(Task.site == site, Task.date == D).count() == made


def test_night_lighting_tasks_for_every_lamp_at_14_utc(org):
    from api.models import Checkpoint, Schedule, Task

    site = _site()
    sch.ensure_tasks(site, D)
    night = Schedule.get((Schedule.site == site) & (Schedule.key == "night_lighting"))
    tasks = list(Task.select().where(Task.schedule == night, Task.date == D))
    lamps = Checkpoint.select().where((Checkpoint.site == site) & (Checkpoint.kind == "road_lamp")).count()
    assert len(tasks) == lamps == 24
    assert {t.due_at for t in tasks} == {datetime(2026, 3, 10, 14, 0)}
    assert {t.role for t in tasks} == {"guard"}


def test_cleaning_tasks_go_to_the_zone_cleaner(org):
    from api.models import Checkpoint, Task

    site = _site()
    sch.ensure_tasks(site, D)
    task = (Task.select().join(Checkpoint).where((Task.date == D) & (Task.role == "cleaner")
                                                 & (Checkpoint.code == "LHY-T1-LOBBY")).first())
    assert task.assignee_id == org["users"]["cleaner1"].id


def test_two_creators_racing_never_double_a_task(org):
    """What a second process does after the first already inserted: ON CONFLICT DO NOTHING."""
    from api.db import write_tx
    from api.models import Task

    site = _site()
    rows = sch.planned_tasks(site, D)
    sch.ensure_tasks(site, D)
    with write_tx():
        (Task.insert_many(rows[:10]).on_conflict(action="NOTHING", conflict_target=[
            Task.schedule, Task.checkpoint, Task.due_at]).execute())
    assert Task.select().where(Task.date == D).count() == len(rows)


def test_inspection_in_the_window_completes_the_task(org):
    from api.models import Inspection, Task

    site = _site()
    sch.ensure_tasks(site, D)
    inspection = _inspection(org, "LHY-LAMP-03", "night_lighting", datetime(2026, 3, 10, 14, 20))
    task = sch.complete_task_for(inspection)
    assert task is not None and task.due_at == datetime(2026, 3, 10, 14)
    stored = Task.get_by_id(task.id)
    assert stored.status == "done" and stored.inspection_id == inspection.id
    assert Inspection.get_by_id(inspection.id).task_id == task.id
    assert sch.complete_task_for(inspection).id == task.id  # a retry finds the same task


def test_inspection_makes_the_days_tasks_when_nobody_asked_yet(org):
    inspection = _inspection(org, "LHY-LAMP-04", "night_lighting", datetime(2026, 3, 10, 15, 0))
    task = sch.complete_task_for(inspection)
    assert task is not None and task.date == D


def test_inspection_after_the_window_completes_nothing(org):
    inspection = _inspection(org, "LHY-LAMP-05", "night_lighting", datetime(2026, 3, 10, 16, 30))
    assert sch.complete_task_for(inspection) is None


def test_other_checklist_at_the_same_checkpoint_completes_nothing(org):
    inspection = _inspection(org, "LHY-LAMP-05", "road_lamps", datetime(2026, 3, 10, 14, 10))
    assert sch.complete_task_for(inspection) is None


def test_suspect_phone_clock_uses_the_server_receive_time(org):
    inspection = _inspection(org, "LHY-LAMP-06", "night_lighting", datetime(2026, 3, 10, 14, 10),
                             clock_suspect=True, received_at=datetime(2026, 3, 10, 18, 0))
    assert sch.complete_task_for(inspection) is None


def test_late_upload_of_an_inspection_done_in_time_still_counts(org):
    from api.models import Task

    sch.ensure_tasks(_site(), D)
    assert sch.mark_missed(datetime(2026, 3, 11, 0, 0)) > 0
    inspection = _inspection(org, "LHY-LAMP-07", "night_lighting", datetime(2026, 3, 10, 14, 5),
                             received_at=datetime(2026, 3, 11, 1, 0))
    task = sch.complete_task_for(inspection)
    assert Task.get_by_id(task.id).status == "done"


def test_mark_missed_only_touches_ended_windows(org):
    from api.models import Task

    sch.ensure_tasks(_site(), D)
    at = datetime(2026, 3, 10, 12, 0)  # 20:00 local: the night round is still ahead
    sch.mark_missed(at)
    # only that day's tasks: the demo organisation also lays out today's, whose state depends on the clock
    on_d = Task.date == D
    assert not Task.select().where(on_d & (Task.status == "missed") & (Task.window_end >= at)).exists()
    assert Task.select().where(on_d & (Task.status == "missed") & (Task.window_end < at)).exists()
    night = Task.select().where((Task.date == D) & (Task.checklist_key == "night_lighting"))
    assert {t.status for t in night} == {"due"}


def test_changed_schedule_remakes_its_future_tasks(org):
    from api.db import write_tx
    from api.models import Schedule, Task, utcnow

    site = _site()
    day = sch.local_today(site.timezone) + timedelta(days=2)
    sch.ensure_tasks(site, day)
    night = Schedule.get((Schedule.site == site) & (Schedule.key == "night_lighting"))
    with write_tx():
        catalog_sync.sync_schedules({"LHY": [{"key": "night_lighting", "name": night.name, "name_en": night.name_en,
                                     "checklist": "night_lighting", "role": "guard", "zone": None,
                                     "checkpoint_kinds": ["road_lamp"], "rule": {"at": ["21:00"]},
                                     "window_minutes": 120, "active": True}]})
    assert not Task.select().where((Task.schedule == night) & (Task.due_at > utcnow())).exists()
    sch.ensure_tasks(site, day)
    due = {t.due_at.hour for t in Task.select().where((Task.schedule == night) & (Task.date == day))}
    assert due == {13}  # 21:00 local
    others = Schedule.select().where((Schedule.site == site) & (Schedule.key != "night_lighting"))
    assert {s.active for s in others} == {False}  # left the file: inactive, not deleted
