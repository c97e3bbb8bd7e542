"""Work orders: registered, handled, followed up, closed and revisited."""
from peewee import (AutoField, CharField, DateField, DateTimeField, ForeignKeyField,
                    IntegerField, TextField)

from api.models.base import BaseModel, JSONField, utcnow
from api.models.inspections import Finding, Photo
from api.models.org import Site, User, Zone

from api.domain.vocabulary import WORK_ORDER_STATUSES  # noqa: F401 - the one source


class WorkOrder(BaseModel):
    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    zone = ForeignKeyField(Zone, null=True, on_delete="SET NULL")
    trade = CharField(max_length=20)
    title = CharField(max_length=255)
    description = TextField(default="")
    priority = CharField(max_length=10)  # emergency / normal / planned
    status = CharField(max_length=12, default="open", index=True)
    source = CharField(max_length=12, default="manual")  # finding / request / manual
    request_id = IntegerField(null=True, index=True)
    assignee = ForeignKeyField(User, null=True, backref="work_orders", on_delete="SET NULL")
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    scheduled_for = DateField(null=True)  # planned orders
    respond_by = DateTimeField(null=True)
    resolve_by = DateTimeField(null=True)
    assigned_at = DateTimeField(null=True)
    accepted_at = DateTimeField(null=True)
    started_at = DateTimeField(null=True)
    done_at = DateTimeField(null=True)
    revisit_due = DateTimeField(null=True)
    verified_at = DateTimeField(null=True)
    cancelled_at = DateTimeField(null=True)
    reopen_count = IntegerField(default=0)
    escalation_level = IntegerField(default=0)  # 0 none, 1 supervisor, 2 manager
    escalated_at = DateTimeField(null=True)
    client_id = CharField(max_length=64, null=True, unique=True)

    class Meta:
        indexes = ((("site", "status", "id"), False),)


class WorkOrderFinding(BaseModel):
    id = AutoField()
    work_order = ForeignKeyField(WorkOrder, backref="finding_links", on_delete="CASCADE")
    finding = ForeignKeyField(Finding, backref="work_order_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("work_order", "finding"), True),)


class WorkOrderEvent(BaseModel):
    """Every transition, with who, when and why."""

    id = AutoField()
    work_order = ForeignKeyField(WorkOrder, backref="events", on_delete="CASCADE")
    action = CharField(max_length=20)
    from_status = CharField(max_length=12, null=True)
    to_status = CharField(max_length=12)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = DateTimeField(default=utcnow)
    note = TextField(default="")
    data = JSONField(null=True)


class WorkOrderPhoto(BaseModel):
    id = AutoField()
    work_order = ForeignKeyField(WorkOrder, backref="photo_links", on_delete="CASCADE")
    photo = ForeignKeyField(Photo, on_delete="RESTRICT")
    kind = CharField(max_length=10, default="after")  # before / after

    class Meta:
        indexes = ((("work_order", "photo", "kind"), True),)
