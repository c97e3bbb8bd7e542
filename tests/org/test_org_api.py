"""The organisation over the API: zones, buildings, units, schedules, checkpoints, sites and staff — list,
create, update, deactivate; admin everywhere, a manager at their own sites; every change audited."""
import pytest

from api.models import Building, Checkpoint, Site, Unit, User, Zone, ZoneResponsible
from tests.factories import audits, manager_of
from tests.helpers import assert_error_shape


def test_a_manager_creates_a_zone_with_its_responsible_guard_and_it_is_audited(login, org):
    mgr = login("manager1")
    r = mgr.post("/zones", json={"site_code": "LHY", "code": "C", "name": "东片区", "name_en": "East zone",
                                 "responsible_security": "guard1"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["code"] == "C" and body["site_id"] == org["sites"]["LHY"].id
    assert body["responsible"]["security"]["name"] == "张伟"
    rows = audits("zone", body["id"])
    assert [a.action for a in rows] == ["zone.created"]
    assert rows[0].before is None and rows[0].after["name"] == "东片区"


def test_the_same_create_again_is_a_retry_and_a_different_one_a_conflict(login, org):
    mgr = login("manager1")
    body = {"site_code": "LHY", "code": "C", "name": "东片区"}
    first = mgr.post("/zones", json=body)
    again = mgr.post("/zones", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert_error_shape(mgr.post("/zones", json={**body, "name": "别的"}), 409)
    assert Zone.select().where(Zone.code == "C").count() == 1


def test_patch_changes_only_what_it_names_and_audits_before_and_after(login, org):
    mgr = login("manager1")
    zone = org["zones"][("LHY", "A")]
    r = mgr.patch(f"/zones/{zone.id}", json={"name_en": "North"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["name"] == zone.name and r.get_json()["name_en"] == "North"
    last = audits("zone", zone.id)[-1]
    assert last.action == "zone.updated"
    assert last.before == {"name_en": zone.name_en} and last.after == {"name_en": "North"}


def test_deactivating_keeps_the_row_and_hides_it_from_the_list(login, org):
    mgr = login("manager1")
    zone = org["zones"][("LHY", "P")]
    r = mgr.post(f"/zones/{zone.id}/deactivate")
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert Zone.get_by_id(zone.id).active is False
    listed = [z["code"] for z in mgr.get("/zones?site_id=%d" % zone.site_id).get_json()["items"]]
    assert "P" not in listed
    everything = mgr.get("/zones?site_id=%d&include_inactive=1" % zone.site_id).get_json()["items"]
    assert "P" in [z["code"] for z in everything]
    assert audits("zone", zone.id)[-1].action == "zone.deactivated"
    assert mgr.patch(f"/zones/{zone.id}", json={"active": True}).get_json()["active"] is True


def test_a_manager_of_one_site_cannot_see_or_change_the_other_sites_rows(login, org):
    manager_of("HQT")
    mgr = login("mgr_only")
    lhy_zone = org["zones"][("LHY", "A")]
    assert_error_shape(mgr.get(f"/zones/{lhy_zone.id}"), 404)
    assert_error_shape(mgr.patch(f"/zones/{lhy_zone.id}", json={"name": "x"}), 404)
    assert_error_shape(mgr.post(f"/zones/{lhy_zone.id}/deactivate"), 404)
    r = mgr.post("/zones", json={"site_code": "LHY", "code": "Q", "name": "x"})
    assert_error_shape(r, 422, field="site_code")
    assert_error_shape(mgr.get("/zones?site_id=%d" % lhy_zone.site_id), 404)
    codes = {z["site_id"] for z in mgr.get("/zones").get_json()["items"]}
    assert codes == {org["sites"]["HQT"].id}
    assert Zone.get_by_id(lhy_zone.id).name == lhy_zone.name


def test_field_staff_and_supervisors_may_read_but_not_change_the_organisation(login, org):
    for who in ("guard1", "super1", "service1"):
        c = login(who)
        assert c.get("/zones").status_code == 200
        assert_error_shape(c.post("/zones", json={"site_code": "LHY", "code": "Z9", "name": "x"}), 403)
        assert_error_shape(c.post("/buildings", json={"site_code": "LHY", "code": "9", "name": "9栋"}), 403)
    assert Zone.get_or_none(Zone.code == "Z9") is None


def test_only_an_administrator_creates_a_site_and_a_manager_edits_their_own(login, org):
    admin, mgr = login("admin"), login("manager1")
    body = {"code": "XYZ", "name": "新苑", "kind": "residential"}
    assert_error_shape(mgr.post("/sites", json=body), 403)
    r = admin.post("/sites", json=body)
    assert r.status_code == 201, r.get_json()
    assert Site.get(Site.code == "XYZ").timezone == "Asia/Shanghai"
    lhy = org["sites"]["LHY"]
    r = mgr.patch(f"/sites/{lhy.id}", json={"address": "荷花路 90 号"})
    assert r.status_code == 200 and r.get_json()["address"] == "荷花路 90 号"
    assert_error_shape(mgr.patch(f"/sites/{r.get_json()['id']}", json={"timezone": "Mars/Base"}), 422)
    assert audits("site", lhy.id)[-1].after == {"address": "荷花路 90 号"}


def test_buildings_units_and_the_zone_a_building_belongs_to(login, org):
    mgr = login("manager1")
    r = mgr.post("/buildings", json={"site_code": "LHY", "code": "1", "name": "1栋", "zone_code": "A"})
    assert r.status_code == 201, r.get_json()
    b = r.get_json()
    assert b["zone_id"] == org["zones"][("LHY", "A")].id
    r = mgr.post("/units", json={"site_code": "LHY", "building_code": "1", "code": "1-1201", "floor": 12})
    assert r.status_code == 201, r.get_json()
    u = r.get_json()
    assert (u["building_id"], u["floor"], u["site_id"]) == (b["id"], 12, org["sites"]["LHY"].id)
    assert mgr.get(f"/units?building_id={b['id']}").get_json()["items"][0]["code"] == "1-1201"
    bad = mgr.post("/buildings", json={"site_code": "LHY", "code": "2", "name": "2栋", "zone_code": "NOPE"})
    assert_error_shape(bad, 422, field="zone_code")
    assert_error_shape(mgr.post("/units", json={"site_code": "LHY", "building_code": "9", "code": "9-101"}), 422)
    moved = mgr.patch(f"/buildings/{b['id']}", json={"site_code": "HQT"})
    assert_error_shape(moved, 422)
    assert Building.get_by_id(b["id"]).site_id == org["sites"]["LHY"].id


def test_pages_of_a_list_follow_their_cursor(login, org):
    mgr = login("manager1")
    for n in range(5):
        assert mgr.post("/buildings", json={"site_code": "LHY", "code": f"{n}", "name": f"{n}栋"}).status_code == 201
    first = mgr.get("/buildings?limit=3").get_json()
    second = mgr.get(f"/buildings?limit=3&cursor={first['next_cursor']}").get_json()
    assert [b["code"] for b in first["items"] + second["items"]] == ["0", "1", "2", "3", "4"]
    assert second["next_cursor"] is None
    assert_error_shape(mgr.get("/buildings?cursor=forged.abc"), 400)


def test_a_checkpoint_is_made_with_its_checklists_position_and_nfc_tag(login, org):
    mgr = login("manager1")
    body = {"site_code": "LHY", "code": "LHY-GATE-01", "name": "南门岗", "kind": "lobby", "zone_code": "B",
            "checklists": ["lobby"], "latitude": 31.2201, "longitude": 121.5441, "nfc_tag_id": "04:A2:2B:1C"}
    r = mgr.post("/checkpoints", json=body)
    assert r.status_code == 201, r.get_json()
    cp = Checkpoint.get(Checkpoint.code == "LHY-GATE-01")
    assert (cp.lat, cp.lon, cp.nfc_tag_id, cp.checklist_keys) == (31.2201, 121.5441, "04:A2:2B:1C", ["lobby"])
    dup = mgr.post("/checkpoints", json={**body, "code": "LHY-GATE-02"})
    assert_error_shape(dup, 409, field="nfc_tag_id")
    unknown = mgr.post("/checkpoints", json={**body, "code": "LHY-GATE-03", "nfc_tag_id": None,
                                             "checklists": ["no_such_list"]})
    assert_error_shape(unknown, 422, field="checklists")
    scanned = login("guard1").get("/checkpoints/by-code/LHY-GATE-01").get_json()
    assert [c["key"] for c in scanned["checklists"]] == ["lobby"]


def test_staff_get_a_login_with_their_employee_number_and_a_manager_cannot_make_an_admin(login, client, org):
    mgr = login("manager1")
    body = {"employee_no": "E0901", "username": "guard9", "name": "钱九", "role": "guard", "trade": "security",
            "site_codes": ["LHY"], "supervisor": "super1", "department": "秩序部", "post": "巡逻岗",
            "password": "start-pass-9"}
    r = mgr.post("/users", json=body)
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert "password" not in out and out["employee_no"] == "E0901" and out["site_codes"] == ["LHY"]
    assert client.post("/api/v1/auth/login", json={"username": "guard9", "password": "start-pass-9"}).status_code == 200
    assert_error_shape(mgr.post("/users", json={**body, "employee_no": "E0902", "username": "boss", "role": "admin"}
                    ), 403)
    assert_error_shape(mgr.post("/users", json={**body, "employee_no": "E0903", "username": "guard1"}), 409)
    nopass = mgr.post("/users", json={k: v for k, v in {**body, "employee_no": "E0904", "username": "g4"}.items()
                                      if k != "password"})
    assert_error_shape(nopass, 422, field="password")
    listed = mgr.get("/users?site_id=%d" % org["sites"]["LHY"].id).get_json()
    assert {"employee_no": "E0901", "department": "秩序部"}.items() <= next(
        u for u in listed if u["username"] == "guard9").items()


def test_deactivating_a_staff_member_ends_their_sessions(login, org):
    guard = login("guard1")
    assert guard.get("/me").status_code == 200
    r = login("manager1").post(f"/users/{org['users']['guard1'].id}/deactivate")
    assert r.status_code == 200 and r.get_json()["active"] is False
    assert_error_shape(guard.get("/me"), 401)
    assert User.get(User.username == "guard1").active is False  # still there for history
    assert audits("user", org["users"]["guard1"].id)[-1].action == "user.deactivated"


def test_schedules_are_made_and_changed_with_times_or_an_interval(login, org):
    mgr = login("manager1")
    body = {"site_code": "LHY", "key": "gate_rounds", "name": "门岗巡查", "checklist": "lobby", "role": "guard",
            "at": ["8:00", "20:00"], "window_minutes": 60}
    r = mgr.post("/schedules", json=body)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["at"] == ["08:00", "20:00"]
    sid = r.get_json()["id"]
    r = mgr.patch(f"/schedules/{sid}", json={"at": [], "every_minutes": 120, "from_time": "08:00",
                                             "to_time": "20:00"})
    assert r.status_code == 200, r.get_json()
    from api.models import Schedule
    assert Schedule.get_by_id(sid).rule == {"every_minutes": 120, "from": "08:00", "to": "20:00"}
    both = mgr.patch(f"/schedules/{sid}", json={"at": ["09:00"]})
    assert_error_shape(both, 422)
    assert_error_shape(mgr.post("/schedules", json={**body, "key": "x2", "checklist": "nope"}), 422)


@pytest.mark.parametrize("path", ["/zones/999999", "/buildings/999999", "/units/999999", "/schedules/999999",
                                  "/checkpoints/999999", "/users/999999"])
def test_unknown_ids_answer_404(login, org, path):
    assert_error_shape(login("manager1").get(path), 404)
