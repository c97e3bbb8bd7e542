"""Feishu / Lark group robot. With a signing secret the body carries ``timestamp`` (s) and
``sign`` = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")); answers {"code": 0}."""
import base64
import hashlib
import hmac
import time

from api.notify.channels import post_json, robot_answer, text_of


def sign(secret, timestamp):
    key = f"{timestamp}\n{secret}".encode("utf-8")
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def payload(message, secret=None, timestamp=None):
    body = {"msg_type": "text", "content": {"text": text_of(message)}}
    if secret:
        ts = timestamp or int(time.time())
        body = {"timestamp": str(ts), "sign": sign(secret, ts), **body}
    return body


def send(channel, message):
    _status, text = post_json(channel.url, payload(message, channel.secret))
    return robot_answer(text, ("code", "StatusCode"))
