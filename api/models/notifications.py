"""Notifications: channels a site sends to, the outbox of messages, phones' push subscriptions,
each user's quiet hours, and the server's own keys (VAPID)."""
from peewee import (AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from api.models.base import BaseModel, JSONField, utcnow
from api.domain.vocabulary import CHANNEL_KINDS  # noqa: F401 - the models' name for the vocabulary's tuple
from api.models.org import Site, User


class NotificationChannel(BaseModel):
    """A group robot, a webhook or a mail list a site's messages go to. ``events`` None: the
    default set; ``zone_ids`` None: every zone. The secret is stored and never shown back."""

    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE", index=True)
    kind = CharField(max_length=16)
    name = CharField(max_length=120, default="")
    url = TextField()
    secret = TextField(null=True)
    events = JSONField(null=True)
    zone_ids = JSONField(null=True)
    active = BooleanField(default=True)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class Notification(BaseModel):
    """One message to one target (a channel, or a user's phone): the transactional outbox.

    Written in the same transaction as the change that causes it; ``(key, target)`` is unique, so
    an event reaches each target once however often (or from however many processes) it is noted."""

    id = AutoField()
    event = CharField(max_length=40, index=True)
    key = CharField(max_length=160)
    target = CharField(max_length=60)  # "channel:<id>" or "push:<user id>"
    site = ForeignKeyField(Site, null=True, on_delete="CASCADE")
    channel = ForeignKeyField(NotificationChannel, null=True, on_delete="CASCADE")
    user = ForeignKeyField(User, null=True, on_delete="CASCADE")
    urgent = BooleanField(default=False)
    title = CharField(max_length=255)
    body = TextField()
    link = TextField(default="")
    data = JSONField(null=True)
    status = CharField(max_length=10, default="pending")  # pending / sending / sent / failed
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    claimed_at = DateTimeField(null=True)
    sent_at = DateTimeField(null=True)
    last_error = TextField(default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("key", "target"), True), (("status", "next_attempt_at"), False), (("target", "id"), False))


class PushSubscription(BaseModel):
    """A phone's Web Push subscription (the browser's endpoint and keys)."""

    id = AutoField()
    user = ForeignKeyField(User, on_delete="CASCADE", index=True)
    endpoint = TextField(unique=True)
    p256dh = CharField(max_length=200)
    auth = CharField(max_length=100)
    created_at = DateTimeField(default=utcnow)


class NotifyPref(BaseModel):
    """A user's quiet hours (site-local "HH:MM", non-urgent messages wait) and language."""

    user = ForeignKeyField(User, primary_key=True, on_delete="CASCADE")
    quiet_start = CharField(max_length=5, null=True)
    quiet_end = CharField(max_length=5, null=True)
    lang = CharField(max_length=5, default="zh")


class AppSecret(BaseModel):
    """Keys the server makes once and keeps (the VAPID key pair)."""

    id = AutoField()
    name = CharField(max_length=60, unique=True)
    value = TextField()
    created_at = DateTimeField(default=utcnow)
