"""巡检记录: a round as walked — points in the order scanned, gaps, late and missed points.

Seed 002: 「夜間值班、維修、巡邏人員檢查夜間照明是否完好」 — the night lighting round must be seen as walked,
so a missed lamp row is found the next morning."""
from datetime import datetime, timedelta

from api.domain.reports import walk_points

T0 = datetime(2026, 3, 9, 14, 0)  # 22:00 in Shanghai


def _task(cp, minutes=None, status="done", due=T0):
    return {"checkpoint": cp, "due_at": due, "window_end": due + timedelta(hours=2), "status": status,
            "finished_at": None if minutes is None else T0 + timedelta(minutes=minutes), "inspector": "张伟"}


def test_points_come_in_walking_order_with_gaps_late_and_missed():
    tasks = [_task("东路路灯", 40), _task("北门路灯", 5), _task("西路路灯", None, "missed"), _task("南路路灯", 12)]
    points = walk_points(tasks, now=T0 + timedelta(hours=3))
    assert [(p["checkpoint"], p["state"], p["gap_minutes"]) for p in points] == [
        ("北门路灯", "done", None), ("南路路灯", "done", 7), ("东路路灯", "late", 28), ("西路路灯", "missed", None)]


def test_an_unscanned_point_is_due_until_its_window_ends():
    [p] = walk_points([_task("北门路灯", None, "due")], now=T0 + timedelta(minutes=30))
    assert p["state"] == "due"
    [p] = walk_points([_task("北门路灯", None, "due")], now=T0 + timedelta(hours=2, minutes=1))
    assert p["state"] == "missed"


def test_the_days_rounds_are_served_and_printable(login, org):
    sup = login("super1")
    site = org["sites"]["LHY"].id
    r = sup.get(f"/reports/rounds?site_id={site}&date=2026-03-09")
    assert r.status_code == 200 and r.get_json()["late_after_minutes"] == 30
    page = sup.get(f"/reports/rounds.html?site_id={site}&date=2026-03-09")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "巡 检 记 录" in html and "http://" not in html
    assert login("guard1").get(f"/reports/rounds?site_id={site}").status_code == 403
