"""Local fake endpoints on 127.0.0.1 shaped like the group robots' APIs: they record every
request, and can answer errors or hang, so delivery is tested against real HTTP."""
import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class FakeRobot:
    """A WeCom/DingTalk/Feishu-shaped robot. ``mode``: "ok" answers success, "down" answers
    HTTP 502, "errcode" answers 200 with an error code (as a robot does for a bad signature),
    "hang" holds the request until ``release()``. ``secret`` makes it check DingTalk's or
    Feishu's signature like the real service."""

    def __init__(self, flavour="wecom", secret=None, port=0):
        self.flavour, self.secret = flavour, secret
        self.mode = "ok"
        self.received = []  # every request: {"path", "query", "headers", "body", "json", "answered"}
        self.lock = threading.Lock()
        self.hanging = threading.Event()  # set while a request hangs
        self._release = threading.Event()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    data = json.loads(raw or b"{}")
                except ValueError:
                    data = None
                rec = {"path": self.path, "query": parse_qs(urlsplit(self.path).query), "headers": dict(self.headers),
                       "body": raw, "json": data, "answered": None, "at": time.time()}
                with robot.lock:
                    robot.received.append(rec)
                    mode = robot.mode
                if mode == "hang":
                    robot.hanging.set()
                    robot._release.wait(60)
                    mode = "ok"
                if mode == "gone":  # a push service whose subscription expired
                    rec["answered"] = 410
                    return self._answer(410, {"error": "gone"})
                if mode == "down":
                    rec["answered"] = 502
                    return self._answer(502, {"error": "bad gateway"})
                if mode == "errcode" or not robot.signature_ok(rec):
                    rec["answered"] = "errcode"
                    return self._answer(200, {"errcode": 310000, "errmsg": "sign not match", "code": 19021})
                rec["answered"] = 200
                return self._answer(200, {"code": 0, "msg": "success"} if robot.flavour == "feishu"
                                    else {"errcode": 0, "errmsg": "ok"})

            def _answer(self, status, payload):
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=robot-key-123456"

    def signature_ok(self, rec):
        if not self.secret:
            return True
        if self.flavour == "dingtalk":
            ts, sign = rec["query"].get("timestamp", [""])[0], rec["query"].get("sign", [""])[0]
            want = base64.b64encode(hmac.new(self.secret.encode(), f"{ts}\n{self.secret}".encode(),
                                             hashlib.sha256).digest()).decode()
            return bool(ts) and hmac.compare_digest(sign, want) and abs(time.time() * 1000 - int(ts)) < 3600_000
        if self.flavour == "feishu":
            data = rec["json"] or {}
            ts = data.get("timestamp", "")
            want = base64.b64encode(hmac.new(f"{ts}\n{self.secret}".encode(), b"", hashlib.sha256).digest()).decode()
            return bool(ts) and hmac.compare_digest(data.get("sign", ""), want)
        return True

    def release(self):
        self._release.set()

    def texts(self, answered=200):
        """The text of every message the robot accepted (or received, with answered=None)."""
        with self.lock:
            recs = list(self.received)
        out = []
        for r in recs:
            if answered is not None and r["answered"] != answered:
                continue
            d = r["json"] or {}
            out.append((d.get("text") or {}).get("content") or (d.get("content") or {}).get("text") or d.get("text"))
        return out

    def close(self):
        self._release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    r = FakeRobot()
    yield r
    r.close()


@pytest.fixture
def make_robot():
    made = []

    def _make(flavour="wecom", secret=None):
        r = FakeRobot(flavour, secret)
        made.append(r)
        return r

    yield _make
    for r in made:
        r.close()


def add_channel(site, url, kind="wecom", events=None, secret=None, zone_ids=None):
    from api.db import write_tx
    from api.models import NotificationChannel, utcnow

    with write_tx():
        return NotificationChannel.create(site=site, kind=kind, name=f"{kind} group", url=url, secret=secret,
                                          events=events, zone_ids=zone_ids, created_at=utcnow(), updated_at=utcnow())
