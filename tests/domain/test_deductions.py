"""Deduction rules against the database: months in the site's time zone, closed months, reversals."""
from datetime import date, datetime
from decimal import Decimal

import pytest

from api.domain import appeals, deductions as dd
from api.domain.policy import current_policy
from api.errors import Conflict, Forbidden, Invalid
from api.models import Deduction, LedgerCorrection, LedgerMonth


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
    appeals.file_appeal(notices[0], org["users"]["guard1"], "那天休息", now=datetime(2026, 4, 1))
    dd.close_month(lhy, "2026-03", org["users"]["manager1"], now=datetime(2026, 4, 2))
    appeal, rev = appeals.decide(notices[0], org["users"]["manager1"], True, "排班表证实",
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
        appeals.file_appeal(d, org["users"]["guard3"], "not mine")
    appeals.file_appeal(d, org["users"]["guard1"], "不是我")
    with pytest.raises(Conflict):
        appeals.file_appeal(d, org["users"]["guard1"], "again")


def _decide_after_close(org, lhy, notice):
    appeals.file_appeal(notice, org["users"]["guard1"], "那天休息", now=datetime(2026, 4, 1))
    dd.close_month(lhy, "2026-03", org["users"]["manager1"], now=datetime(2026, 4, 2))
    return appeals.decide(notice, org["users"]["manager1"], True, "排班表证实", now=datetime(2026, 4, 3))[1]


def test_five_points_upheld_down_to_four_after_close_gives_back_the_point_and_the_extra_fine(org, lhy):
    make(org, lhy, datetime(2026, 3, 2), points=4, problem_key="round:late")
    one = make(org, lhy, datetime(2026, 3, 9), points=1, problem_key="round:missed")
    march_before = dd.ledger_for(lhy, "2026-03", now=datetime(2026, 4, 1))
    assert march_before["posting"][0]["username"] == "guard1"
    reversal = _decide_after_close(org, lhy, one)
    assert [(c.staff_id, c.month, c.corrects_month, c.amount, c.extra_fine) for c in reversal.corrections] == [
        (org["users"]["guard1"].id, "2026-04", "2026-03", Decimal("-20.00"), Decimal("-20.00"))]
    guard1 = {ln["username"]: ln for ln in dd.ledger_for(lhy, "2026-04", now=datetime(2026, 4, 3))["lines"]}["guard1"]
    assert guard1["amount"] == Decimal("-5.00") and guard1["correction"] == Decimal("-20.00")
    assert guard1["total"] == Decimal("-25.00") and guard1["points"] == 0 and guard1["tier"] == "none"
    assert "correction of 2026-03" in guard1["corrections"][0]["reason"] and "加罚 -20.00" in guard1["corrections"][0]["reason"]
    march = dd.ledger_for(lhy, "2026-03", now=datetime(2026, 4, 3))
    # the closed month's money is as closed; the public posting no longer names them
    assert march["totals"]["total"] == Decimal("45.00") and march["lines"][0]["extra_fine"] == Decimal("20.00")
    assert march["posting"] == [] and march["posting_at_close"][0]["username"] == "guard1"
    assert [c["amount"] for c in march["corrections"]] == [Decimal("-20.00")]


def test_a_repeat_undone_after_close_gives_the_supervisor_back_the_share_of_the_other_two(org, lhy):
    notices = [make(org, lhy, datetime(2026, 3, d), points=1, problem_key="lobby:floor_clean") for d in (2, 3, 4)]
    reversal = _decide_after_close(org, lhy, notices[0])
    april = {ln["username"]: ln for ln in dd.ledger_for(lhy, "2026-04", now=datetime(2026, 4, 3))["lines"]}
    # March at close: 15.00 split 10.50 / 4.50; recomputed: 10.00 on guard1 alone, no repeat, no share
    assert april["guard1"]["own_amount"] == Decimal("-3.50") and april["super1"]["supervisor_share"] == Decimal("-1.50")
    assert april["guard1"]["correction"] == Decimal("3.00") and april["super1"]["correction"] == Decimal("-3.00")
    assert april["guard1"]["total"] == Decimal("-0.50") and april["super1"]["total"] == Decimal("-4.50")
    assert "supervisor share -3.00" in april["super1"]["corrections"][0]["reason"]
    assert len(reversal.corrections) == 2


def test_a_second_appeal_upheld_for_the_same_closed_month_books_only_what_is_left(org, lhy):
    a = make(org, lhy, datetime(2026, 3, 2), points=3, problem_key="round:late")
    b = make(org, lhy, datetime(2026, 3, 3), points=2, problem_key="round:missed")
    appeals.file_appeal(b, org["users"]["guard1"], "x", now=datetime(2026, 4, 1))
    first = _decide_after_close(org, lhy, a)  # 5 -> 2 points: -15 back and the ¥20 fine
    assert [c.amount for c in first.corrections] == [Decimal("-20.00")]
    second = appeals.decide(b, org["users"]["manager1"], True, "核实", now=datetime(2026, 4, 4))[1]
    assert second.points == -2 and second.corrections == []  # the fine was already given back
    april = dd.ledger_for(lhy, "2026-04", now=datetime(2026, 4, 4))
    assert april["totals"]["total"] == Decimal("-45.00")  # everything March charged guard1


def test_a_correction_booked_into_a_month_is_in_that_months_snapshot_when_it_closes(org, lhy):
    one = make(org, lhy, datetime(2026, 3, 9), points=5)
    _decide_after_close(org, lhy, one)
    lm = dd.close_month(lhy, "2026-04", org["users"]["manager1"], now=datetime(2026, 5, 2))
    assert lm.snapshot["totals"]["total"] == "-45.00" and lm.snapshot["lines"][0]["correction"] == "-20.00"
    assert LedgerCorrection.select().count() == 1
