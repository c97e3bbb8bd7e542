"""Rounds as walked, from values (api/domain/rounds.py): 按顺序巡更, 漏巡/迟巡."""
from datetime import datetime, timedelta

import pytest

from api.domain.rounds import out_of_order, point_timing, summary, walk_points

DUE = datetime(2026, 11, 30, 14, 0)
END = DUE + timedelta(hours=1)


@pytest.mark.parametrize("state, done_at, late_at, timing", [
    ("done", DUE + timedelta(minutes=10), None, "on_time"),
    ("done", DUE - timedelta(minutes=20), None, "early"),
    ("missed", None, None, "missed"),
    ("missed", None, END + timedelta(minutes=30), "late"),  # 迟巡: walked, but it did not count
    ("due", None, None, "due"),
])
def test_a_points_timing(state, done_at, late_at, timing):
    assert point_timing(DUE, END, state, done_at, late_at) == timing


def test_a_point_walked_before_an_earlier_one_is_out_of_order():
    t = [DUE + timedelta(minutes=m) for m in (0, 10, 20)]
    assert out_of_order([t[0], t[1], t[2]]) == [False, False, False]
    # walked C, A, B: C came first though it is last in the round
    assert out_of_order([t[1], t[2], t[0]]) == [False, False, True]
    # a missed point in the middle breaks no order
    assert out_of_order([t[0], None, t[1]]) == [False, False, False]


def test_a_round_counts_its_points():
    base = {"due_at": DUE, "window_end": END}
    points = walk_points([
        dict(base, state="done", done_at=DUE + timedelta(minutes=30)),
        dict(base, state="done", done_at=DUE + timedelta(minutes=5)),
        dict(base, state="missed", done_at=None, late_at=END + timedelta(minutes=3)),
        dict(base, state="missed", done_at=None),
    ])
    assert [p["timing"] for p in points] == ["on_time", "on_time", "late", "missed"]
    assert [p["out_of_order"] for p in points] == [False, True, False, False]
    assert summary(points) == {"early": 0, "on_time": 2, "late": 1, "missed": 1, "due": 0, "out_of_order": 1}
