"""Notifications: channels per site, the outbox, push subscriptions, quiet hours, server keys.

The table definitions are frozen here (not imported from api.models, which will change)."""
from peewee import (AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    TextField)

from api.db import db as proxy


class _Base(Model):
    class Meta:
        database = proxy
        legacy_table_names = False


class _Site(_Base):
    id = AutoField()

    class Meta:
        table_name = "site"


class _User(_Base):
    id = AutoField()

    class Meta:
        table_name = "user"


class NotificationChannel(_Base):
    id = AutoField()
    site = ForeignKeyField(_Site, on_delete="CASCADE", index=True, column_name="site_id")
    kind = CharField(max_length=16)
    name = CharField(max_length=120, default="")
    url = TextField()
    secret = TextField(null=True)
    events = TextField(null=True)
    zone_ids = TextField(null=True)
    active = BooleanField(default=True)
    created_by = ForeignKeyField(_User, null=True, on_delete="SET NULL", column_name="created_by_id")
    created_at = DateTimeField()
    updated_at = DateTimeField()

    class Meta:
        table_name = "notification_channel"


class Notification(_Base):
    id = AutoField()
    event = CharField(max_length=40, index=True)
    key = CharField(max_length=160)
    target = CharField(max_length=60)
    site = ForeignKeyField(_Site, null=True, on_delete="CASCADE", column_name="site_id")
    channel = ForeignKeyField(NotificationChannel, null=True, on_delete="CASCADE", column_name="channel_id")
    user = ForeignKeyField(_User, null=True, on_delete="CASCADE", column_name="user_id")
    urgent = BooleanField(default=False)
    title = CharField(max_length=255)
    body = TextField()
    link = TextField(default="")
    data = TextField(null=True)
    status = CharField(max_length=10, default="pending")
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField()
    claimed_at = DateTimeField(null=True)
    sent_at = DateTimeField(null=True)
    last_error = TextField(default="")
    created_at = DateTimeField()

    class Meta:
        table_name = "notification"
        indexes = ((("key", "target"), True), (("status", "next_attempt_at"), False), (("target", "id"), False))


class PushSubscription(_Base):
    id = AutoField()
    user = ForeignKeyField(_User, on_delete="CASCADE", index=True, column_name="user_id")
    endpoint = TextField(unique=True)
    p256dh = CharField(max_length=200)
    auth = CharField(max_length=100)
    created_at = DateTimeField()

    class Meta:
        table_name = "push_subscription"


class NotifyPref(_Base):
    user = ForeignKeyField(_User, primary_key=True, on_delete="CASCADE", column_name="user_id")
    quiet_start = CharField(max_length=5, null=True)
    quiet_end = CharField(max_length=5, null=True)
    lang = CharField(max_length=5, default="zh")

    class Meta:
        table_name = "notify_pref"


class AppSecret(_Base):
    id = AutoField()
    name = CharField(max_length=60, unique=True)
    value = TextField()
    created_at = DateTimeField()

    class Meta:
        table_name = "app_secret"


TABLES = [NotificationChannel, Notification, PushSubscription, NotifyPref, AppSecret]


def _vapid_rows():
    """The server's Web Push (VAPID) key pair, made once here so every worker signs with it."""
    from datetime import datetime, timezone

    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid01
    from py_vapid.utils import b64urlencode

    v = Vapid01()
    v.generate_keys()
    raw = v.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return [{"name": "vapid_private_pem", "value": v.private_pem().decode("ascii"), "created_at": now},
            {"name": "vapid_public_key", "value": b64urlencode(raw), "created_at": now}]


def up(db, migrator):
    db.create_tables(TABLES)
    AppSecret.insert_many(_vapid_rows()).on_conflict_ignore().execute()


def down(db, migrator):
    db.drop_tables(list(reversed(TABLES)))
