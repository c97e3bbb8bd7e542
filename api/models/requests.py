"""Owners' complaints, repair requests and suggestions taken by the service desk (客服)."""
from peewee import (AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField,
                    IntegerField, TextField)

from api.models.base import BaseModel, JSONField, utcnow
from api.models.inspections import Photo
from api.models.org import Site, User, Zone

from api.domain.vocabulary import REQUEST_ACTIVE as ACTIVE_REQUEST_STATUSES  # noqa: F401 - the one source
from api.domain.vocabulary import REQUEST_CATEGORIES, REQUEST_CHANNELS, REQUEST_KINDS, REQUEST_STATUSES  # noqa: F401


class ServiceRequest(BaseModel):
    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    zone = ForeignKeyField(Zone, null=True, on_delete="SET NULL")
    kind = CharField(max_length=12)  # complaint / repair / suggestion
    channel = CharField(max_length=12)  # phone / visit / wechat / patrol
    category = CharField(max_length=20, default="other")
    owner_name = CharField(max_length=120, default="")
    owner_phone = CharField(max_length=32, default="")
    phone_last4 = CharField(max_length=4, default="", index=True)
    building = CharField(max_length=40, default="")
    unit = CharField(max_length=40, default="")
    room = CharField(max_length=40, default="")
    public_area = CharField(max_length=120, default="")
    description = TextField()
    owner_ask = TextField(default="")
    priority = CharField(max_length=10, default="normal")
    urgent = BooleanField(default=False)
    scope = CharField(max_length=12, default="desk")  # desk (own scope) / transferred
    trade = CharField(max_length=20, null=True)  # the department answering: customer_service or a trade
    status = CharField(max_length=12, default="open", index=True)
    received_at = DateTimeField(default=utcnow)
    respond_by = DateTimeField(null=True)  # repairs: 2 h emergency / 24 h normal
    responded_at = DateTimeField(null=True)
    due_at = DateTimeField(null=True)
    escalation_level = IntegerField(default=0)  # 0 receptionist, 1 cs supervisor, 2 deputy GM
    escalated_at = DateTimeField(null=True)
    handler = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    done_at = DateTimeField(null=True)
    revisit_due = DateTimeField(null=True)
    revisited_at = DateTimeField(null=True)
    satisfied = BooleanField(null=True)
    cancelled_at = DateTimeField(null=True)
    reopen_count = IntegerField(default=0)
    client_id = CharField(max_length=64, null=True, unique=True)

    class Meta:
        indexes = ((("site", "status", "id"), False), (("site", "received_at"), False))


class RequestEvent(BaseModel):
    id = AutoField()
    request = ForeignKeyField(ServiceRequest, backref="events", on_delete="CASCADE")
    action = CharField(max_length=20)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = DateTimeField(default=utcnow)
    note = TextField(default="")
    data = JSONField(null=True)


class RequestPhoto(BaseModel):
    id = AutoField()
    request = ForeignKeyField(ServiceRequest, backref="photo_links", on_delete="CASCADE")
    photo = ForeignKeyField(Photo, on_delete="RESTRICT")

    class Meta:
        indexes = ((("request", "photo"), True),)
