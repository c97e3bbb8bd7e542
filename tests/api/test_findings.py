"""Findings over HTTP: listed with their place and photos, reported ad hoc, dismissed by supervisors."""
import uuid

from api.models import AuditLog, Finding, Zone
from tests.factories import body_for, current_version, item_needing_photo
from tests.factories import jpeg_bytes, upload
from tests.helpers import assert_error_shape


def failed_lamp(guard, code="LHY-LAMP-01"):
    key = item_needing_photo(current_version("road_lamps"))
    pid = upload(guard, jpeg_bytes(color=(hash(code) % 255, 40, 40))).get_json()["id"]
    r = guard.post("/inspections", json=body_for(code=code, fail={key: "灯不亮"}, photos={key: [pid]}))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["findings"][0]["id"], pid


def adhoc(org, **kw):
    body = {"client_id": str(uuid.uuid4()), "site_id": org["sites"]["LHY"].id,
            "zone_id": org["zones"][("LHY", "B")].id, "place": "5 号楼东侧花坛", "note": "花坛护栏倒了\n有钢筋外露",
            "trade": "landscaping", "priority": "normal", "photo_ids": []}
    body.update(kw)
    return body


def test_supervisor_sees_the_finding_with_checkpoint_zone_reporter_and_photos(login, org):
    finding_id, pid = failed_lamp(login("guard1"))
    page = login("super1").get("/findings").get_json()
    (item,) = page["items"]
    assert item["id"] == finding_id and item["photo_ids"] == [pid]
    assert item["checkpoint"]["code"] == "LHY-LAMP-01" and item["checkpoint"]["name"] == "主干道路灯 01"
    assert item["zone"]["name"] == org["zones"][("LHY", "A")].name
    assert item["reporter"]["name"] == "张伟" and item["inspection_id"]
    assert item["checklist_key"] == "road_lamps" and item["source"] == "inspection"
    assert page["next_cursor"] is None
    assert login("super1").get(f"/findings/{finding_id}").get_json() == item


def test_other_sites_findings_are_404_and_not_listed(login, org):
    finding_id, _ = failed_lamp(login("guard1"))
    hqt = login("super3")
    assert_error_shape(hqt.get(f"/findings/{finding_id}"), 404)
    assert hqt.get("/findings").get_json()["items"] == []
    assert_error_shape(hqt.get("/findings/999999"), 404)


def test_filters_and_cursor_pages(login, org):
    guard = login("guard1")
    ids = [failed_lamp(guard, f"LHY-LAMP-{n:02d}")[0] for n in (1, 2, 13)]  # 13 is in zone B
    sup = login("super1")
    zone_b = org["zones"][("LHY", "B")].id
    assert [f["id"] for f in sup.get("/findings", query_string={"zone_id": zone_b}).get_json()["items"]] == [ids[2]]
    assert sup.get("/findings", query_string={"status": "dismissed"}).get_json()["items"] == []
    assert sup.get("/findings", query_string={"checklist_key": "lobby"}).get_json()["items"] == []
    trade = Finding.get_by_id(ids[0]).trade
    assert len(sup.get("/findings", query_string={"trade": trade}).get_json()["items"]) == 3
    first = sup.get("/findings", query_string={"limit": 2}).get_json()
    second = sup.get("/findings", query_string={"limit": 2, "cursor": first["next_cursor"]}).get_json()
    assert [f["id"] for f in first["items"] + second["items"]] == list(reversed(ids))
    assert_error_shape(sup.get("/findings", query_string={"status": "bogus"}), 422)


def test_adhoc_report_is_a_finding_with_source_adhoc(login, org):
    guard = login("guard3")
    pid = upload(guard, jpeg_bytes(color=(5, 90, 5))).get_json()["id"]
    r = guard.post("/findings", json=adhoc(org, photo_ids=[pid]))
    assert r.status_code == 201, r.get_json()
    f = r.get_json()
    assert f["source"] == "adhoc" and f["status"] == "open" and f["photo_ids"] == [pid]
    assert f["place"] == "5 号楼东侧花坛" and f["title"].startswith("5 号楼东侧花坛") and "花坛护栏倒了" in f["title"]
    assert f["zone"]["id"] == org["zones"][("LHY", "B")].id and f["checkpoint"] is None
    assert f["trade"] == "landscaping" and f["points"] == 0


def test_adhoc_report_by_checkpoint_code_takes_its_site_and_zone(login, org):
    r = login("guard1").post("/findings", json=adhoc(org, site_id=None, zone_id=None,
                                                     checkpoint_code="LHY-DRAIN-03", trade="engineering"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["checkpoint"]["code"] == "LHY-DRAIN-03"
    assert r.get_json()["zone"]["id"] == org["zones"][("LHY", "A")].id


def test_adhoc_retry_is_200_and_a_changed_retry_is_409(login, org):
    guard = login("guard1")
    body = adhoc(org)
    assert guard.post("/findings", json=body).status_code == 201
    again = guard.post("/findings", json=body)
    assert again.status_code == 200
    assert_error_shape(guard.post("/findings", json=dict(body, note="别的事")), 409)
    assert Finding.select().count() == 1


def test_adhoc_refusals_are_field_errors_and_store_nothing(login, org):
    guard = login("guard1")
    hqt_zone = Zone.get((Zone.site == org["sites"]["HQT"].id))
    cases = [
        (adhoc(org, site_id=org["sites"]["HQT"].id), "site_id"),
        (adhoc(org, zone_id=hqt_zone.id), "zone_id"),
        (adhoc(org, zone_id=None), "zone_id"),
        (adhoc(org, site_id=None, zone_id=None), "site_id"),
        (adhoc(org, checkpoint_code="HQT-LOBBY", site_id=None), "checkpoint_code"),
        (adhoc(org, photo_ids=["cd" * 32]), "photo_ids"),
        (adhoc(org, trade="plumbing"), "trade"),
        (adhoc(org, note=""), "note"),
    ]
    for body, field in cases:
        r = guard.post("/findings", json=body)
        assert_error_shape(r, 422)
        assert field in r.get_json()["errors"]["json"], (field, r.get_json())
    assert Finding.select().count() == 0


def test_supervisor_dismisses_an_open_finding_with_a_reason_and_it_is_audited(login, org):
    finding_id, _ = failed_lamp(login("guard1"))
    sup = login("super1")
    r = sup.post(f"/findings/{finding_id}/dismiss", json={"reason": "误报：灯已修好"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "dismissed" and r.get_json()["dismissed"]["reason"] == "误报：灯已修好"
    log = AuditLog.get(AuditLog.action == "finding.dismiss")
    assert log.before == {"status": "open"} and log.after["status"] == "dismissed"
    # a retried dismissal changes nothing
    assert sup.post(f"/findings/{finding_id}/dismiss", json={"reason": "误报：灯已修好"}).status_code == 200
    assert AuditLog.select().where(AuditLog.action == "finding.dismiss").count() == 1


def test_guards_cannot_dismiss_and_other_sites_get_404(login, org):
    finding_id, _ = failed_lamp(login("guard1"))
    assert_error_shape(login("guard1").post(f"/findings/{finding_id}/dismiss", json={"reason": "x"}), 403)
    assert_error_shape(login("super3").post(f"/findings/{finding_id}/dismiss", json={"reason": "x"}), 404)
    assert_error_shape(login("super1").post(f"/findings/{finding_id}/dismiss", json={}), 422)
    assert Finding.get_by_id(finding_id).status == "open"


def test_a_finding_in_work_cannot_be_dismissed(login, org):
    finding_id, _ = failed_lamp(login("guard1"))
    Finding.update(status="in_work").where(Finding.id == finding_id).execute()
    r = login("super1").post(f"/findings/{finding_id}/dismiss", json={"reason": "已派单"})
    assert_error_shape(r, 409)


def test_guards_list_only_what_they_reported(login, org):
    failed_lamp(login("guard1"))
    assert login("guard3").get("/findings").get_json()["items"] == []
    assert len(login("guard1").get("/findings").get_json()["items"]) == 1


def test_one_tap_emergency_is_raised_as_an_emergency_finding_with_where_the_phone_was(login):
    """一键报警: whatever priority the phone sent, the finding is an emergency, with its location."""
    import uuid as _uuid

    body = {"client_id": str(_uuid.uuid4()), "checkpoint_code": "LHY-LAMP-01", "note": "一键报警",
            "trade": "security", "priority": "normal", "emergency": True,
            "location": {"lat": 31.2202, "lon": 121.546, "accuracy_m": 9}}
    guard = login("guard1")
    r = guard.post("/findings", json=body)
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["priority"] == "emergency" and out["emergency"] is True
    assert out["location"] == {"lat": 31.2202, "lon": 121.546, "accuracy_m": 9}
    again = guard.post("/findings", json=body)
    assert again.status_code == 200 and again.get_json()["id"] == out["id"]
