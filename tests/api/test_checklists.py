"""GET /checklists: the current versions, ETag/304, and every stored version."""
import os
import shutil

from api.domain import catalog_sync


def test_list_names_every_checklist_with_its_current_version(login):
    r = login("guard1").get("/checklists")
    assert r.status_code == 200
    by_key = {c["key"]: c for c in r.get_json()}
    assert {"lobby", "car_park", "road_lamps", "night_lighting", "roads", "drain_covers", "repair_site",
            "zone_cleaning"} <= set(by_key)
    assert by_key["road_lamps"]["current_version"] == 1
    assert by_key["road_lamps"]["name"] == "路灯/地灯" and by_key["road_lamps"]["name_en"] == "Road lamps"


def test_a_checklist_comes_with_its_items_in_both_languages(login):
    r = login("guard1").get("/checklists/road_lamps")
    assert r.status_code == 200
    body = r.get_json()
    assert body["version"] == 1 and body["applies_to"] == ["road_lamp"]
    lamp = body["items"][0]
    assert lamp == {"key": "lamp_lit", "text": "路灯（地灯）照明正常", "text_en": "Lamp is lit", "trade": "engineering",
                    "photo_required_on_fail": True, "priority": "normal", "points": 2, "resolve_hours": 24}
    assert "路灯" in r.get_data(as_text=True)  # Chinese sent as UTF-8, not \\u escapes


def test_unchanged_checklist_answers_304_to_its_etag(login):
    guard = login("guard1")
    r = guard.get("/checklists/lobby")
    etag = r.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = guard.get("/checklists/lobby", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    other = guard.get("/checklists/lobby", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_a_new_version_changes_the_etag_and_the_old_one_stays_readable(app, login, tmp_path):
    guard = login("guard1")
    old = guard.get("/checklists/road_lamps")
    d = tmp_path / "cl"
    shutil.copytree(app.config["PATROL_CHECKLISTS_DIR"], d, ignore=shutil.ignore_patterns("policy.yaml"))
    path = d / "road_lamps.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("points: 2", "points: 3", 1), encoding="utf-8")
    catalog_sync.sync(str(d))

    new = guard.get("/checklists/road_lamps", headers={"If-None-Match": old.headers["ETag"]})
    assert new.status_code == 200
    assert new.get_json()["version"] == 2 and new.get_json()["items"][0]["points"] == 3
    assert new.headers["ETag"] != old.headers["ETag"]
    v1 = guard.get("/checklists/road_lamps/versions/1")
    assert v1.status_code == 200 and v1.get_json() == old.get_json()
    assert "immutable" in v1.headers["Cache-Control"]
    listed = {c["key"]: c["current_version"] for c in guard.get("/checklists").get_json()}
    assert listed["road_lamps"] == 2


def test_unknown_checklist_or_version_is_404(login):
    guard = login("guard1")
    for path in ("/checklists/swimming_pool", "/checklists/lobby/versions/7",
                 "/checklists/lobby/versions/0", "/checklists/lobby/versions/99999999999999999999"):
        r = guard.get(path)
        assert r.status_code == 404, path
        assert r.get_json()["code"] == 404


def test_checklists_need_a_login(anon, org):
    assert anon.get("/checklists").status_code == 401
    assert anon.get("/checklists/lobby").status_code == 401


def test_checklists_directory_used_by_the_app_is_the_shipped_one(app):
    assert os.path.isfile(os.path.join(app.config["PATROL_CHECKLISTS_DIR"], "lobby.yaml"))
