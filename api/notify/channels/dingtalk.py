"""DingTalk (钉钉) group robot. With a signing secret (加签) the URL gets ``timestamp`` (ms) and
``sign`` = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}"))); answers {"errcode": 0}."""
import base64
import hashlib
import hmac
import time
import urllib.parse

from api.notify.channels import post_json, robot_answer, text_of


def sign(secret, timestamp_ms):
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(url, secret, timestamp_ms=None):
    if not secret:
        return url
    ts = timestamp_ms or int(time.time() * 1000)  # the robot checks it against its own clock
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}timestamp={ts}&sign={urllib.parse.quote_plus(sign(secret, ts))}"


def payload(message):
    return {"msgtype": "text", "text": {"content": text_of(message)}}


def send(channel, message):
    _status, text = post_json(signed_url(channel.url, channel.secret), payload(message))
    return robot_answer(text)
