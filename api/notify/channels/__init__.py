"""One adapter per channel kind: ``send(channel, message)`` returns the channel's answer (text)
or raises ``DeliveryError`` with it. ``message``: id, event, title, body, link, data."""
import json
import os
import urllib.error
import urllib.request


class DeliveryError(Exception):
    """The channel refused or could not be reached; ``str()`` is its answer, shown in the console."""

    def __init__(self, answer, gone=False):
        super().__init__(answer)
        self.gone = gone  # the target no longer exists (an expired push subscription)


def timeout():
    return float(os.environ.get("PATROL_NOTIFY_TIMEOUT", "10"))


def post_json(url, payload, headers=None):
    """POST JSON; returns (status, text). Network failures and non-2xx answers raise DeliveryError."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8") if not isinstance(payload, bytes) else payload
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout()) as resp:
            return resp.status, resp.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}: {exc.read(1000).decode('utf-8', 'replace')}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None


def robot_answer(text, code_keys=("errcode",)):
    """Group robots answer 200 with an error code in the body; 0 is success."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        raise DeliveryError(f"not JSON: {text[:200]}") from None
    for k in code_keys:
        if k in data and data[k] not in (0, "0"):
            raise DeliveryError(text[:1000])
    return text


def text_of(message):
    return message["body"] + (f"\n{message['link']}" if message.get("link") else "")


def adapter(kind):
    from api.notify.channels import dingtalk, email, feishu, webhook, wecom

    return {"wecom": wecom, "dingtalk": dingtalk, "feishu": feishu, "webhook": webhook, "email": email}[kind]
