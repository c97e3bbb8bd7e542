"""Shared test helpers that are not data: the one error-shape assertion, fake outside services
(group robots, a phone's push subscription) and a runner of the same job in several processes.
Test data is made in ``tests/factories.py``."""
import base64
import hashlib
import hmac
import json
import multiprocessing as mp
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from werkzeug.http import HTTP_STATUS_CODES

from api.db import db, init_db

_CJK = re.compile(r"[\u3400-\u9fff]")


# --- the error body ---------------------------------------------------------------------------

def _request_language(resp):
    """The language a response's request asked for ("zh", "en" or None when it did not say)."""
    req = getattr(resp, "request", None)
    headers = getattr(req, "headers", None) or {}
    wanted = headers.get("Accept-Language") if headers else None
    if not wanted:
        return None
    first = wanted.split(",")[0].split(";")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en" if first.startswith("en") else None


def _field_errors(errors, field):
    """The messages for ``field`` ("points", or a dotted path "results.0.status") in any location."""
    for where in (errors or {}).values():
        if isinstance(where, dict) and where.get(field):  # a key that is itself dotted ("presence.reason")
            return where[field]
        node = where
        for part in field.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, dict) and part.isdigit() and int(part) in node:
                node = node[int(part)]
            else:
                node = None
                break
        if node:
            return node
    return None


def assert_error_shape(resp, status, field=None):
    """``resp`` is the API's one error body with HTTP ``status``: {"code", "status", "message",
    "errors"?} (api/errors.py); with ``field``, that field (a dotted path for nested ones) has its own
    error. When the request sent Accept-Language, the message is in that language. Returns the body."""
    code = getattr(resp, "status_code", None)
    body = resp.get_json(silent=True) if hasattr(resp, "get_json") else resp.json()
    assert code == status, (code, body)
    assert isinstance(body, dict), (status, body)
    assert body.get("code") == status, body
    assert body.get("status") == HTTP_STATUS_CODES.get(status, "Error"), body
    assert isinstance(body.get("message"), str) and body["message"].strip(), body
    assert set(body) <= {"code", "status", "message", "errors"}, body
    if "errors" in body:
        assert isinstance(body["errors"], dict) and body["errors"], body
    if field is not None:
        assert _field_errors(body.get("errors"), field), (field, body)
    lang = _request_language(resp)
    if lang == "zh":
        assert _CJK.search(body["message"]), ("message not in Chinese", body)
    elif lang == "en":
        assert not _CJK.search(body["message"]), ("message not in English", body)
    return body


# --- a group robot (WeCom / DingTalk / Feishu) ---------------------------------------------------

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


# --- a phone's Web Push subscription ----------------------------------------------------------

def b64u(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class PushPhone:
    """A browser's push subscription: its own P-256 key and auth secret."""

    def __init__(self, push_service):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = push_service.url.split("/cgi-bin")[0] + f"/push/v1/{b64u(os.urandom(8))}"
        self.service = push_service

    def subscription(self):
        pub = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                 serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": {"p256dh": b64u(pub), "auth": b64u(self.auth)}}

    def messages(self):
        out = []
        for rec in self.service.received:
            if rec["path"] != self.endpoint.split("127.0.0.1", 1)[1].split("/", 1)[1] and \
                    not self.endpoint.endswith(rec["path"]):
                continue
            plain = http_ece.decrypt(rec["body"], private_key=self.key, auth_secret=self.auth, version="aes128gcm")
            out.append((rec, json.loads(plain)))
        return out


# --- the same job in several processes at once ------------------------------------------------

PROCESSES = 4


def _child(url, job, args, barrier, out):
    """A fresh process: its own connection, then everyone starts together."""
    try:
        init_db(url)
        db.connect(reuse_if_open=True)
        barrier.wait(timeout=60)
        out.put(("ok", job(*args)))
    except Exception as exc:  # reported to the parent, which fails the test with it
        out.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        if not db.is_closed():
            db.close()


def run_everywhere(url, job, *args, processes=PROCESSES):
    """Run ``job(*args)`` in several processes at the same instant; returns their results."""
    if not db.is_closed():
        db.close()
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()  # no pooled connection may be inherited by the children
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=_child, args=(url, job, args, barrier, out)) for _ in range(processes)]
    for p in procs:
        p.start()
    answers = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    db.connect(reuse_if_open=True)
    errors = [a[1] for a in answers if a[0] == "error"]
    assert not errors, errors
    return [a[1] for a in answers]
