"""The console's 消息通知 page: a manager adds a group robot, sends a test message that the
(fake) robot receives, and sees a failed delivery with the channel's answer and a resend button."""
from tests.console.pages import api, submit, texts
from tests.helpers import FakeRobot


def test_a_manager_adds_a_wecom_robot_and_sends_a_test_message(console, console_api):
    robot = FakeRobot()
    try:
        at = console("manager1", "app_pages/notifications.py")
        assert "通知渠道" in texts(at) and "发送失败的消息" in texts(at)
        at.selectbox(key="nt_kind").set_value("wecom")
        at.text_input(key="nt_name").input("绿荷苑保安群")
        at.text_input(key="nt_url").input(robot.url)
        at = submit(at, "nt_add_form")
        assert not at.exception
        assert "绿荷苑保安群" in texts(at) and "robot-key-123456" not in texts(at)
        button = next(b for b in at.button if b.key.startswith("nt_test_"))
        at = button.click().run()
        assert "测试消息已送达" in texts(at)
        assert robot.texts() and "测试消息" in robot.texts()[0]
    finally:
        robot.close()


def test_a_failed_delivery_shows_the_answer_and_can_be_resent(console, console_api):
    site = api(console_api, "manager1", "GET", "/sites")[0]["id"]
    ch = api(console_api, "manager1", "POST", "/notification-channels",
             json={"site_id": site, "kind": "webhook", "name": "停用的接口", "url": "http://127.0.0.1:9/hook"})
    api(console_api, "manager1", "POST", f"/notification-channels/{ch['id']}/test")
    at = console("manager1", "app_pages/notifications.py")
    page = texts(at)
    assert "停用的接口" in page and ("Connection refused" in page or "URLError" in page)
    resend = [b for b in at.button if b.key.startswith("nt_resend_")]
    assert resend
    at = resend[0].click().run()
    assert "已重新排队" in texts(at) and "没有发送失败的消息" in texts(at)  # queued again for the worker


def test_supervisors_do_not_configure_channels(console):
    at = console("super1")
    assert "消息通知" not in [p for p in texts(at).splitlines()]
