"""Deduction rules against the database: months in the site's time zone, closed months, reversals."""
from datetime import date, datetime

import pytest

from api.domain import deductions as dd
from api.domain.policy import current_policy
from api.errors import Conflict, Forbidden, Invalid
from api.models import Deduction, LedgerMonth


@pytest.fixture
def lhy(org):
    return org["sites"]["LHY"]


def make(org, lhy, when, staff="guard1", points=2, **kw):
    return dd.create_deduction(site=lhy, created_by=org["users"]["super1"], staff_id=org["users"][staff].id,
                               points=points, reason="未按时巡查", problem_key=kw.pop("problem_key", "round:late"),
                               occurred_at=when, now=datetime(2026, 11, 1), **kw)


def test_late_evening_on_the_last_day_belongs_to_that_month(org, lhy):
    assert make(org, lhy, datetime(2026, 3, 31, 15, 30)).month == "2026-03"   # 23:30 Shanghai
    assert make(org, lhy, datetime(2026, 3, 31, 16, 0)).month == "2026-04"    # 00:00 Shanghai


def test_the_supervisor_and_the_rate_are_recorded_on_the_notice(org, lhy):
    d = make(org, lhy, datetime(2026, 3, 5))
    assert d.supervisor_id == org["users"]["super1"].id and str(d.yuan_per_point) == "5.00"


def test_future_faults_and_strangers_are_refused(org, lhy):
    with pytest.raises(Invalid) as e:
        make(org, lhy, datetime(2026, 12, 1))
    assert "occurred_at" in e.value.fields
    with pytest.raises(Invalid) as e:
        make(org, lhy, datetime(2026, 3, 5), staff="guard2")
    assert "staff_id" in e.value.fields


def test_nothing_is_added_to_a_closed_month(org, lhy):
    make(org, lhy, datetime(2026, 3, 5))
    dd.close_month(lhy, "2026-03", org["users"]["manager1"], now=datetime(2026, 4, 2))
    with pytest.raises(Conflict):
        make(org, lhy, datetime(2026, 3, 20))
    with pytest.raises(Conflict):
        dd.close_month(lhy, "2026-03", org["users"]["manager1"], now=datetime(2026, 4, 2))
    with pytest.raises(Forbidden):
        dd.close_month(lhy, "2026-02", org["users"]["super1"], now=datetime(2026, 4, 2))


def test_next_open_month_skips_closed_ones(org, lhy):
    for m in ("2026-04", "2026-05"):
        LedgerMonth.create(site=lhy, month=m, closed_by=org["users"]["manager1"], snapshot=None)
    assert dd.next_open_month(lhy.id, "2026-03") == "2026-06"
    assert dd.next_open_month(lhy.id, "2026-12") == "2027-01"


def test_ledger_goes_to_finance_by_the_fifth_of_next_month():
    assert dd.ledger_due_date("2026-12", current_policy()) == date(2027, 1, 5)


def test_reversal_of_a_repeated_problem_keeps_the_supervisor_share(org, lhy):
    notices = [make(org, lhy, datetime(2026, 3, d), problem_key="lobby:floor_clean") for d in (2, 3, 4)]
    dd.file_appeal(notices[0], org["users"]["guard1"], "那天休息", now=datetime(2026, 4, 1))
    dd.close_month(lhy, "2026-03", org["users"]["manager1"], now=datetime(2026, 4, 2))
    appeal, rev = dd.decide_appeal(notices[0], org["users"]["manager1"], True, "排班表证实",
                                   now=datetime(2026, 4, 3))
    assert appeal.status == "upheld" and rev.points == -2 and rev.month == "2026-04" and rev.supervisor_shares
    assert Deduction.get_by_id(notices[0].id).status == "active"
    april = dd.ledger_for(lhy, "2026-04", now=datetime(2026, 4, 3))
    lines = {ln["username"]: ln for ln in april["lines"]}
    assert lines["guard1"]["own_amount"] + lines["super1"]["supervisor_share"] == -10
    assert lines["super1"]["supervisor_share"] == -3


def test_only_active_positive_notices_can_be_appealed_once(org, lhy):
    d = make(org, lhy, datetime(2026, 3, 5))
    with pytest.raises(Forbidden):
        dd.file_appeal(d, org["users"]["guard3"], "not mine")
    dd.file_appeal(d, org["users"]["guard1"], "不是我")
    with pytest.raises(Conflict):
        dd.file_appeal(d, org["users"]["guard1"], "again")
