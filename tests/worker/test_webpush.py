"""Web Push to the phone app: the request the push service receives is encrypted to the phone's
subscription keys (RFC 8291) and signed with the server's VAPID key; the test decrypts it as the
phone's browser would. Quiet hours hold back non-urgent messages; emergencies always go."""
import json
from datetime import datetime, timezone

from api.domain.scheduler import tick
from api.models import Notification, PushSubscription
from tests.helpers import PushPhone as Phone, b64u, b64u_dec  # noqa: F401
from tests.helpers import assert_error_shape

UTC = timezone.utc


def _assign(org, user="tech1", priority="normal", title="2 栋水泵异响"):
    from api.db import write_tx
    from api.domain.workorders import create_work_order

    with write_tx():
        return create_work_order(site=org["sites"]["LHY"], created_by=org["users"]["super1"], trade="engineering",
                                 title=title, priority=priority, zone=org["zones"][("LHY", "A")],
                                 assignee=org["users"][user])


def test_a_new_order_reaches_the_technicians_phone_encrypted_to_its_keys(org, login, make_robot):
    service = make_robot()
    phone = Phone(service)
    tech = login("tech1")
    key = tech.get("/push/key").get_json()["public_key"]
    assert len(b64u_dec(key)) == 65  # an uncompressed P-256 point: the applicationServerKey
    r = tech.post("/push/subscriptions", json=phone.subscription())
    assert r.status_code == 201, r.get_json()
    assert tech.post("/push/subscriptions", json=phone.subscription()).status_code == 200  # again: kept once
    order = _assign(org)
    tick(steps=["deliver"])
    got = phone.messages()
    assert len(got) == 1
    rec, msg = got[0]
    assert msg["title"] == "新工单" and msg["body"].startswith(f"【工单 #{order.id}】") and "2 栋水泵异响" in msg["body"]
    assert msg["link"].endswith(f"/m/#/orders/{order.id}")
    headers = {k.lower(): v for k, v in rec["headers"].items()}
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    scheme, _, params = headers["authorization"].partition(" ")
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert scheme == "vapid" and fields["k"] == key  # signed with the server's one stored key
    claims = json.loads(b64u_dec(fields["t"].split(".")[1]))
    assert claims["aud"] == phone.endpoint.split("/push/")[0] and claims["sub"].startswith("mailto:")


def test_an_english_user_reads_english(org, login, make_robot):
    phone = Phone(make_robot())
    tech = login("tech1")
    tech.post("/push/subscriptions", json=phone.subscription())
    assert tech.put("/notification-prefs", json={"lang": "en"}).status_code == 200
    order = _assign(org)
    tick(steps=["deliver"])
    (_, msg), = phone.messages()
    assert msg["title"] == "New work order" and msg["body"].startswith(f"[Work order #{order.id}]")


def test_quiet_hours_hold_back_a_normal_order_but_never_an_emergency(org, login, make_robot, time_machine):
    phone = Phone(make_robot())
    time_machine.move_to(datetime(2026, 3, 16, 15, 0, tzinfo=UTC), tick=False)  # 23:00 in Shanghai
    tech = login("tech1")
    tech.post("/push/subscriptions", json=phone.subscription())
    r = tech.put("/notification-prefs", json={"quiet_start": "22:00", "quiet_end": "07:00"})
    assert r.get_json() == {"quiet_start": "22:00", "quiet_end": "07:00", "lang": "zh"}
    normal = _assign(org, title="绿化带喷头漏水")
    emergency = _assign(org, priority="emergency", title="配电房跳闸")
    tick(steps=["deliver"])
    assert [m["body"].split("】")[0] for _, m in phone.messages()] == [f"【工单 #{emergency.id}"]
    time_machine.move_to(datetime(2026, 3, 16, 22, 59, tzinfo=UTC), tick=False)  # 06:59
    tick(steps=["deliver"])
    assert len(phone.messages()) == 1
    time_machine.move_to(datetime(2026, 3, 16, 23, 0, tzinfo=UTC), tick=False)  # 07:00: quiet hours over
    tick(steps=["deliver"])
    assert [m["body"].split("】")[0] for _, m in phone.messages()][1:] == [f"【工单 #{normal.id}"]


def test_an_expired_subscription_is_dropped(org, login, make_robot):
    service = make_robot()
    phone = Phone(service)
    login("tech1").post("/push/subscriptions", json=phone.subscription())
    service.mode = "gone"
    _assign(org)
    tick(steps=["deliver"])
    assert not PushSubscription.select().exists()
    assert Notification.get().status == "sent" and "gone" in Notification.get().last_error


def test_bad_quiet_hours_are_422(login):
    tech = login("tech1")
    assert_error_shape(tech.put("/notification-prefs", json={"quiet_start": "25:00", "quiet_end": "07:00"}), 422)
    assert_error_shape(tech.put("/notification-prefs", json={"quiet_start": "22:00"}), 422)
    assert_error_shape(tech.post("/push/subscriptions", json={"endpoint": "ftp://x/y/z", "keys": {"p256dh": "a" * 40,
                                                                                      "auth": "b" * 12}}), 422)
