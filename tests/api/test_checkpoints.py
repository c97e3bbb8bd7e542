"""Checkpoints: the lists of the caller's sites and the QR scan by code."""

from tests.helpers import assert_error_shape


def test_scanning_a_code_gives_the_checkpoint_zone_site_and_checklists(login):
    r = login("guard1").get("/checkpoints/by-code/LHY-LAMP-01")
    assert r.status_code == 200
    cp = r.get_json()
    assert cp["code"] == "LHY-LAMP-01" and cp["kind"] == "road_lamp"
    assert cp["site"]["code"] == "LHY" and cp["site"]["timezone"] == "Asia/Shanghai"
    assert cp["zone"]["code"] == "A"
    assert cp["checklist_keys"] == ["road_lamps", "night_lighting"]
    assert [(c["key"], c["version"]) for c in cp["checklists"]] == [("road_lamps", 1), ("night_lighting", 1)]


def test_scanning_another_sites_code_is_404_like_an_unknown_code(login):
    guard = login("guard1")  # Green Lotus Garden only
    other = guard.get("/checkpoints/by-code/HQT-LOBBY")
    unknown = guard.get("/checkpoints/by-code/NO-SUCH-CODE")
    assert_error_shape(other, 404)
    assert_error_shape(unknown, 404)
    assert other.get_json()["message"] == unknown.get_json()["message"]
    assert login("guard2").get("/checkpoints/by-code/HQT-LOBBY").status_code == 200


def test_lobby_scan_offers_the_cleaners_checklist_too(login):
    cp = login("cleaner1").get("/checkpoints/by-code/LHY-T1-LOBBY").get_json()
    assert [c["key"] for c in cp["checklists"]] == ["lobby", "zone_cleaning"]


def test_site_checkpoints_in_round_order(login):
    guard = login("guard1")
    r = guard.get("/sites/1/checkpoints")
    assert r.status_code == 200
    codes = [c["code"] for c in r.get_json()]
    assert codes[0] == "LHY-T1-LOBBY" and "LHY-DRAIN-12" in codes and not any(c.startswith("HQT") for c in codes)
    assert guard.get("/checkpoints?site_id=1").get_json() == r.get_json()


def test_another_sites_checkpoint_list_is_404(login):
    from api.models import Site

    hqt = Site.get(Site.code == "HQT").id
    guard = login("guard1")
    assert_error_shape(guard.get(f"/sites/{hqt}/checkpoints"), 404)
    assert_error_shape(guard.get(f"/checkpoints?site_id={hqt}"), 404)


def test_without_site_id_every_visible_site_is_listed(login):
    codes = {c["code"] for c in login("manager1").get("/checkpoints").get_json()}
    assert "LHY-T1-LOBBY" in codes and "HQT-LOBBY" in codes
    assert not any(c.startswith("HQT") for c in (x["code"] for x in login("guard1").get("/checkpoints").get_json()))


def test_retired_checkpoint_is_not_scanned_and_listed_only_on_request(login):
    from api.models import Checkpoint

    Checkpoint.update(active=False).where(Checkpoint.code == "LHY-LAMP-24").execute()
    guard = login("guard1")
    assert_error_shape(guard.get("/checkpoints/by-code/LHY-LAMP-24"), 404)
    assert "LHY-LAMP-24" not in {c["code"] for c in guard.get("/sites/1/checkpoints").get_json()}
    everything = guard.get("/sites/1/checkpoints?include_inactive=true").get_json()
    assert {c["code"]: c["active"] for c in everything}["LHY-LAMP-24"] is False


def test_bad_query_is_422_not_500(login):
    r = login("guard1").get("/checkpoints?site_id=abc")
    assert_error_shape(r, 422, field="site_id")
