"""The year's official holiday schedule as data (the issue's item 14): entered or imported by a
manager, the shipped years as defaults, read first by the working-day rules, and a warning from
November when next year's is missing.

No official 2027 schedule is in the seeds or in chinesecalendar 1.11.0 (it stops at 2026), so these
tests enter an EXAMPLE 2027 Spring Festival schedule (break Sat 6 Feb – Sun 14 Feb, make-up working
Saturday 20 Feb) — illustrative, not the State Council's announcement."""
import io
import os
import threading
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from api.db import db
from api.domain import workdays
from api.domain.deadlines import revisit_due
from api.domain.policy import current_policy
from api.models import AuditLog, HolidayDay
from tests.conftest import ApiClient
from tests.helpers import assert_error_shape

SH = ZoneInfo("Asia/Shanghai")
USE_PG = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "postgres+pool://"))
EXAMPLE_2027 = ([{"date": f"2027-02-{d:02d}", "kind": "holiday", "name": "春节"} for d in range(6, 15)]
                + [{"date": "2027-02-20", "kind": "workday", "name": "春节调休上班"}])


def sh(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=SH)


def utc(y, mo, d, h=0, mi=0):
    return sh(y, mo, d, h, mi).astimezone(timezone.utc).replace(tzinfo=None)


@pytest.fixture(autouse=True)
def _fresh_cache(app):
    workdays.forget_entered()
    yield
    # the database stays bound after the test: leave no entered year behind for pure tests that follow
    HolidayDay.delete().execute()
    workdays.forget_entered()


def complete_a_complaint(desk, org):
    b = {"site_id": org["sites"]["LHY"].id, "kind": "complaint", "channel": "phone", "category": "noise",
         "owner_name": "赵六", "owner_phone": "13700001234", "building": "2", "unit": "1", "room": "301",
         "description": "楼道声控灯不亮"}
    r = desk.post("/requests", json=b)
    assert r.status_code == 201, r.get_json()
    rid = r.get_json()["id"]
    assert desk.post(f"/requests/{rid}/transitions", json={"action": "handle"}).status_code == 200
    r = desk.post(f"/requests/{rid}/transitions", json={"action": "complete", "note": "已更换灯泡"})
    assert r.status_code == 200, r.get_json()
    return datetime.fromisoformat(r.get_json()["revisit_due"].replace("Z", "+00:00")).astimezone(SH)


def test_a_revisit_due_around_the_2027_spring_festival_uses_the_entered_schedule(login, org):
    """Seed 002: 維修完成后一個工作日內要求客服人員進行回訪 — the working day follows the official schedule
    the manager entered for 2027 (example schedule, see the module docstring)."""
    policy = current_policy()
    # without an entry 2027 falls back to a calendar without the make-up day: Saturday 20 Feb is off
    assert revisit_due(policy, utc(2027, 2, 19, 15), SH) == utc(2027, 2, 22, 15)
    mgr = login("manager1")
    r = mgr.put("/holiday-calendar/2027", json={"days": EXAMPLE_2027})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["source"] == "entered" and len(r.get_json()["days"]) == 10
    with time_machine.travel(sh(2027, 2, 5, 15, 0), tick=False):  # Friday before the break
        assert complete_a_complaint(login("service1"), org) == sh(2027, 2, 15, 15, 0)  # not Monday 8 Feb
    with time_machine.travel(sh(2027, 2, 19, 15, 0), tick=False):  # Friday before the make-up Saturday
        assert complete_a_complaint(login("service1"), org) == sh(2027, 2, 20, 15, 0)
    entry = AuditLog.get(AuditLog.action == "holiday_calendar.enter")
    assert entry.object_id == "2027" and len(entry.after["days"]) == 10 and entry.before["days"] == []


def test_the_shipped_years_are_the_defaults(login, org):
    """The shipped schedule (chinesecalendar) stands until a manager enters one: 2026's 调休 Saturday
    14 Feb is a working day; an entered 2026 replaces it whole."""
    api = login("guard1")
    got = api.get("/holiday-calendar/2026").get_json()
    assert got["source"] == "shipped"
    assert {"date": "2026-02-14", "kind": "workday", "name": "春节"} in got["days"]
    assert api.get("/holiday-calendar/2027").get_json() == {"year": 2027, "source": "none", "days": [],
                                                              "entered_at": None, "entered_by_id": None}
    assert workdays.is_working_day(datetime(2026, 2, 14).date())
    r = login("manager1").put("/holiday-calendar/2026", json={"days": [
        {"date": "2026-02-16", "kind": "holiday", "name": "春节"}]})
    assert r.status_code == 200
    assert not workdays.is_working_day(datetime(2026, 2, 14).date())  # an ordinary Saturday now
    assert not workdays.is_working_day(datetime(2026, 2, 16).date())
    assert workdays.is_working_day(datetime(2026, 2, 17).date())
    # an empty list goes back to the shipped schedule
    assert login("manager1").put("/holiday-calendar/2026", json={"days": []}).get_json()["source"] == "shipped"
    assert workdays.is_working_day(datetime(2026, 2, 14).date())


def test_a_schedule_imports_from_csv_and_xlsx(login, org):
    """The schedule is imported as published: a CSV or Excel sheet of date, 放假/上班, name."""
    from openpyxl import Workbook

    mgr = login("manager1")
    csv_text = "日期,类别,名称\n2027-01-01,放假,元旦\n2027/2/20,上班,春节调休\n"
    r = mgr.post("/holiday-calendar/2027/import", data={"file": (io.BytesIO(csv_text.encode("utf-8-sig")), "2027.csv")},
                 content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    assert [(d["date"], d["kind"]) for d in r.get_json()["days"]] == [("2027-01-01", "holiday"),
                                                                      ("2027-02-20", "workday")]
    wb = Workbook()
    ws = wb.active
    ws.append(["date", "kind", "name"])
    for d in EXAMPLE_2027:
        ws.append([datetime.fromisoformat(d["date"]), d["kind"], d["name"]])
    buf = io.BytesIO()
    wb.save(buf)
    r = mgr.post("/holiday-calendar/2027/import", data={"file": (io.BytesIO(buf.getvalue()), "2027.xlsx")},
                 content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    assert HolidayDay.select().where(HolidayDay.year == 2027).count() == 10
    assert AuditLog.select().where(AuditLog.action == "holiday_calendar.import").count() == 2


@pytest.mark.parametrize("days, field", [
    ([{"date": "2027-02-10", "kind": "workday"}], "days.0.kind"),  # a Wednesday cannot be made a workday
    ([{"date": "2028-01-01", "kind": "holiday"}], "days.0.date"),
    ([{"date": "2027-01-01", "kind": "holiday"}, {"date": "2027-01-01", "kind": "holiday"}], "days.1.date"),
    ([{"date": "2027-01-01", "kind": "off"}], "days"),
])
def test_a_wrong_schedule_is_refused_and_nothing_changes(login, org, days, field):
    """A make-up working day (调休上班) is a weekend day; every day in the year named; each day once."""
    mgr = login("manager1")
    r = mgr.put("/holiday-calendar/2027", json={"days": days})
    assert_error_shape(r, 422)
    assert field in r.get_json()["errors"]["json"]
    assert HolidayDay.select().count() == 0


def test_only_managers_enter_the_schedule(login, org):
    for user in ("service1", "super1"):
        assert_error_shape(login(user).put("/holiday-calendar/2027", json={"days": EXAMPLE_2027}), 403)
    bad = login("manager1").post("/holiday-calendar/2027/import", data={"file": (io.BytesIO(b"x"), "a.txt")},
                                 content_type="multipart/form-data")
    assert_error_shape(bad, 422)
    assert HolidayDay.select().count() == 0


def test_the_console_is_warned_from_november_when_next_year_is_missing(login, org):
    """The official schedule is published each year: from November, next year's must be entered."""
    with time_machine.travel(sh(2026, 10, 31, 23, 0), tick=False):
        assert login("super1").get("/holiday-calendar/status").get_json()["warn"] is False
    with time_machine.travel(sh(2026, 11, 1, 9, 0), tick=False):
        api = login("super1")
        got = api.get("/holiday-calendar/status").get_json()
        assert got["warn"] is True and got["missing_years"] == [2027] and "2027" in got["message"]
        zh = api.get("/holiday-calendar/status", headers={"Accept-Language": "zh-CN"}).get_json()["message"]
        assert zh == "2027 年的官方放假安排（含调休）尚未录入，回访和转办时限将按普通周末计算。"  # one language only
        assert login("manager1").put("/holiday-calendar/2027", json={"days": EXAMPLE_2027}).status_code == 200
        assert api.get("/holiday-calendar/status").get_json()["warn"] is False


@pytest.mark.skipif(not USE_PG, reason="SQLite's BEGIN IMMEDIATE already serialises the writers")
def test_two_managers_entering_a_year_at_once_leave_one_whole_schedule(app, login, org):
    mgr = login("manager1")
    a = EXAMPLE_2027
    b = [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, {"date": "2027-02-06", "kind": "holiday"}]
    answers = []
    for _ in range(5):
        barrier = threading.Barrier(2)

        def run(days):
            api = ApiClient(app.test_client(), mgr.token)
            barrier.wait()
            try:
                answers.append(api.put("/holiday-calendar/2027", json={"days": days}).status_code)
            finally:
                db.close()

        threads = [threading.Thread(target=run, args=(d,)) for d in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        stored = sorted(d.day.isoformat() for d in HolidayDay.select().where(HolidayDay.year == 2027))
        assert stored in (sorted(d["date"] for d in a), sorted(d["date"] for d in b))
    assert answers == [200] * 10
