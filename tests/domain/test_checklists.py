"""Checklists as data: every kind of problem is reported with its file and line, the shipped
files are valid, and sync stores a new immutable version only when the content changed."""
import os
import shutil
import uuid
from datetime import timedelta

import pytest

from api.domain import catalog_sync, checklist_versions, checklists as cl
from api.errors import Invalid

SHIPPED = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "checklists")

GOOD = """\
key: lamps
name: 路灯
name_en: Road lamps
trade: engineering
applies_to: [road_lamp]
items:
  - key: lamp_lit
    text: 路灯正常点亮
    text_en: Lamp is lit
    trade: engineering
    photo_required_on_fail: true
    priority: normal
    points: 2
    resolve_hours: 24
  - key: pole_clean
    text: 灯杆干净
    text_en: Pole clean
    trade: cleaning
    photo_required_on_fail: false
    priority: planned
    points: 1
"""

SCHEDULES = """\
LHY:
  - key: night_round
    name: 夜间巡查
    name_en: Night round
    checklist: lamps
    role: guard
    rule: {at: ["22:00"]}
    window_minutes: 120
"""


def write_dir(tmp_path, checklist=GOOD, schedules=SCHEDULES, name="lamps.yaml"):
    d = tmp_path / "cl"
    d.mkdir(exist_ok=True)
    (d / name).write_text(checklist, encoding="utf-8")
    if schedules is not None:
        (d / "schedules.yaml").write_text(schedules, encoding="utf-8")
    return str(d)


def replace_line(text, lineno, new):
    lines = text.splitlines()
    lines[lineno - 1] = new
    return "\n".join(lines) + "\n"


def test_shipped_checklists_and_schedules_are_valid():
    assert cl.validate_dir(SHIPPED) == []
    cat = cl.load_dir(SHIPPED)
    assert {"lobby", "car_park", "road_lamps", "night_lighting", "roads", "drain_covers", "repair_site",
            "zone_cleaning"} <= set(cat.checklists)
    assert {"LHY", "HQT"} <= set(cat.schedules)


def test_shipped_safety_items_need_a_photo_and_are_urgent():
    cat = cl.load_dir(SHIPPED)

    def item(checklist, key):
        return next(i for i in cat.checklists[checklist]["items"] if i["key"] == key)

    for checklist, key in [("drain_covers", "cover_secure"), ("drain_covers", "cover_not_damaged"),
                           ("car_park", "ceiling_no_leak"), ("night_lighting", "lit_at_night")]:
        assert item(checklist, key)["photo_required_on_fail"] is True
        assert item(checklist, key)["priority"] == "emergency"


def test_zone_cleaning_has_only_cleaning_items():
    body = cl.load_dir(SHIPPED).checklists["zone_cleaning"]
    assert {i["trade"] for i in body["items"]} == {"cleaning"}


def test_a_good_file_loads_as_the_version_body_format(tmp_path):
    cat = cl.load_dir(write_dir(tmp_path))
    assert cat.problems == []
    body = cat.checklists["lamps"]
    assert body["applies_to"] == ["road_lamp"]
    assert body["items"][0] == {"key": "lamp_lit", "text": "路灯正常点亮", "text_en": "Lamp is lit",
                                "trade": "engineering", "photo_required_on_fail": True, "priority": "normal",
                                "points": 2, "resolve_hours": 24}
    assert body["items"][1]["resolve_hours"] is None


# (what is wrong, how to make it, the line reported, words in the message)
PROBLEMS = [
    ("duplicate mapping key", lambda t: t.replace("    priority: planned\n", "    priority: planned\n    priority: normal\n"),
     21, "duplicate key 'priority' (first on line 20)"),
    ("duplicate item key", lambda t: t.replace("key: pole_clean", "key: lamp_lit"), 15, "duplicate item key 'lamp_lit'"),
    ("missing field", lambda t: t.replace("    points: 1\n", ""), 15, "items[1].points: Missing data"),
    ("missing checklist name", lambda t: t.replace("name: 路灯\n", ""), 1, "name: Missing data"),
    ("bad trade", lambda t: replace_line(t, 10, "    trade: plumbing"), 10, "items[0].trade: Must be one of"),
    ("bad priority", lambda t: replace_line(t, 12, "    priority: urgent"), 12, "items[0].priority: Must be one of"),
    ("negative points", lambda t: replace_line(t, 13, "    points: -2"), 13, "Points cannot be negative"),
    ("points not a number", lambda t: replace_line(t, 13, "    points: two"), 13, "items[0].points: Not a valid integer"),
    ("no Chinese text", lambda t: replace_line(t, 8, "    text: Lamp is lit"), 8, "items[0].text: Chinese text is missing"),
    ("no English text", lambda t: replace_line(t, 9, "    text_en: 路灯亮"), 9, "items[0].text_en: English text is missing"),
    ("empty English text", lambda t: replace_line(t, 9, "    text_en: ''"), 9, "items[0].text_en"),
    ("unknown applies_to kind", lambda t: replace_line(t, 5, "applies_to: [road_lamp, swimming_pool]"), 5,
     "applies_to[1]: Must be one of"),
    ("unknown field", lambda t: t + "colour: red\n", 22, "colour: Unknown field"),
    ("photo flag not true/false", lambda t: replace_line(t, 11, "    photo_required_on_fail: sometimes"), 11,
     "photo_required_on_fail: Not a valid boolean"),
    ("key not the file name", lambda t: replace_line(t, 1, "key: lights"), 1, "must match the file name"),
    ("bad item key", lambda t: replace_line(t, 7, "  - key: Lamp Lit"), 7, "items[0].key: Use lower-case"),
    ("no items", lambda t: t[:t.index("items:")] + "items: []\n", 6, "items: Shorter than minimum length 1"),
    ("broken YAML", lambda t: t.replace("applies_to: [road_lamp]", "applies_to: [road_lamp"), 6, "not valid YAML"),
    ("not a mapping", lambda t: "- just\n- a list\n", 1, "a checklist is a mapping"),
]


@pytest.mark.parametrize("what,make,line,words", PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_every_problem_is_reported_with_file_and_line(tmp_path, what, make, line, words):
    problems = cl.validate_dir(write_dir(tmp_path, make(GOOD)))
    assert any(p.startswith(f"lamps.yaml:{line}: ") and words in p for p in problems), problems


SCHEDULE_PROBLEMS = [
    ("unknown checklist", lambda t: t.replace("checklist: lamps", "checklist: lampz"), 5, "no checklist 'lampz'"),
    ("time not a time", lambda t: t.replace('"22:00"', '"25:00"'), 7, "rule.at[0]: Not a time of day"),
    ("both kinds of rule", lambda t: t.replace('{at: ["22:00"]}', '{at: ["22:00"], every_minutes: 60}'), 7,
     "Give either at"),
    ("every without to", lambda t: t.replace('{at: ["22:00"]}', '{every_minutes: 60, from: "08:00"}'), 7,
     "every_minutes needs to"),
    ("bad role", lambda t: t.replace("role: guard", "role: manager"), 6, "[0].role: Must be one of"),
    ("kind the checklist does not cover", lambda t: t.replace("    rule:", "    checkpoint_kinds: [lobby]\n    rule:"),
     7, "does not apply to 'lobby'"),
    ("duplicate schedule key", lambda t: t + t[t.index("  - key"):], 9, "duplicate schedule key 'night_round'"),
    ("window missing", lambda t: t.replace("    window_minutes: 120\n", ""), 2, "window_minutes: Missing data"),
]


@pytest.mark.parametrize("what,make,line,words", SCHEDULE_PROBLEMS, ids=[p[0] for p in SCHEDULE_PROBLEMS])
def test_every_schedule_problem_is_reported_with_file_and_line(tmp_path, what, make, line, words):
    problems = cl.validate_dir(write_dir(tmp_path, schedules=make(SCHEDULES)))
    assert any(p.startswith(f"schedules.yaml:{line}: ") and words in p for p in problems), problems


def test_unquoted_times_are_read_as_times_not_base_60_numbers(tmp_path):
    cat = cl.load_dir(write_dir(tmp_path, schedules=SCHEDULES.replace('["22:00"]', "[22:00, 7:30]")))
    assert cat.problems == []
    assert cat.schedules["LHY"][0]["rule"] == {"at": ["07:30", "22:00"]}


def test_policy_file_problems_are_included_when_policy_code_exists(tmp_path):
    d = write_dir(tmp_path)
    with open(os.path.join(d, "policy.yaml"), "w", encoding="utf-8") as fh:
        fh.write("timezone: Asia/Shanghai\n")
    pytest.importorskip("api.domain.policy")
    assert any(p.startswith("policy.yaml:") for p in cl.validate_dir(d))


def test_content_hash_ignores_key_order_but_not_content():
    a = {"key": "x", "items": [{"key": "a", "points": 1}]}
    b = {"items": [{"points": 1, "key": "a"}], "key": "x"}
    assert cl.content_hash(a) == cl.content_hash(b)
    assert cl.content_hash(a) != cl.content_hash({"key": "x", "items": [{"key": "a", "points": 2}]})


# --- sync (database) ---------------------------------------------------------------------------

def test_sync_refuses_invalid_files_and_stores_nothing(app, tmp_path):
    from api.models import Checklist

    d = write_dir(tmp_path, GOOD.replace("points: 2", "points: -2"))
    with pytest.raises(Invalid) as err:
        catalog_sync.sync(d)
    assert any("lamps.yaml:13:" in p for p in err.value.fields["checklists"])
    assert Checklist.select().count() == 0


def test_sync_makes_a_version_only_when_the_content_changed(org, tmp_path):
    from api.models import Checklist, ChecklistVersion, Schedule

    d = write_dir(tmp_path)
    first = catalog_sync.sync(d)
    assert first["checklists"] == [{"checklist": "lamps", "action": "created", "version": 1}]
    assert catalog_sync.sync(d)["checklists"] == [{"checklist": "lamps", "action": "unchanged", "version": 1}]
    assert Schedule.get(Schedule.key == "night_round").rule == {"at": ["22:00"]}

    with open(os.path.join(d, "lamps.yaml"), "w", encoding="utf-8") as fh:
        fh.write(GOOD.replace("points: 2", "points: 3"))
    assert catalog_sync.sync(d)["checklists"] == [{"checklist": "lamps", "action": "updated", "version": 2}]
    lamps = Checklist.get(Checklist.key == "lamps")
    assert lamps.current_version == 2
    v1, v2 = ChecklistVersion.select().where(ChecklistVersion.checklist == lamps).order_by(ChecklistVersion.version)
    assert v1.item("lamp_lit")["points"] == 2 and v2.item("lamp_lit")["points"] == 3
    assert v1.content_hash != v2.content_hash


def test_an_old_inspection_keeps_the_version_it_was_made_with(org, tmp_path):
    from api.models import Checklist, ChecklistVersion, Checkpoint, Inspection, utcnow

    d = write_dir(tmp_path)
    catalog_sync.sync(d)
    v1 = ChecklistVersion.get(ChecklistVersion.checklist == Checklist.get(Checklist.key == "lamps"))
    cp = Checkpoint.get(Checkpoint.code == "LHY-LAMP-01")
    now = utcnow()
    inspection = Inspection.create(id=str(uuid.uuid4()), site=cp.site_id, zone=cp.zone_id, checkpoint=cp,
                                   checklist_version=v1, checklist_key="lamps", inspector=org["users"]["guard1"],
                                   started_at=now - timedelta(minutes=3), finished_at=now, body_hash="x")
    with open(os.path.join(d, "lamps.yaml"), "w", encoding="utf-8") as fh:
        fh.write(GOOD.replace("灯杆干净", "灯杆干净，无锈蚀"))
    catalog_sync.sync(d)
    again = Inspection.get_by_id(inspection.id)
    assert again.checklist_version.version == 1
    assert again.checklist_version.item("pole_clean")["text"] == "灯杆干净"
    assert checklist_versions.current_versions()["lamps"].version == 2


def test_demo_step_loads_the_shipped_checklists(org):
    versions = checklist_versions.current_versions()
    assert set(versions) >= {"lobby", "road_lamps", "night_lighting", "zone_cleaning"}
    assert all(v.version == 1 for v in versions.values())


def test_checkpoint_list_decides_which_checklists_apply():
    body = {"key": "zone_cleaning", "applies_to": ["lobby"]}
    assert cl.applies(body, ["lobby", "zone_cleaning"])
    assert not cl.applies(body, ["lobby"])
    assert not cl.applies(body, [])


def test_validate_command_prints_every_problem_and_fails(tmp_path):
    from click.testing import CliRunner

    from api.commands.checklists import command

    bad = write_dir(tmp_path, GOOD.replace("priority: planned", "priority: someday"))
    result = CliRunner().invoke(command, ["validate", "--dir", bad])
    assert result.exit_code == 1
    assert "lamps.yaml:20: items[1].priority: Must be one of" in result.output
    good = tmp_path / "shipped"
    shutil.copytree(SHIPPED, good)
    result = CliRunner().invoke(command, ["validate", "--dir", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 8 checklists")
