"""Seed 004 4.1.5 管理處每月1-5日匯總上月員工處罰情況報送公司財務部與工資掛鉤: the hand-over to finance is
recorded (who sent it, to whom, when, on time or not) and the month is closed by it, once."""
import os
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from api.db import db
from api.models import AuditLog, Deduction, LedgerHandover, LedgerMonth
from tests.conftest import ApiClient
from tests.helpers import assert_error_shape

SH = ZoneInfo("Asia/Shanghai")
USE_PG = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "postgres+pool://"))


def test_the_ledger_sent_to_finance_by_the_5th_closes_the_month_with_who_sent_it(login, org):
    """004 4.1.5 管理處每月1-5日匯總上月員工處罰情況報送公司財務部與工資掛鉤."""
    site = org["sites"]["LHY"].id
    with time_machine.travel(datetime(2026, 10, 20, 10, tzinfo=SH), tick=False):
        r = login("super1").post("/deductions", json={
            "site_id": site, "staff_id": org["users"]["guard1"].id, "points": 6, "reason": "夜班睡岗",
            "problem_key": "post.sleeping", "occurred_at": datetime(2026, 10, 20, 3, tzinfo=SH).isoformat()})
        assert r.status_code == 201
    with time_machine.travel(datetime(2026, 11, 5, 17, 30, tzinfo=SH), tick=False):
        mgr = login("manager1")
        assert_error_shape(mgr.get(f"/ledger/2026-10/handover?site_id={site}"), 404)
        r = mgr.post(f"/ledger/2026-10/handover?site_id={site}", json={"sent_to": "财务部 张会计", "note": "含加罚"})
        assert r.status_code == 201, r.get_json()
        got = r.get_json()
        assert got["sent_by_id"] == org["users"]["manager1"].id and got["sent_by_name"] == "王经理"
        assert got["sent_to"] == "财务部 张会计" and got["on_time"] is True and got["due_date"] == "2026-11-05"
        assert got["totals"]["total"] == "50.00"  # 6 × 5 + 20
        ledger = mgr.get(f"/ledger/2026-10?site_id={site}").get_json()
        assert ledger["closed"] and ledger["closed_by_id"] == org["users"]["manager1"].id
        # closed: nothing dated in it any more, and it is sent once
        late = login("super1").post("/deductions", json={
            "site_id": site, "staff_id": org["users"]["guard1"].id, "points": 1, "reason": "x",
            "problem_key": "x", "occurred_at": datetime(2026, 10, 21, tzinfo=SH).isoformat()})
        assert_error_shape(late, 409)
        assert_error_shape(mgr.post(f"/ledger/2026-10/handover?site_id={site}", json={"sent_to": "财务部"}), 409)
        assert_error_shape(login("super1").post(f"/ledger/2026-10/handover?site_id={site}",
                                    json={"sent_to": "财务部"}), 403)
    assert [a.action for a in AuditLog.select().where(AuditLog.action.in_(("ledger.close", "ledger.handover")))
            .order_by(AuditLog.id)] == ["ledger.close", "ledger.handover"]


def test_sent_after_the_5th_is_recorded_as_late(login, org):
    """004 4.1.5 每月1-5日: the 6th is late (policy deductions.ledger_due_day)."""
    site = org["sites"]["LHY"].id
    with time_machine.travel(datetime(2026, 11, 6, 9, tzinfo=SH), tick=False):
        r = login("manager1").post(f"/ledger/2026-10/handover?site_id={site}", json={"sent_to": "财务部"})
        assert r.status_code == 201 and r.get_json()["on_time"] is False


def test_a_month_not_yet_ended_cannot_be_sent(login, org):
    site = org["sites"]["LHY"].id
    month = datetime.now(SH).strftime("%Y-%m")
    r = login("manager1").post(f"/ledger/{month}/handover?site_id={site}", json={"sent_to": "财务部"})
    assert_error_shape(r, 409)
    assert LedgerHandover.select().count() == 0 and LedgerMonth.select().count() == 0


@pytest.mark.skipif(not USE_PG, reason="SQLite's BEGIN IMMEDIATE already serialises writers")
def test_two_managers_sending_at_once_make_one_handover(app, login, org):
    mgr, admin = login("manager1"), login("admin")
    site = org["sites"]["LHY"].id
    last = (datetime.now(SH).replace(day=1) - timedelta(days=1))
    months = [(last.replace(day=1) - timedelta(days=31 * i)).strftime("%Y-%m") for i in range(4)]
    codes = []
    for month in months:
        barrier = threading.Barrier(2)

        def run(token, m=month):
            api = ApiClient(app.test_client(), token)
            barrier.wait()
            try:
                codes.append((m, api.post(f"/ledger/{m}/handover?site_id={site}", json={"sent_to": "财务部"}).status_code))
            finally:
                db.close()

        threads = [threading.Thread(target=run, args=(tok,)) for tok in (mgr.token, admin.token)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    for month in months:
        assert sorted(c for m, c in codes if m == month) == [201, 409]
        assert LedgerHandover.select().where(LedgerHandover.month == month).count() == 1
        assert LedgerMonth.select().where(LedgerMonth.month == month).count() == 1
    assert Deduction.select().count() == 0
