"""Web Push to the phone app (VAPID): the payload is encrypted to the subscription's keys
(RFC 8291, aes128gcm) and POSTed to the browser's push service. The VAPID key pair is made once
and kept in the database (``app_secret``), so every worker signs with the same key."""
import json
import os

from api.notify.channels import DeliveryError, timeout

PRIVATE, PUBLIC = "vapid_private_pem", "vapid_public_key"


def vapid_keys():
    """(private PEM, public key as base64url uncompressed point), made on first use."""
    from py_vapid import Vapid01
    from py_vapid.utils import b64urlencode
    from cryptography.hazmat.primitives import serialization

    from api.db import write_tx
    from api.models import AppSecret

    rows = {r.name: r.value for r in AppSecret.select().where(AppSecret.name.in_([PRIVATE, PUBLIC]))}
    if len(rows) == 2:
        return rows[PRIVATE], rows[PUBLIC]
    v = Vapid01()
    v.generate_keys()
    pem = v.private_pem().decode("ascii")
    raw = v.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    with write_tx():  # two processes at once: the first insert wins, both read it back
        AppSecret.insert_many([{"name": PRIVATE, "value": pem}, {"name": PUBLIC, "value": b64urlencode(raw)}]) \
            .on_conflict_ignore().execute()
    rows = {r.name: r.value for r in AppSecret.select().where(AppSecret.name.in_([PRIVATE, PUBLIC]))}
    return rows[PRIVATE], rows[PUBLIC]


def send(subscription, message):
    from py_vapid import Vapid02
    from pywebpush import WebPushException, webpush

    pem, _public = vapid_keys()
    data = json.dumps({"id": message["id"], "event": message["event"], "title": message["title"],
                       "body": message["body"], "link": message.get("link", ""),
                       "urgent": bool(message.get("urgent"))}, ensure_ascii=False)
    info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    try:
        resp = webpush(info, data, vapid_private_key=Vapid02.from_pem(pem.encode("ascii")),
                       vapid_claims={"sub": os.environ.get("PATROL_VAPID_SUB", "mailto:patrol@localhost")},
                       ttl=24 * 3600, timeout=timeout(),
                       headers={"Urgency": "high" if message.get("urgent") else "normal"})
    except WebPushException as exc:
        code = getattr(exc.response, "status_code", None)
        raise DeliveryError(f"HTTP {code}: {exc}", gone=code in (404, 410)) from None
    except Exception as exc:  # network errors from requests
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    return f"HTTP {getattr(resp, 'status_code', '?')}"
