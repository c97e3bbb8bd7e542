"""Alerts reach people: the outbox is delivered to fake robots on 127.0.0.1 shaped like WeCom,
DingTalk and Feishu, a signed webhook and an SMTP server; once each, in order, through outages."""
import hashlib
import hmac
import socketserver
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from api.domain.scheduler import tick
from api.models import Notification
from tests.factories import add_channel

UTC = timezone.utc


def test_a_guards_emergency_report_reaches_the_group_robot_within_one_worker_cycle(org, login, robot):
    """Nobody reads anything: the report is written, one pass of the worker runs, the robot has it."""
    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url, events=["emergency_finding", "emergency_order"])
    r = login("guard1").post("/findings", json={
        "client_id": str(uuid.uuid4()), "site_id": lhy.id, "zone_id": org["zones"][("LHY", "A")].id,
        "place": "3 号楼地下车库入口", "note": "配电箱冒烟", "trade": "engineering", "priority": "emergency"})
    assert r.status_code == 201, r.get_json()
    assert robot.texts() == []  # written to the outbox with the finding, sent by the worker
    tick()
    texts = robot.texts()
    assert len(texts) == 1
    assert texts[0].startswith("【紧急】") and "3 号楼地下车库入口" in texts[0] and "配电箱冒烟" in texts[0]
    assert texts[0].count("配电箱冒烟") == 1 and "张伟" in texts[0]
    assert lhy.name in texts[0]
    tick()
    assert len(robot.texts()) == 1  # once


def test_a_normal_report_is_not_an_emergency_alert(org, login, robot):
    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url, events=["emergency_finding", "emergency_order"])
    login("guard1").post("/findings", json={
        "client_id": str(uuid.uuid4()), "site_id": lhy.id, "zone_id": org["zones"][("LHY", "A")].id,
        "note": "草坪有垃圾", "trade": "cleaning"})
    tick()
    assert robot.texts() == []


def _alert(site, n, now=None):
    from api.db import write_tx
    from api.notify import notify

    with write_tx():
        return notify("emergency_finding", site=site, key=f"drill:{n}", now=now,
                      params={"id": n, "title": f"演练 {n}", "site": site.name, "place": f"{n} 号楼", "by": "guard1"})


def test_an_endpoint_down_for_an_hour_then_back_gets_every_alert_once_in_order(org, robot, time_machine):
    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url)
    start = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
    robot.mode = "down"
    for minute in range(60):
        time_machine.move_to(start + timedelta(minutes=minute), tick=False)
        if minute % 12 == 0:  # five alerts during the outage
            _alert(lhy, minute // 12 + 1)
        tick(steps=["deliver"])
    tried = len(robot.received)
    assert robot.texts() == [] and 5 <= tried <= 20  # backoff: not every minute once failing
    failing = Notification.select().where(Notification.attempts > 0).first()
    assert "HTTP 502" in failing.last_error and failing.status == "pending"
    robot.mode = "ok"
    for minute in range(60, 72):  # back: within the 10-minute backoff cap everything goes
        time_machine.move_to(start + timedelta(minutes=minute), tick=False)
        if minute == 61:
            _alert(lhy, 6)
        tick(steps=["deliver"])
    texts = robot.texts()
    assert [t.split("：")[1].split("（")[0] for t in texts] == [f"演练 {n}" for n in range(1, 7)]
    assert Notification.select().where(Notification.status != "sent").count() == 0


def test_an_event_noted_twice_is_one_message(org, robot):
    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url)
    assert _alert(lhy, 1) == 1
    assert _alert(lhy, 1) == 0
    tick(steps=["deliver"])
    assert len(robot.texts()) == 1


@pytest.mark.parametrize("flavour", ["dingtalk", "feishu"])
def test_signed_robots_accept_the_signature_and_refuse_a_wrong_secret(org, login, make_robot, flavour):
    """DingTalk and Feishu robots with 加签 check timestamp+sign (HMAC-SHA256 of the secret);
    a wrong secret is refused, listed with the robot's answer, and resent once the secret is fixed."""
    lhy = org["sites"]["LHY"]
    good = make_robot(flavour, secret="SECabc123")
    ch = add_channel(lhy, good.url, kind=flavour, secret="SECwrong")
    _alert(lhy, 1)
    tick(steps=["deliver"])
    assert good.texts() == [] and good.texts(answered="errcode")
    mgr = login("manager1")
    failed = mgr.get(f"/notifications?site_id={lhy.id}").get_json()
    assert len(failed) == 1 and "sign not match" in failed[0]["last_error"] and failed[0]["channel_kind"] == flavour
    assert mgr.patch(f"/notification-channels/{ch.id}", json={"secret": "SECabc123"}).status_code == 200
    assert mgr.post(f"/notifications/{failed[0]['id']}/resend").status_code == 200
    tick(steps=["deliver"])
    assert len(good.texts()) == 1 and good.texts()[0].startswith("【紧急】")
    assert mgr.get(f"/notifications?site_id={lhy.id}").get_json() == []


def test_the_generic_webhook_is_signed_and_carries_a_delivery_id(org, robot):
    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url, kind="webhook", secret="whsec-1")
    _alert(lhy, 1)
    tick(steps=["deliver"])
    rec = robot.received[0]
    h = {k.lower(): v for k, v in rec["headers"].items()}
    want = "sha256=" + hmac.new(b"whsec-1", f"{h['x-patrol-timestamp']}.".encode() + rec["body"],
                                hashlib.sha256).hexdigest()
    assert h["x-patrol-signature"] == want and h["x-patrol-event"] == "emergency_finding"
    row = Notification.get()
    assert h["x-patrol-delivery"] == str(row.id) and rec["json"]["title"] == "紧急问题上报"


class _SMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept a message (EHLO, MAIL, RCPT, DATA, QUIT)."""

    def handle(self):
        w = lambda s: self.wfile.write((s + "\r\n").encode())  # noqa: E731
        w("220 fake ESMTP")
        rcpt, data = [], None
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                return
            cmd = line[:4].upper()
            if cmd in ("EHLO", "HELO"):
                w("250 fake")
            elif cmd == "MAIL":
                w("250 ok")
            elif cmd == "RCPT":
                rcpt.append(line.split(":", 1)[1].strip(" <>"))
                w("250 ok")
            elif cmd == "DATA":
                w("354 go")
                lines = []
                while True:
                    ln = self.rfile.readline()
                    if ln in (b".\r\n", b".\n", b""):
                        break
                    lines.append(ln)
                data = b"".join(lines)
                self.server.mails.append((rcpt, data))
                w("250 queued")
            elif cmd == "QUIT":
                w("221 bye")
                return
            else:
                w("250 ok")


def test_email_goes_over_smtp(org, monkeypatch):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTP)
    server.mails = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("PATROL_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("PATROL_SMTP_PORT", str(server.server_address[1]))
        lhy = org["sites"]["LHY"]
        add_channel(lhy, "mailto:duty@example.com,gm@example.com", kind="email")
        _alert(lhy, 1)
        tick(steps=["deliver"])
        assert len(server.mails) == 1
        rcpt, data = server.mails[0]
        assert rcpt == ["duty@example.com", "gm@example.com"]
        from email import message_from_bytes
        from email.policy import default

        msg = message_from_bytes(data, policy=default)
        assert msg["Subject"] == "紧急问题上报" and "演练 1" in msg.get_content()
        assert Notification.get().status == "sent"
    finally:
        server.shutdown()
        server.server_close()


def test_a_channel_takes_only_its_events_and_zones(org, make_robot):
    from api.notify import channels_for

    lhy = org["sites"]["LHY"]
    za, zb = org["zones"][("LHY", "A")].id, org["zones"][("LHY", "B")].id
    a = add_channel(lhy, make_robot().url, zone_ids=[za])
    briefing = add_channel(lhy, make_robot().url, events=["morning_briefing"])
    assert [c.id for c in channels_for(lhy.id, "missed_round", za)] == [a.id]
    assert channels_for(lhy.id, "missed_round", zb) == []
    assert [c.id for c in channels_for(lhy.id, "morning_briefing", None)] == [a.id, briefing.id]


def test_a_broken_drain_cover_found_on_a_round_reaches_the_robot(org, login, robot):
    """Seed 004 五、4: a broken cover is an emergency item; the round's finding goes to the group."""
    import io

    from tests.hardening.helpers import jpeg_bytes

    add_channel(org["sites"]["LHY"], robot.url, events=["emergency_finding"])
    guard = login("guard1")
    version = guard.get("/checklists/drain_covers").get_json()
    photo = guard.post("/photos", data={"file": (io.BytesIO(jpeg_bytes(7)), "p.jpg")},
                       content_type="multipart/form-data").get_json()["id"]
    now = datetime.now(UTC)
    results = [{"item_key": i["key"], "status": "pass"} for i in version["items"]]
    results[0] = {"item_key": "cover_not_damaged", "status": "fail", "note": "井盖裂开", "photo_ids": [photo]}
    r = guard.post("/inspections", json={
        "id": str(uuid.uuid4()), "checkpoint_code": "LHY-DRAIN-03", "checklist_key": "drain_covers",
        "checklist_version": version["version"], "started_at": (now - timedelta(minutes=2)).isoformat(),
        "finished_at": now.isoformat(), "results": results})
    assert r.status_code == 201, r.get_json()
    tick(steps=["deliver"])
    (text,) = robot.texts()
    assert text.startswith("【紧急】") and "东路雨污水井盖 03" in text and "井盖裂开" in text
