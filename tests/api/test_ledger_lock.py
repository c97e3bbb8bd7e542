"""Closing a month and issuing a notice dated in it at the same moment, on PostgreSQL (SQLite
serialises writers anyway): the notice is refused, or it is in the closed month's snapshot."""
import os
import threading

import pytest

from api.db import db
from api.models import Deduction, LedgerMonth
from tests.conftest import ApiClient

USE_PG = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "postgres+pool://"))
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


@pytest.mark.skipif(not USE_PG, reason="SQLite's BEGIN IMMEDIATE already serialises the two")
def test_a_notice_racing_the_close_of_its_month_is_refused_or_in_the_snapshot(app, login, org):
    sup, mgr = login("super1"), login("manager1")
    site = org["sites"]["LHY"].id
    answers = {}

    def run(name, month, barrier, call):
        api = ApiClient(app.test_client(), (sup if name == "notice" else mgr).token)
        barrier.wait()
        try:
            answers[(name, month)] = call(api).status_code
        finally:
            db.close()  # this thread's own connection

    for month in MONTHS:
        barrier = threading.Barrier(2)
        body = {"site_id": site, "staff_id": org["users"]["guard1"].id, "points": 2, "reason": "巡查漏点",
                "problem_key": "round:missed", "occurred_at": f"{month}-28T23:59:00+08:00"}
        threads = [
            threading.Thread(target=run, args=("notice", month, barrier, lambda api: api.post("/deductions", json=body))),
            threading.Thread(target=run, args=("close", month, barrier,
                                               lambda api, m=month: api.post(f"/ledger/{m}/close?site_id={site}"))),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    for month in MONTHS:
        assert answers[("close", month)] == 200
        assert answers[("notice", month)] in (201, 409)
        stored = Deduction.select().where((Deduction.site == site) & (Deduction.month == month)).count()
        snapshot = LedgerMonth.get((LedgerMonth.site == site) & (LedgerMonth.month == month)).snapshot
        in_snapshot = sum(ln["deduction_count"] for ln in snapshot["lines"])
        assert stored == in_snapshot == (1 if answers[("notice", month)] == 201 else 0), month
