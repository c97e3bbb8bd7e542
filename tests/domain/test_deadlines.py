"""Deadlines from policy: respond/resolve limits, planned orders, revisits, overdue and escalation."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from api.domain import deadlines as dl
from tests.factories import fixture_policy

P = fixture_policy()
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 20, 2, 0)  # naive UTC, 10:00 in Shanghai


@pytest.mark.parametrize("priority,trade,item,respond,resolve", [
    ("emergency", "engineering", None, 2, 2 + 4),
    ("normal", "engineering", None, 24, 24 + 48),
    ("normal", "cleaning", None, 24, 24 + 8),
    ("normal", "engineering", 6, 24, 24 + 6),   # the checklist item's own limit wins
    ("emergency", "landscaping", None, 2, 2 + 8),  # no trade entry for emergencies: the priority's
])
def test_respond_and_resolve_limits(priority, trade, item, respond, resolve):
    d = dl.order_deadlines(P, priority, T0, trade, item)
    assert d["respond_by"] == T0 + timedelta(hours=respond)
    assert d["resolve_by"] == T0 + timedelta(hours=resolve)


def test_planned_order_is_due_on_its_day_at_the_policys_local_time():
    d = dl.order_deadlines(P, "planned", T0, "engineering", scheduled_for=date(2026, 11, 25), tz=SH)
    assert d["respond_by"] is None
    assert d["resolve_by"] == datetime(2026, 11, 25, 10, 0)  # 18:00 Shanghai


def test_accepting_restarts_the_resolve_clock():
    accepted = T0 + timedelta(hours=5)
    assert dl.resolve_by_after_accept(P, "normal", accepted, "engineering") == accepted + timedelta(hours=48)


def test_revisit_due_one_working_day_after_done_across_national_day():
    done = datetime(2026, 9, 30, 6, 0)  # 14:00 on 30 September in Shanghai
    assert dl.revisit_due(P, done, SH) == datetime(2026, 10, 8, 6, 0)


@pytest.mark.parametrize("status,respond_by,resolve_by,expected", [
    ("assigned", T0 - timedelta(minutes=1), T0 + timedelta(hours=5), "respond"),
    ("accepted", T0 - timedelta(minutes=1), T0 + timedelta(hours=5), None),
    ("in_progress", None, T0 - timedelta(seconds=1), "resolve"),
    ("done", None, T0 - timedelta(hours=1), None),
    ("open", T0 + timedelta(hours=1), T0 + timedelta(hours=2), None),
])
def test_overdue_kind(status, respond_by, resolve_by, expected):
    assert dl.overdue_kind({"status": status, "respond_by": respond_by, "resolve_by": resolve_by}, T0) == expected


def test_escalation_goes_to_the_supervisor_then_after_the_wait_to_the_manager():
    assert dl.escalation_target(0, None, T0, P) == 1
    assert dl.escalation_target(1, T0 - timedelta(hours=23), T0, P) == 1
    assert dl.escalation_target(1, T0 - timedelta(hours=24), T0, P) == 2
    assert dl.escalation_target(2, T0 - timedelta(hours=99), T0, P) == 2


@pytest.mark.parametrize("utc,month", [
    (datetime(2026, 3, 31, 15, 30), "2026-03"),  # 23:30 on 31 March in Shanghai
    (datetime(2026, 3, 31, 16, 0), "2026-04"),   # midnight: April
    (datetime(2025, 12, 31, 16, 30), "2026-01"),
])
def test_month_is_taken_in_the_site_time_zone(utc, month):
    assert dl.month_of(utc, SH) == month


def test_month_bounds_and_neighbours():
    assert dl.month_bounds("2026-12", SH) == (datetime(2026, 11, 30, 16, 0), datetime(2026, 12, 31, 16, 0))
    assert dl.next_month("2026-12") == "2027-01" and dl.previous_month("2026-01") == "2025-12"
    assert dl.most_urgent(["planned", "normal", "emergency"]) == "emergency" and dl.most_urgent([]) == "normal"
