"""Delivering the outbox: claim one due row, send it, record the answer; retry with backoff.

Order and once-ness:
- A row is claimed only when no earlier row for the same target is still waiting to be sent
  (pending after a failure, or being sent), so each channel receives its messages in order, and
  an endpoint that was down receives the backlog in order when it comes back.
- Claiming is a short transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (two
  workers never claim the same row, and do not wait for each other), ``BEGIN IMMEDIATE`` on SQLite.
  The row is then "sending" with ``claimed_at``; the send happens outside any transaction.
- **Duplicate bound.** A worker holds one claimed row at a time. If it dies after the channel
  accepted a message but before recording it, the row is claimed again once its lease
  (``LEASE_SECONDS``) has passed and sent again: at most ONE repeated message per worker crash.
  Robots (WeCom, DingTalk, Feishu) offer no way to deduplicate; the webhook carries
  ``X-Patrol-Delivery`` (the row id) so a receiver can drop the repeat, and email a stable Message-ID.
"""
import logging
import os
import socket
from datetime import timedelta

from peewee import fn

from api import clock
from api.db import is_postgres, write_tx

log = logging.getLogger("patrol.notify")

LEASE_SECONDS = int(os.environ.get("PATROL_NOTIFY_LEASE_SECONDS", "120"))  # longer than any send may take (HTTP/SMTP timeouts are 10 s by default)
MAX_ATTEMPTS = 40  # with backoff capped at 10 minutes: about six hours of trying, then "failed"
WAITING = ("pending", "sending")


def backoff(attempts):
    """Seconds to wait after the ``attempts``-th failed try: 30 s, 1, 2, 4, 8 min, then every 10 min."""
    return min(30 * 2 ** max(attempts - 1, 0), 600)


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


def _claimable(now):
    from api.models import Notification

    lease = now - timedelta(seconds=LEASE_SECONDS)
    Earlier = Notification.alias()
    earlier = (Earlier.select(Earlier.id)
               .where((Earlier.target == Notification.target) & (Earlier.id < Notification.id)
                      & Earlier.status.in_(WAITING)
                      # a row held back for quiet hours (never tried, due later) does not block
                      & ((Earlier.attempts > 0) | (Earlier.next_attempt_at <= now) | (Earlier.status == "sending"))))
    due = (((Notification.status == "pending") & (Notification.next_attempt_at <= now))
           | ((Notification.status == "sending") & (Notification.claimed_at < lease)))
    return due & ~fn.EXISTS(earlier)


def claim(now=None):
    """Claim one due notification (oldest first); returns it, or None when nothing is due."""
    from api.models import Notification

    now = now or clock.now()
    with write_tx():
        q = Notification.select().where(_claimable(now)).order_by(Notification.id).limit(1)
        if is_postgres():
            q = q.for_update("FOR UPDATE SKIP LOCKED")
        row = q.first()
        if row is None:
            return None
        Notification.update(status="sending", claimed_at=now, attempts=Notification.attempts + 1) \
            .where(Notification.id == row.id).execute()
        row.status, row.claimed_at, row.attempts = "sending", now, row.attempts + 1
    return row


def _send(row):
    from api.models import NotificationChannel, PushSubscription
    from api.notify.channels import DeliveryError, adapter

    message = {"id": row.id, "event": row.event, "title": row.title, "body": row.body, "link": row.link,
               "data": row.data, "urgent": row.urgent}
    if row.target.startswith("channel:"):
        channel = NotificationChannel.get_or_none(NotificationChannel.id == row.channel_id)
        if channel is None or not channel.active:
            raise DeliveryError("channel disabled")
        return adapter(channel.kind).send(channel, message)
    from api.notify.channels import webpush

    subs = list(PushSubscription.select().where(PushSubscription.user == row.user_id).order_by(PushSubscription.id))
    if not subs:
        raise DeliveryError("no push subscription")
    answers, errors = [], []
    for sub in subs:  # every phone the user subscribed
        try:
            answers.append(webpush.send(sub, message))
        except DeliveryError as exc:
            if exc.gone:
                PushSubscription.delete().where(PushSubscription.id == sub.id).execute()
                answers.append(f"gone: {exc}")
            else:
                errors.append(str(exc))
    if errors and len(errors) == len(subs):
        raise DeliveryError("; ".join(errors))
    return "; ".join(answers + errors)


def deliver_one(row):
    """Send a claimed row and record the outcome (only if this claim is still ours)."""
    from api.models import Notification
    from api.notify.channels import DeliveryError

    mine = (Notification.id == row.id) & (Notification.status == "sending") & (Notification.claimed_at == row.claimed_at)
    try:
        answer = _send(row)
    except DeliveryError as exc:
        now = clock.now()
        # nothing to retry towards: a disabled channel, a phone that unsubscribed
        gave_up = row.attempts >= MAX_ATTEMPTS or str(exc) in ("channel disabled", "no push subscription")
        with write_tx():
            Notification.update(status="failed" if gave_up else "pending", last_error=str(exc)[:2000],
                                next_attempt_at=now + timedelta(seconds=backoff(row.attempts))).where(mine).execute()
        log.warning("notification %s to %s failed (attempt %s): %s", row.id, row.target, row.attempts, exc)
        return False
    except Exception as exc:  # a bug in an adapter must not kill the worker or lose the row
        with write_tx():
            Notification.update(status="pending", last_error=f"{type(exc).__name__}: {exc}"[:2000],
                                next_attempt_at=clock.now() + timedelta(seconds=backoff(row.attempts))) \
                .where(mine).execute()
        log.exception("notification %s: adapter error", row.id)
        return False
    with write_tx():
        Notification.update(status="sent", sent_at=clock.now(), last_error=(answer or "")[:2000]).where(mine).execute()
    return True


def deliver_due(limit=200, now=None):
    """Send due notifications one at a time (at most ``limit``); returns (sent, failed)."""
    sent = failed = 0
    for _ in range(limit):
        row = claim(now)
        if row is None:
            break
        if deliver_one(row):
            sent += 1
        else:
            failed += 1
    return sent, failed


def resend(notification_id, now=None):
    """A failed (or waiting to retry) notification goes out again at once; returns whether it was queued.
    Once queued its attempts are 0, so a second resend at the same time queues nothing (the conditional
    update's row count decides)."""
    from api.models import Notification

    now = now or clock.now()
    waiting = (Notification.status == "failed") | ((Notification.status == "pending") & (Notification.attempts > 0))
    return bool(Notification.update(status="pending", next_attempt_at=now, attempts=0)
                .where((Notification.id == notification_id) & waiting).execute())


def send_now(notification_id):
    """Claim one particular pending row and send it at once (the console's "send a test message");
    returns (sent, answer). A failure leaves it to the worker's retries like any other row."""
    from api.models import Notification

    now = clock.now()
    with write_tx():
        n = (Notification.update(status="sending", claimed_at=now, attempts=Notification.attempts + 1)
             .where((Notification.id == notification_id) & (Notification.status == "pending")).execute())
    if not n:
        return False, "already being sent"
    row = Notification.get_by_id(notification_id)
    ok = deliver_one(row)
    row = Notification.get_by_id(notification_id)
    return ok, row.last_error
