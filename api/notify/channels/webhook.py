"""A generic JSON webhook. Headers: ``X-Patrol-Event``, ``X-Patrol-Delivery`` (the notification id:
a receiver that keeps it sees every message exactly once), ``X-Patrol-Timestamp`` and, with a
secret, ``X-Patrol-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``. Any 2xx is success."""
import hashlib
import hmac
import json
import time

from api.notify.channels import post_json


def signature(secret, timestamp, body):
    return "sha256=" + hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def send(channel, message):
    body = json.dumps({"id": message["id"], "event": message["event"], "title": message["title"],
                       "text": message["body"], "link": message.get("link", ""), "data": message.get("data")},
                      ensure_ascii=False, sort_keys=True).encode("utf-8")
    ts = str(int(time.time()))
    headers = {"X-Patrol-Event": message["event"], "X-Patrol-Delivery": str(message["id"]), "X-Patrol-Timestamp": ts}
    if channel.secret:
        headers["X-Patrol-Signature"] = signature(channel.secret, ts, body)
    status, text = post_json(channel.url, body, headers)
    return f"HTTP {status}: {text[:200]}"
