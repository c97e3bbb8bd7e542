"""Checklists with immutable versions, schedules and the tasks they produce."""
from peewee import (AutoField, BooleanField, CharField, DateField, DateTimeField,
                    ForeignKeyField, IntegerField)

from api.models.base import BaseModel, JSONField, utcnow
from api.models.org import Checkpoint, Site, User, Zone


class Checklist(BaseModel):
    id = AutoField()
    key = CharField(max_length=64, unique=True)
    name = CharField(max_length=120)
    name_en = CharField(max_length=120, default="")
    current_version = IntegerField(default=0)
    updated_at = DateTimeField(default=utcnow)


class ChecklistVersion(BaseModel):
    """Never changed once stored: inspections keep the version they were made with."""

    id = AutoField()
    checklist = ForeignKeyField(Checklist, backref="versions", on_delete="CASCADE")
    version = IntegerField()
    content_hash = CharField(max_length=64)
    body = JSONField()  # the whole definition: key, name, name_en, items[...]
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("checklist", "version"), True),)

    def item(self, key):
        for it in self.body["items"]:
            if it["key"] == key:
                return it
        return None


class Schedule(BaseModel):
    """When a round or cleaning task is due: rules as data (times or an interval)."""

    id = AutoField()
    site = ForeignKeyField(Site, backref="schedules", on_delete="CASCADE")
    key = CharField(max_length=64)
    name = CharField(max_length=120)
    name_en = CharField(max_length=120, default="")
    checklist_key = CharField(max_length=64)
    role = CharField(max_length=20, default="guard")
    zone = ForeignKeyField(Zone, null=True, on_delete="CASCADE")
    checkpoint_kinds = JSONField(default=list)  # empty: every checkpoint the checklist applies to
    rule = JSONField()  # {"at": ["22:00"]} or {"every_minutes": 120, "from": "08:00", "to": "20:00"}
    window_minutes = IntegerField(default=60)
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("site", "key"), True),)


class Task(BaseModel):
    """One checkpoint to inspect at one time; unique so several processes never double it."""

    id = AutoField()
    schedule = ForeignKeyField(Schedule, backref="tasks", on_delete="CASCADE")
    site = ForeignKeyField(Site, on_delete="CASCADE")
    checkpoint = ForeignKeyField(Checkpoint, on_delete="CASCADE")
    checklist_key = CharField(max_length=64)
    role = CharField(max_length=20)
    assignee = ForeignKeyField(User, null=True, on_delete="SET NULL")
    date = DateField(index=True)  # in the site's time zone
    due_at = DateTimeField()  # UTC
    window_end = DateTimeField()  # UTC: after this an undone task is missed
    status = CharField(max_length=10, default="due")  # due / done / missed
    inspection_id = CharField(max_length=36, null=True, index=True)  # every inspection looks its task up
    done_at = DateTimeField(null=True)

    class Meta:
        # the second: an inspection's candidate tasks at its checkpoint around its time
        indexes = ((("schedule", "checkpoint", "due_at"), True), (("checkpoint", "due_at"), False))
