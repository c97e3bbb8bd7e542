"""Proof of presence, decided from values (api/domain/presence.py).

巡更系统 checks that a guard was really at each point; the phone offers QR, NFC, GPS within a
radius, or a typed code with a reason that supervisors see flagged (issue #16)."""
import pytest

from api.domain.presence import check_presence, distance_m, rule_for, tag_ids_of

LAMP = (31.2202, 121.5460)
NEAR = {"lat": 31.2204, "lon": 121.5460, "accuracy_m": 8}   # ~22 m north
FAR = {"lat": 31.2222, "lon": 121.5460, "accuracy_m": 8}    # ~222 m north


def rule(**kw):
    return rule_for(kw, "road_lamp", "LHY-LAMP-01")


def test_distance_is_metres_on_the_ground():
    assert distance_m(*LAMP, NEAR["lat"], NEAR["lon"]) == pytest.approx(22.2, abs=0.5)
    assert distance_m(*LAMP, *LAMP) == 0


def test_the_checkpoints_own_entry_beats_its_kind_and_the_default():
    policy = {"default": ["qr", "gps"], "by_kind": {"road_lamp": ["gps"]}, "by_checkpoint": {"LHY-LAMP-01": ["nfc"]}}
    assert rule_for(policy, "road_lamp", "LHY-LAMP-01")["methods"] == ["nfc"]
    assert rule_for(policy, "road_lamp", "LHY-LAMP-02")["methods"] == ["gps"]
    assert rule_for(policy, "lobby", "LHY-T1-LOBBY")["methods"] == ["qr", "gps"]


@pytest.mark.parametrize("policy, claim, location, tags, flag, error", [
    # a scanned label is enough where QR counts
    ({}, {"method": "qr"}, None, set(), None, None),
    # GPS inside the radius: nothing to look at, the distance recorded
    ({}, {"method": "gps"}, NEAR, set(), None, None),
    # GPS outside: flagged, or refused, as the policy says
    ({"outside_radius": "flag"}, {"method": "gps"}, FAR, set(), "outside_radius", None),
    ({"outside_radius": "refuse"}, {"method": "gps"}, FAR, set(), "outside_radius", "location"),
    # a vague fix inside the radius is flagged
    ({}, {"method": "gps"}, dict(NEAR, accuracy_m=350), set(), "poor_accuracy", None),
    ({}, {"method": "gps"}, None, set(), None, "location"),
    # a typed code needs a reason and is always flagged
    ({}, {"method": "typed", "reason": ""}, None, set(), "typed_code", "presence.reason"),
    ({}, {"method": "typed", "reason": "标签被撕掉了"}, None, set(), "typed_code", None),
    # NFC: the checkpoint's own tag, any spelling of its id
    ({}, {"method": "nfc", "tag_id": "04:a2:1b:9c"}, None, {"04a21b9c"}, None, None),
    ({}, {"method": "nfc", "tag_id": "04:ff:00:01"}, None, {"04a21b9c"}, None, "presence.tag_id"),
    ({}, {"method": "nfc", "tag_id": "04:ff:00:01"}, None, set(), "nfc_unregistered", None),
    # a method this checkpoint does not accept
    ({"by_kind": {"road_lamp": ["nfc"]}}, {"method": "qr"}, None, set(), None, "presence.method"),
    # a phone that says nothing: as the policy says
    ({"missing": "allow"}, None, None, set(), None, None),
    ({"missing": "flag"}, None, None, set(), "no_proof", None),
    ({"missing": "refuse"}, None, None, set(), None, "presence"),
])
def test_presence_rules(policy, claim, location, tags, flag, error):
    out, errors = check_presence(rule(**policy), claim, location, LAMP, tags)
    assert out.flag == flag
    assert (next(iter(errors)) if errors else None) == error


def test_the_distance_and_accuracy_are_kept_for_the_supervisor():
    out, _ = check_presence(rule(), {"method": "gps"}, FAR, LAMP, set())
    assert out.method == "gps" and out.accuracy_m == 8 and out.distance_m == pytest.approx(222.4, abs=1)


def test_a_checkpoint_with_no_position_cannot_be_checked_by_gps_and_says_so():
    out, errors = check_presence(rule(), {"method": "gps"}, NEAR, None, set())
    assert errors == {} and out.flag == "no_checkpoint_position"


def test_stored_tag_ids_may_list_several():
    assert tag_ids_of("04:A2:1B:9C, 04-B3-00-11") == {"04a21b9c", "04b30011"}
    assert tag_ids_of(None) == set()
