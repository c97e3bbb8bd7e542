"""The inspection POST checks proof of presence per policy (巡更到位) and shows supervisors
what to look at: method, GPS accuracy and distance, the typed code's reason, a flag."""
import pytest

from api.models import Inspection
from tests.factories import body_for
from tests.helpers import assert_error_shape

FAR = {"lat": 31.2222, "lon": 121.5460, "accuracy_m": 12}   # ~220 m from LHY-LAMP-01


@pytest.fixture
def presence_policy(monkeypatch):
    """Replace the policy's presence section for one test."""
    def _set(**section):
        monkeypatch.setattr("api.domain.inspections._presence_policy", lambda: section)
    return _set


def test_gps_outside_the_radius_is_flagged_with_its_distance(login, presence_policy):
    presence_policy(outside_radius="flag", radius_m=60)
    r = login("guard1").post("/inspections", json=body_for(location=FAR, presence={"method": "gps"}))
    assert r.status_code == 201, r.get_json()
    p = r.get_json()["presence"]
    assert p["method"] == "gps" and p["flag"] == "outside_radius"
    assert p["distance_m"] == pytest.approx(222, abs=3) and p["accuracy_m"] == 12


def test_gps_outside_the_radius_is_refused_where_the_policy_says_so(login, presence_policy):
    presence_policy(outside_radius="refuse", radius_m=60)
    r = login("guard1").post("/inspections", json=body_for(location=FAR, presence={"method": "gps"}))
    assert_error_shape(r, 422, field="location")
    assert Inspection.select().count() == 0 or not Inspection.select().where(
        Inspection.presence_flag == "outside_radius").exists()


def test_a_typed_code_without_a_reason_is_refused_and_with_one_is_flagged(login, presence_policy):
    presence_policy()
    guard = login("guard1")
    r = guard.post("/inspections", json=body_for(presence={"method": "typed"}))
    assert_error_shape(r, 422, field="presence.reason")
    r = guard.post("/inspections", json=body_for(presence={"method": "typed", "reason": "二维码被雨水泡坏"}))
    assert r.status_code == 201
    assert r.get_json()["presence"] == {"method": "typed", "accuracy_m": 8.0, "distance_m": pytest.approx(0, abs=1),
                                        "reason": "二维码被雨水泡坏", "flag": "typed_code"}


def test_supervisors_see_the_flag_in_the_list(login, presence_policy):
    presence_policy()
    login("guard1").post("/inspections", json=body_for(presence={"method": "typed", "reason": "标签丢失"}))
    items = login("super1").get("/inspections?checkpoint_id=%d" % Inspection.select().first().checkpoint_id)
    assert items.status_code == 200
    assert items.get_json()["items"][0]["presence"]["flag"] == "typed_code"


def test_a_method_the_checkpoint_does_not_accept_is_refused(login, presence_policy):
    presence_policy(by_kind={"road_lamp": ["nfc", "gps"]})
    r = login("guard1").post("/inspections", json=body_for(presence={"method": "qr"}))
    assert_error_shape(r, 422, field="presence.method")


def test_an_older_phone_that_sends_no_proof_is_still_taken_by_default(login):
    r = login("guard1").post("/inspections", json=body_for())
    assert r.status_code == 201 and r.get_json()["presence"]["method"] is None


def test_an_nfc_tag_must_be_the_checkpoints_own(login, presence_policy):
    from api.models import Checkpoint

    presence_policy()
    Checkpoint.update(nfc_tag_id="04A21B9C").where(Checkpoint.code == "LHY-LAMP-01").execute()
    guard = login("guard1")
    wrong = guard.post("/inspections", json=body_for(presence={"method": "nfc", "tag_id": "04:ff:00:01"}))
    assert_error_shape(wrong, 422, field="presence.tag_id")
    right = guard.post("/inspections", json=body_for(presence={"method": "nfc", "tag_id": "04:a2:1b:9c"}))
    assert right.status_code == 201 and right.get_json()["presence"]["flag"] is None


def test_a_refusal_is_told_in_chinese_to_a_chinese_phone(login, presence_policy):
    presence_policy()
    r = login("guard1").post("/inspections", json=body_for(presence={"method": "typed"}),
                             headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert_error_shape(r, 422)
    assert r.get_json()["errors"]["json"]["presence.reason"] == ["请说明为什么手动输入编码（标签损坏、标签丢失……）。"]
