"""Submitting inspections over HTTP: stored whole or not at all, safe to retry, findings opened."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from api.models import (AuditLog, ChecklistVersion, Checklist, Finding, FindingPhoto, Inspection, ItemResult,
                        ItemResultPhoto, PhotoSite, Task)
from tests.factories import body_for, current_version, item_needing_photo, jpeg_bytes, upload
from tests.helpers import assert_error_shape

SHANGHAI = timezone(timedelta(hours=8))


def counts():
    return (Inspection.select().count(), ItemResult.select().count(), Finding.select().count(),
            ItemResultPhoto.select().count(), FindingPhoto.select().count())


def test_all_pass_inspection_is_stored_without_findings(login, org):
    guard = login("guard1")
    body = body_for()
    r = guard.post("/inspections", json=body)
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["id"] == body["id"] and out["checkpoint"]["code"] == "LHY-LAMP-01"
    assert out["inspector"]["name"] == "张伟" and out["findings"] == []
    assert out["item_count"] == len(body["results"]) and out["failed_count"] == 0
    assert out["started_at"].endswith("Z") and out["received_at"].endswith("Z")
    assert out["clock_suspect"] is False
    assert AuditLog.select().where(AuditLog.action == "inspection.submit").count() == 1


def test_failed_lamp_with_photo_opens_a_finding_with_the_items_trade_and_points(login, org):
    guard = login("guard1")
    version = current_version("road_lamps")
    key = item_needing_photo(version)
    item = version.item(key)
    pid = upload(guard, jpeg_bytes()).get_json()["id"]
    r = guard.post("/inspections", json=body_for(fail={key: "灯不亮"}, photos={key: [pid]}))
    assert r.status_code == 201, r.get_json()
    (finding,) = r.get_json()["findings"]
    assert finding["title"] == item["text"] and finding["trade"] == item["trade"]
    assert finding["priority"] == item["priority"] and finding["points"] == item["points"]
    assert finding["photo_ids"] == [pid] and finding["status"] == "open"
    row = Finding.get_by_id(finding["id"])
    cp = org["zones"][("LHY", "A")]
    assert row.zone_id == cp.id and row.checkpoint.code == "LHY-LAMP-01" and row.note == "灯不亮"


def test_failed_lamp_without_photo_is_refused(login, org):
    guard = login("guard1")
    version = current_version("road_lamps")
    key = item_needing_photo(version)
    body = body_for(fail={key: "灯不亮"})
    index = [r["item_key"] for r in body["results"]].index(key)
    r = guard.post("/inspections", json=body)
    assert_error_shape(r, 422)
    assert r.get_json()["errors"]["json"][f"results.{index}.photo_ids"]
    assert counts() == (0, 0, 0, 0, 0)


def test_failed_item_not_needing_a_photo_may_go_without_one(login, org):
    version = current_version("road_lamps")
    key = next(it["key"] for it in version.body["items"] if not it.get("photo_required_on_fail"))
    r = login("guard1").post("/inspections", json=body_for(fail={key: "有蜘蛛网"}))
    assert r.status_code == 201 and len(r.get_json()["findings"]) == 1


def test_retry_with_the_same_body_returns_the_stored_inspection(login, org):
    guard = login("guard1")
    key = item_needing_photo(current_version("road_lamps"))
    pid = upload(guard, jpeg_bytes()).get_json()["id"]
    body = body_for(fail={key: "灯不亮"}, photos={key: [pid]})
    first = guard.post("/inspections", json=body)
    again = guard.post("/inspections", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert counts() == (1, len(body["results"]), 1, 1, 1)


def test_retry_spelling_times_in_another_zone_is_still_the_same_body(login, org):
    guard = login("guard1")
    body = body_for()
    assert guard.post("/inspections", json=body).status_code == 201
    utc = dict(body, started_at=datetime.fromisoformat(body["started_at"]).astimezone(timezone.utc).isoformat(),
               finished_at=datetime.fromisoformat(body["finished_at"]).astimezone(timezone.utc).isoformat())
    assert guard.post("/inspections", json=utc).status_code == 200


def test_same_id_with_a_different_body_is_409(login, org):
    guard = login("guard1")
    body = body_for()
    assert guard.post("/inspections", json=body).status_code == 201
    changed = dict(body, results=[dict(body["results"][0], note="改了")] + body["results"][1:])
    r = guard.post("/inspections", json=changed)
    assert_error_shape(r, 409)
    assert r.get_json()["code"] == 409
    assert counts()[0] == 1


def test_same_id_from_another_user_is_409_not_a_leak(login, org):
    body = body_for()
    assert login("guard1").post("/inspections", json=body).status_code == 201
    assert_error_shape(login("guard3").post("/inspections", json=body), 409)


def test_retry_is_answered_from_the_store_even_when_the_body_would_now_be_refused(login, org):
    from api.models import Checkpoint

    guard = login("guard1")
    body = body_for()
    first = guard.post("/inspections", json=body)
    assert first.status_code == 201
    # the checkpoint no longer lists the checklist: a new submission is refused, the retry is not
    Checkpoint.update(checklist_keys=["roads"]).where(Checkpoint.code == "LHY-LAMP-01").execute()
    again = guard.post("/inspections", json=body)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    changed = dict(body, results=[dict(body["results"][0], note="改了")] + body["results"][1:])
    assert_error_shape(guard.post("/inspections", json=changed), 409)
    fresh = guard.post("/inspections", json=dict(body, id=str(uuid.uuid4())))
    assert_error_shape(fresh, 422, field="checklist_key")
    assert counts()[0] == 1


def test_one_bad_result_leaves_nothing_stored(login, org):
    guard = login("guard1")
    version = current_version("road_lamps")
    key = item_needing_photo(version)
    pid = upload(guard, jpeg_bytes()).get_json()["id"]
    body = body_for(fail={key: "灯不亮"}, photos={key: [pid]})
    body["results"][-1]["item_key"] = "no_such_item"
    r = guard.post("/inspections", json=body)
    assert_error_shape(r, 422)
    errors = r.get_json()["errors"]["json"]
    assert f"results.{len(body['results']) - 1}.item_key" in errors and "results" in errors  # unknown + missing
    assert counts() == (0, 0, 0, 0, 0)
    assert AuditLog.select().where(AuditLog.action == "inspection.submit").count() == 0


@pytest.mark.parametrize("mutate, field", [
    (lambda b: b["results"].append(dict(b["results"][0])), "results.{n}.item_key"),
    (lambda b: b["results"].pop(), "results"),
    (lambda b: b["results"][0].update(photo_ids=["ab" * 32]), "results.0.photo_ids"),
    (lambda b: b.update(checkpoint_code="HQT-LAMP-01"), "checkpoint_code"),
    (lambda b: b.update(checkpoint_code="NO-SUCH-CODE"), "checkpoint_code"),
    (lambda b: b.update(checklist_key="drain_covers"), "checklist_key"),
    (lambda b: b.update(checklist_version=999), "checklist_version"),
    (lambda b: b.update(finished_at=(datetime.fromisoformat(b["started_at"]) - timedelta(minutes=1)).isoformat()),
     "finished_at"),
])
def test_refusals_name_the_field_and_store_nothing(login, org, mutate, field):
    body = body_for()
    mutate(body)
    r = login("guard1").post("/inspections", json=body)
    assert_error_shape(r, 422)
    assert field.format(n=len(body["results"]) - 1) in r.get_json()["errors"]["json"]
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("field, value", [
    ("started_at", "2026-03-01T22:00:00"),  # no time zone
    ("id", "not-a-uuid"),
    ("results", []),
    ("surprise", 1),
])
def test_malformed_bodies_are_422_field_errors(login, org, field, value):
    body = body_for()
    body[field] = value
    r = login("guard1").post("/inspections", json=body)
    assert_error_shape(r, 422)
    assert field in r.get_json()["errors"]["json"]


def test_result_with_a_bad_status_is_a_nested_field_error(login, org):
    body = body_for()
    body["results"][2]["status"] = "maybe"
    r = login("guard1").post("/inspections", json=body)
    assert_error_shape(r, 422)
    assert r.get_json()["errors"]["json"]["results"]["2"]["status"]


def test_another_sites_photo_cannot_be_used_as_evidence(login, org):
    key = item_needing_photo(current_version("road_lamps"))
    foreign = upload(login("guard2"), jpeg_bytes(color=(9, 9, 9))).get_json()["id"]
    r = login("guard1").post("/inspections", json=body_for(fail={key: "x"}, photos={key: [foreign]}))
    assert_error_shape(r, 422)
    assert counts()[0] == 0


def test_photo_used_as_evidence_becomes_visible_to_the_inspections_site(login, org):
    """A manager uploads for both sites' view, but the link that matters is the evidence's site."""
    guard = login("guard1")
    key = item_needing_photo(current_version("road_lamps"))
    pid = upload(guard, jpeg_bytes()).get_json()["id"]
    assert guard.post("/inspections", json=body_for(fail={key: "x"}, photos={key: [pid]})).status_code == 201
    assert PhotoSite.select().where((PhotoSite.photo == pid) & (PhotoSite.site == org["sites"]["LHY"].id)).exists()
    assert login("super1").get(f"/photos/{pid}?size=thumb").status_code == 200


def test_device_clock_far_in_the_future_is_flagged_but_kept(login, org, app):
    started = datetime.now(SHANGHAI).replace(microsecond=0) + timedelta(
        minutes=app.config["PATROL_CLOCK_SKEW_MINUTES"] + 30)
    r = login("guard1").post("/inspections", json=body_for(started=started))
    assert r.status_code == 201 and r.get_json()["clock_suspect"] is True
    stored = Inspection.get()
    assert stored.started_at == started.astimezone(timezone.utc).replace(tzinfo=None)
    assert stored.received_at < stored.started_at


def test_checkpoint_id_works_like_the_scanned_code(login, org):
    from api.models import Checkpoint

    cp = Checkpoint.get(Checkpoint.code == "LHY-LAMP-02")
    body = body_for(code=None)
    del body["checkpoint_code"]
    body["checkpoint_id"] = cp.id
    assert login("guard1").post("/inspections", json=body).status_code == 201


def test_customer_service_does_not_submit_inspections(login, org):
    assert_error_shape(login("service1").post("/inspections", json=body_for()), 403)


def test_submitting_completes_the_named_task(login, org):
    from api.domain.schedules import ensure_tasks
    from api.models import Site

    site = Site.get(Site.code == "LHY")
    now = datetime.now(SHANGHAI)
    ensure_tasks(site, now.date())
    task = Task.select().where((Task.site == site) & (Task.checklist_key == "road_lamps")).first() or \
        Task.select().where(Task.site == site).first()
    if task is None:
        pytest.skip("no task scheduled today")
    body = body_for(key=task.checklist_key, code=task.checkpoint.code, task_id=task.id)
    r = login("guard1").post("/inspections", json=body)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["task_id"] == task.id
    task = Task.get_by_id(task.id)
    assert task.status == "done" and task.inspection_id == body["id"]


def test_guards_list_only_their_own_and_supervisors_their_sites(login, org):
    g1, g3 = login("guard1"), login("guard3")
    mine = body_for()
    assert g1.post("/inspections", json=mine).status_code == 201
    assert g3.post("/inspections", json=body_for(code="LHY-LAMP-13")).status_code == 201
    assert [i["id"] for i in g1.get("/inspections").get_json()["items"]] == [mine["id"]]
    assert len(login("super1").get("/inspections").get_json()["items"]) == 2
    assert login("super3").get("/inspections").get_json()["items"] == []
    assert_error_shape(g3.get(f"/inspections/{mine['id']}"), 404)
    detail = login("super1").get(f"/inspections/{mine['id']}").get_json()
    assert len(detail["results"]) == len(mine["results"])


def test_list_filters_and_pages_newest_first(login, org):
    from api.models import Checkpoint

    guard = login("guard1")
    ids = []
    for n in range(5):
        body = body_for(code=f"LHY-LAMP-0{n + 1}")
        assert guard.post("/inspections", json=body).status_code == 201
        ids.append(body["id"])
    seen, cursor = [], None
    while True:
        page = guard.get("/inspections", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        seen += [i["id"] for i in page.get_json()["items"]]
        cursor = page.get_json()["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    cp = Checkpoint.get(Checkpoint.code == "LHY-LAMP-03")
    only = guard.get("/inspections", query_string={"checkpoint_id": cp.id}).get_json()["items"]
    assert [i["id"] for i in only] == [ids[2]]
    assert guard.get("/inspections", query_string={"checklist_key": "lobby"}).get_json()["items"] == []
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    assert guard.get("/inspections", query_string={"since": future}).get_json()["items"] == []
    assert_error_shape(guard.get("/inspections", query_string={"cursor": "garbage.abc"}), 400)


@pytest.mark.parametrize("field, value", [
    ("checkpoint_id", 2 ** 63), ("task_id", -1), ("checklist_version", 10 ** 20), ("checklist_key", "lob\x00by"),
])
def test_out_of_range_ids_and_nul_characters_are_field_errors_not_database_errors(login, org, field, value):
    body = body_for()
    body[field] = value
    r = login("guard1").post("/inspections", json=body)
    assert_error_shape(r, 422)
    assert field in r.get_json()["errors"]["json"]


def test_lists_refuse_odd_query_values_cleanly(login, org):
    sup = login("super1")
    assert_error_shape(sup.get("/inspections", query_string={"site_id": 2 ** 40}), 422)
    assert_error_shape(sup.get("/inspections/not-a-uuid"), 404)
    assert_error_shape(sup.get("/findings", query_string={"checklist_key": "a\x00b"}), 422)
