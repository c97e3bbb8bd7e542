"""The inspection validator and the findings it derives, from values alone (no database)."""
from datetime import datetime, timedelta

import pytest
from hypothesis import given, strategies as st

from api.domain.findings import check_transition, findings_from_results
from api.domain.inspection_rules import body_hash, canonical_body, check_results, is_clock_suspect
from api.errors import Conflict

LAMPS = {
    "key": "road_lamps", "name": "路灯/地灯", "name_en": "Road lamps", "trade": "engineering",
    "applies_to": ["road_lamp"],
    "items": [
        {"key": "lamp_lit", "text": "路灯正常点亮", "text_en": "Lamp is lit", "trade": "engineering",
         "photo_required_on_fail": True, "priority": "normal", "points": 2, "resolve_hours": 24},
        {"key": "no_cobwebs", "text": "无蜘蛛网", "text_en": "No cobwebs", "trade": "cleaning",
         "photo_required_on_fail": False, "priority": "planned", "points": 1, "resolve_hours": None},
        {"key": "pole_ok", "text": "灯杆无锈蚀", "text_en": "Pole without rust",
         "photo_required_on_fail": False, "priority": "weird", "points": 1},
    ],
}
P1, P2 = "a" * 64, "b" * 64


def res(key, status="pass", photos=(), note=""):
    return {"item_key": key, "status": status, "note": note, "photo_ids": list(photos)}


ALL_PASS = [res("lamp_lit"), res("no_cobwebs"), res("pole_ok")]


@pytest.mark.parametrize("results, visible, expected", [
    (ALL_PASS, set(), set()),
    ([res("lamp_lit", "fail", [P1]), res("no_cobwebs", "na"), res("pole_ok")], {P1}, set()),
    ([res("lamp_lit", "fail"), res("no_cobwebs"), res("pole_ok")], set(), {"results.0.photo_ids"}),
    ([res("lamp_lit"), res("no_cobwebs", "fail"), res("pole_ok")], set(), set()),
    ([res("lamp_lit", "fail", [P2]), res("no_cobwebs"), res("pole_ok")], {P1}, {"results.0.photo_ids"}),
    ([res("lamp_lit"), res("no_cobwebs", photos=[P2]), res("pole_ok")], set(), {"results.1.photo_ids"}),
    ([res("lamp_lit"), res("no_cobwebs")], set(), {"results"}),
    ([res("lamp_lit"), res("no_cobwebs"), res("pole_ok"), res("lamp_lit")], set(), {"results.3.item_key"}),
    ([res("lamp_lit"), res("no_cobwebs"), res("pole_ok"), res("bulb_colour")], set(), {"results.3.item_key"}),
    ([res("lamp_lit"), res("no_cobwebs"), res("bulb")], set(), {"results.2.item_key", "results"}),
])
def test_results_are_checked_against_the_version(results, visible, expected):
    assert set(check_results(LAMPS, results, visible)) == expected


def test_failed_lamp_without_photo_is_refused():
    errors = check_results(LAMPS, [res("lamp_lit", "fail"), res("no_cobwebs"), res("pole_ok")], set())
    assert "photo" in errors["results.0.photo_ids"][0]


def test_missing_items_are_named():
    errors = check_results(LAMPS, [res("lamp_lit")], set())
    assert "no_cobwebs" in errors["results"][0] and "pole_ok" in errors["results"][0]


def test_one_finding_per_failed_item_takes_title_trade_priority_points_from_the_item():
    rows = findings_from_results(LAMPS, [res("lamp_lit", "fail", note="不亮"), res("no_cobwebs", "fail"),
                                         res("pole_ok", "fail"), ])
    assert [(r["item_key"], r["title"], r["trade"], r["priority"], r["points"]) for r in rows] == [
        ("lamp_lit", "路灯正常点亮", "engineering", "normal", 2),
        ("no_cobwebs", "无蜘蛛网", "cleaning", "planned", 1),
        ("pole_ok", "灯杆无锈蚀", "engineering", "normal", 1),  # checklist trade; unknown priority -> normal
    ]
    assert rows[0]["note"] == "不亮" and rows[0]["resolve_hours"] == 24 and rows[0]["title_en"] == "Lamp is lit"


def test_passes_and_not_applicable_items_open_no_findings():
    assert findings_from_results(LAMPS, [res("lamp_lit"), res("no_cobwebs", "na"), res("pole_ok")]) == []


@pytest.mark.parametrize("ahead_minutes, suspect", [(-60, False), (0, False), (10, False), (11, True)])
def test_device_clock_ahead_of_the_server_beyond_the_skew_is_suspect(ahead_minutes, suspect):
    now = datetime(2026, 3, 1, 14, 0)
    started = now + timedelta(minutes=ahead_minutes) - timedelta(minutes=1)
    finished = now + timedelta(minutes=ahead_minutes)
    assert is_clock_suspect(started, finished, now, 10) is suspect


@pytest.mark.parametrize("current, new, ok", [
    ("open", "dismissed", True), ("open", "in_work", True), ("in_work", "resolved", True),
    ("dismissed", "open", False), ("resolved", "dismissed", False), ("in_work", "dismissed", False),
    ("open", "open", True),
])
def test_finding_status_transitions(current, new, ok):
    if ok:
        check_transition(current, new)
    else:
        with pytest.raises(Conflict):
            check_transition(current, new)


def _body(results, **kw):
    body = {"id": "8E2B1C44-0000-4000-8000-000000000001", "checkpoint_code": "LHY-LAMP-01",
            "checkpoint_id": None, "checklist_key": "road_lamps", "checklist_version": 1,
            "started_at": datetime(2026, 3, 1, 14, 0), "finished_at": datetime(2026, 3, 1, 14, 3),
            "location": None, "task_id": None, "results": results}
    body.update(kw)
    return body


result_st = st.builds(res, st.sampled_from(["lamp_lit", "no_cobwebs", "pole_ok"]),
                      st.sampled_from(["pass", "fail", "na"]),
                      st.lists(st.sampled_from([P1, P2]), max_size=3), st.text(max_size=20))


@given(st.lists(result_st, min_size=1, max_size=5), st.randoms())
def test_body_hash_ignores_order_and_repetition_of_photos_and_results(results, rnd):
    shuffled = [dict(r, photo_ids=rnd.sample(r["photo_ids"], len(r["photo_ids"])) * 2) for r in results]
    rnd.shuffle(shuffled)
    assert body_hash(_body(results)) == body_hash(_body(shuffled))


@given(st.lists(result_st, min_size=1, max_size=5), st.text(min_size=1, max_size=10))
def test_body_hash_changes_when_a_note_changes(results, extra):
    changed = [dict(results[0], note=results[0]["note"] + extra)] + results[1:]
    assert body_hash(_body(results)) != body_hash(_body(changed))


def test_canonical_body_lowercases_the_id_and_drops_absent_fields():
    canon = canonical_body(_body(ALL_PASS))
    assert canon["id"] == "8e2b1c44-0000-4000-8000-000000000001"
    assert "checkpoint_id" not in canon and "location" not in canon
    assert canon["started_at"] == "2026-03-01T14:00:00"
