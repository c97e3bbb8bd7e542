"""The audit log (append-only) and stored responses for retried writes."""
from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, IntegerField

from api.models.base import BaseModel, JSONField, utcnow
from api.models.org import User


class AuditLog(BaseModel):
    id = AutoField()
    at = DateTimeField(default=utcnow, index=True)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    role = CharField(max_length=20, default="")
    action = CharField(max_length=60)
    object_type = CharField(max_length=40)
    object_id = CharField(max_length=64)
    site_id = IntegerField(null=True, index=True)
    before = JSONField(null=True)
    after = JSONField(null=True)
    request_id = CharField(max_length=64, default="")
    ip = CharField(max_length=64, default="")


class IdempotencyRecord(BaseModel):
    """The first response to an Idempotency-Key, replayed to retries of the same request."""

    id = AutoField()
    user = ForeignKeyField(User, on_delete="CASCADE")
    key = CharField(max_length=128)
    method = CharField(max_length=8)
    path = CharField(max_length=255)
    body_hash = CharField(max_length=64)
    status_code = IntegerField()
    response = JSONField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "key"), True),)
