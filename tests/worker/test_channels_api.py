"""POST/GET/PATCH/DELETE /notification-channels and the test message: managers configure each
site's group robots; secrets are stored and never shown back; keys in URLs are masked."""
from api.models import AuditLog, NotificationChannel
from tests.helpers import assert_error_shape


def test_a_manager_adds_a_dingtalk_robot_whose_secret_is_never_shown(org, login, make_robot):
    robot = make_robot("dingtalk", secret="SECdemo42")
    mgr = login("manager1")
    lhy = org["sites"]["LHY"]
    r = mgr.post("/notification-channels", json={"site_id": lhy.id, "kind": "dingtalk", "name": "绿荷苑值班群",
                                                  "url": robot.url, "secret": "SECdemo42",
                                                  "events": ["emergency_finding", "morning_briefing"]})
    assert r.status_code == 201, r.get_json()
    ch = r.get_json()
    assert ch["has_secret"] is True and "secret" not in ch and "SECdemo42" not in r.get_data(as_text=True)
    assert "robot-key-123456" not in ch["url"] and ch["url"].endswith("key=***")
    listed = mgr.get(f"/notification-channels?site_id={lhy.id}").get_json()
    assert [c["id"] for c in listed] == [ch["id"]] and "SECdemo42" not in str(listed)
    audit = AuditLog.get(AuditLog.action == "notification_channel.create")
    assert "SECdemo42" not in str(audit.after) and "robot-key-123456" not in str(audit.after)
    test = mgr.post(f"/notification-channels/{ch['id']}/test").get_json()
    assert test["sent"] is True and '"errcode": 0' in test["answer"]
    assert robot.texts()[0].startswith("【巡检系统】") and "测试消息" in robot.texts()[0]


def test_a_failing_test_message_shows_the_robots_answer(org, login, make_robot):
    robot = make_robot("dingtalk", secret="right")
    mgr = login("manager1")
    ch = mgr.post("/notification-channels", json={"site_id": org["sites"]["LHY"].id, "kind": "dingtalk",
                                                   "url": robot.url, "secret": "wrong"}).get_json()
    test = mgr.post(f"/notification-channels/{ch['id']}/test").get_json()
    assert test["sent"] is False and "sign not match" in test["answer"]


def test_update_and_disable(org, login, robot):
    mgr = login("manager1")
    lhy = org["sites"]["LHY"]
    ch = mgr.post("/notification-channels", json={"site_id": lhy.id, "kind": "wecom", "url": robot.url}).get_json()
    r = mgr.patch(f"/notification-channels/{ch['id']}", json={"events": ["missed_round"],
                                                              "zone_ids": [org["zones"][("LHY", "A")].id]})
    assert r.status_code == 200 and r.get_json()["events"] == ["missed_round"]
    assert mgr.delete(f"/notification-channels/{ch['id']}").get_json()["active"] is False
    assert NotificationChannel.get_by_id(ch["id"]).active is False
    assert mgr.patch(f"/notification-channels/{ch['id']}", json={"active": True}).get_json()["active"] is True


def test_bad_channels_are_422(org, login):
    mgr = login("manager1")
    lhy = org["sites"]["LHY"].id
    for body, field in [({"kind": "wecom", "url": "ftp://robot/x"}, "url"),
                        ({"kind": "email", "url": "mailto:not-an-address"}, "url"),
                        ({"kind": "sms", "url": "https://x.example/y"}, "kind"),
                        ({"kind": "wecom", "url": "https://x.example/y", "events": ["nope"]}, "events"),
                        ({"kind": "wecom", "url": "https://x.example/y",
                          "zone_ids": [org["zones"][("HQT", "L")].id]}, "zone_ids")]:
        r = mgr.post("/notification-channels", json=dict(body, site_id=lhy))
        assert_error_shape(r, 422)
        assert field in str(r.get_json()["errors"]), (body, r.get_json())
    assert NotificationChannel.select().count() == 0


def test_only_managers_configure_channels(org, login):
    r = login("super1").post("/notification-channels", json={"site_id": org["sites"]["LHY"].id, "kind": "wecom",
                                                               "url": "https://qyapi.weixin.qq.com/x?key=1"})
    assert_error_shape(r, 403)
    assert_error_shape(login("super3").get("/notification-channels"), 403)
