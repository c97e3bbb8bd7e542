"""Service-desk rules as pure functions: time limits in Asia/Shanghai, escalation, masking, statistics."""
import copy
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from api.domain.deadlines import escalation_level_for
from api.domain.service_requests import (desk as request_desk, limits as request_limits,
                                         privacy as request_privacy, stats)
from api.errors import Conflict, Invalid
from tests.factories import fixture_policy

SH = ZoneInfo("Asia/Shanghai")
POLICY = fixture_policy()


def utc(y, mo, d, h=0, mi=0):
    """A Shanghai wall-clock time as naive UTC (how times are stored)."""
    return datetime(y, mo, d, h, mi, tzinfo=SH).astimezone(timezone.utc).replace(tzinfo=None)


def policy(**complaints):
    p = copy.deepcopy(POLICY)
    p["complaints"].update(complaints)
    return p


# --- time limits --------------------------------------------------------------------------

def test_complaint_received_at_2350_is_due_by_midnight_the_same_day():
    d = request_limits.request_deadlines(POLICY, "complaint", "normal", "desk", utc(2025, 5, 20, 23, 50), SH)
    assert d["due_at"] == utc(2025, 5, 21, 0, 0)
    assert d["respond_by"] is None


def test_complaint_received_just_after_midnight_has_the_whole_day():
    d = request_limits.request_deadlines(POLICY, "complaint", "normal", "desk", utc(2025, 5, 21, 0, 5), SH)
    assert d["due_at"] == utc(2025, 5, 22, 0, 0)


def test_late_evening_grace_when_policy_sets_desk_min_hours():
    p = policy(desk_min_hours=2)
    assert request_limits.request_deadlines(p, "complaint", "normal", "desk", utc(2025, 5, 20, 23, 50), SH)["due_at"] \
        == utc(2025, 5, 21, 1, 50)
    # in the morning the same-day limit is the later one
    assert request_limits.request_deadlines(p, "complaint", "normal", "desk", utc(2025, 5, 20, 9, 0), SH)["due_at"] \
        == utc(2025, 5, 21, 0, 0)


def test_same_day_is_counted_in_site_time_not_utc():
    # 07:30 Shanghai is 23:30 UTC of the day before: still "today" for the desk
    received = utc(2025, 5, 21, 7, 30)
    assert received.day == 20
    assert request_limits.request_deadlines(POLICY, "complaint", "normal", "desk", received, SH)["due_at"] == utc(2025, 5, 22)


@pytest.mark.parametrize("kind, received, due", [
    # Qingming 2025: Fri 4 – Sun 6 April off. Calendar days run through the holiday...
    ("calendar", utc(2025, 4, 3, 10, 0), utc(2025, 4, 7, 0, 0)),
    # ...working days skip it: Mon 7, Tue 8, Wed 9 -> by 24:00 on the 9th
    ("working", utc(2025, 4, 3, 10, 0), utc(2025, 4, 10, 0, 0)),
    # National Day 2025: 1–8 Oct off, Sat 11 Oct is an adjusted working day (调休)
    ("calendar", utc(2025, 9, 30, 15, 0), utc(2025, 10, 4, 0, 0)),
    ("working", utc(2025, 9, 30, 15, 0), utc(2025, 10, 12, 0, 0)),
    # an ordinary weekend: Friday + 3 working days = Wednesday
    ("working", utc(2025, 6, 13, 9, 0), utc(2025, 6, 19, 0, 0)),
])
def test_transferred_complaint_limit_across_holidays(kind, received, due):
    p = policy(transfer_days=3, transfer_days_kind=kind)
    assert request_limits.request_deadlines(p, "complaint", "normal", "transferred", received, SH)["due_at"] == due


@pytest.mark.parametrize("priority, hours", [("emergency", 2), ("normal", 24)])
def test_repair_must_be_responded_to_within_policy_hours(priority, hours):
    received = utc(2025, 5, 20, 22, 15)
    d = request_limits.request_deadlines(POLICY, "repair", priority, "desk", received, SH)
    assert d["respond_by"] == received + timedelta(hours=hours)
    # and a repair, always a department's job, is finished within the transfer limit
    assert d["due_at"] == utc(2025, 5, 24, 0, 0)


# --- escalation -------------------------------------------------------------------------

ESC = POLICY["work_orders"]["escalation"]


@pytest.mark.parametrize("minutes_after_due, level", [
    (-1, 0), (0, 0), (1, 1), (24 * 60 - 1, 1), (24 * 60, 2), (72 * 60, 2),
])
def test_overdue_request_moves_up_one_level_at_a_time(minutes_after_due, level):
    due = utc(2025, 5, 21)
    now = due + timedelta(minutes=minutes_after_due)
    missed = request_limits.missed_limit("open", None, None, due, now)
    assert escalation_level_for(missed, now, ESC) == level


def test_missed_response_counts_before_the_handling_limit():
    respond_by, due = utc(2025, 5, 20, 12), utc(2025, 5, 24)
    now = utc(2025, 5, 20, 12, 30)
    assert request_limits.missed_limit("open", respond_by, None, due, now) == respond_by
    # responded in time: nothing missed yet
    assert request_limits.missed_limit("handling", respond_by, utc(2025, 5, 20, 11), due, now) is None


@pytest.mark.parametrize("status", ["done", "closed", "cancelled"])
def test_finished_requests_never_escalate(status):
    assert request_limits.missed_limit(status, None, None, utc(2025, 5, 1), utc(2025, 6, 1)) is None


# --- transitions ---------------------------------------------------------------------------

@pytest.mark.parametrize("status, action, to", [
    ("open", "handle", "handling"), ("open", "transfer", "transferred"), ("handling", "transfer", "transferred"),
    ("transferred", "transfer", "transferred"), ("handling", "complete", "done"), ("open", "cancel", "cancelled"),
])
def test_allowed_transitions(status, action, to):
    assert request_desk.check_transition(status, action) == to


@pytest.mark.parametrize("status, action", [
    ("done", "handle"), ("closed", "transfer"), ("cancelled", "reopen"), ("open", "complete"),
    ("transferred", "cancel"), ("open", "reopen"),
])
def test_illegal_transitions_are_conflicts(status, action):
    with pytest.raises(Conflict):
        request_desk.check_transition(status, action)


def test_unknown_action_is_a_field_error():
    with pytest.raises(Invalid) as err:
        request_desk.check_transition("open", "fly")
    assert "action" in err.value.fields


# --- privacy --------------------------------------------------------------------------------

@pytest.mark.parametrize("phone, masked", [
    ("13800135678", "138****5678"), ("138-0013-5678", "138****5678"), ("+86 138 0013 5678", "861****5678"),
    ("6123456", "****3456"), ("", ""),
])
def test_phone_masking(phone, masked):
    assert request_privacy.mask_phone(phone) == masked


@pytest.mark.parametrize("name, masked", [("张三丰", "张**"), ("李四", "李**"), ("欧阳娜娜", "欧**"), ("", "")])
def test_name_masking_hides_all_but_the_family_name(name, masked):
    assert request_privacy.mask_name(name) == masked


@pytest.mark.parametrize("role, user_id, sees", [
    ("service", 5, True),   # the handler
    ("service", 6, True),   # the creator
    ("service", 7, False),  # another receptionist
    ("supervisor", 7, False),
    ("manager", 7, True), ("admin", 7, True),
])
def test_who_sees_the_owner(role, user_id, sees):
    from types import SimpleNamespace

    from api.domain.permissions import can

    req = SimpleNamespace(handler_id=5, created_by_id=6)
    assert can(SimpleNamespace(role=role, id=user_id), "request.reveal_owner", req) is sees


def test_work_order_text_carries_no_owner_name_or_phone():
    text = request_privacy.scrub_owner("张三丰反映 3 栋 1201 厨房漏水，电话 138-0013-5678，家里座机 021-6123 4567", "张三丰",
                          "13800135678")
    assert "张三丰" not in text and "5678" not in text and "4567" not in text
    assert "1201" in text and "漏水" in text


# --- statistics -----------------------------------------------------------------------------

def _row(**kw):
    base = dict(kind="complaint", channel="phone", category="other", building="3", unit="2", room="1201",
                trade="customer_service", status="closed", due_at=utc(2025, 5, 2), done_at=utc(2025, 5, 1, 18),
                respond_by=None, responded_at=None, satisfied=True, reopen_count=0, escalation_level=0)
    base.update(kw)
    return base


def test_statistics_match_a_hand_count():
    now = utc(2025, 6, 1)
    rows = [
        _row(),                                                             # on time, satisfied
        _row(category="water_leak", kind="repair", trade="engineering", channel="wechat",
             respond_by=utc(2025, 5, 3, 2), responded_at=utc(2025, 5, 3, 1), done_at=utc(2025, 5, 4),
             due_at=utc(2025, 5, 5)),                                     # on time
        _row(category="water_leak", kind="repair", trade="engineering", done_at=utc(2025, 5, 3),
             satisfied=False, reopen_count=1),                             # late (done after due), unsatisfied
        _row(building="5", room="", status="open", done_at=None, satisfied=None,
             escalation_level=1, due_at=utc(2025, 5, 20)),                 # open and overdue: late
        _row(building="", unit="", room="", public_area="中心广场", kind="suggestion", channel="visit",
             status="handling", done_at=None, satisfied=None, due_at=utc(2025, 6, 2)),  # still in time
        _row(status="cancelled", done_at=None, satisfied=None),           # cancelled: no rate
    ]
    s = stats.compute_stats(rows, now)
    assert s["total"] == 6
    assert s["by_kind"] == {"complaint": 3, "repair": 2, "suggestion": 1}
    assert s["by_building"] == {"3": 4, "5": 1, "公共区域": 1}
    assert s["by_trade"] == {"customer_service": 4, "engineering": 2}
    assert s["by_channel"] == {"phone": 4, "visit": 1, "wechat": 1}
    assert (s["on_time"], s["late"], s["on_time_rate"]) == (2, 2, 0.5)
    assert (s["satisfied"], s["revisited"], s["satisfaction_rate"]) == (2, 3, 0.6667)
    assert s["reopened"] == 1 and s["escalated"] == 1
    # unit 3-2-1201 raised water leaks twice; its one other complaint (and the cancelled one) do not count
    assert s["repeat_units"] == [{"building": "3", "unit": "2", "room": "1201", "category": "water_leak",
                                  "count": 2, "earlier": 0}]


def test_a_unit_raising_last_months_problem_again_is_a_repeat():
    this_month = [_row(category="noise"), _row(room="1202", category="lift")]
    earlier = [_row(category="noise", status="closed"), _row(room="1202", category="water_leak"),
               _row(room="1203", category="noise")]
    assert stats.repeat_units(this_month, earlier) == [
        {"building": "3", "unit": "2", "room": "1201", "category": "noise", "count": 1, "earlier": 1}]


def test_a_late_response_makes_a_repair_late_even_if_finished_in_time():
    row = _row(kind="repair", respond_by=utc(2025, 5, 1, 2), responded_at=utc(2025, 5, 1, 3),
               done_at=utc(2025, 5, 1, 20), now=utc(2025, 6, 1))
    assert stats.on_time(row) is False


def test_empty_month_has_no_rates():
    s = stats.compute_stats([], utc(2025, 6, 1))
    assert s["total"] == 0 and s["on_time_rate"] is None and s["satisfaction_rate"] is None
