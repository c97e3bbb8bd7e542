"""Root causes and corrective/preventive actions (纠正预防措施, seed 004 4.1.6; seed 001 overdue items)."""
from peewee import AutoField, CharField, DateField, DateTimeField, ForeignKeyField, TextField

from api.models.base import BaseModel, utcnow
from api.models.org import Site, User

ACTION_SOURCES = ("fault_notices", "overdue_order", "overdue_request", "other")
ACTION_KINDS = ("corrective", "preventive")


class CorrectiveAction(BaseModel):
    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    month = CharField(max_length=7)  # the month analysed
    source_kind = CharField(max_length=16)
    source_ref = CharField(max_length=120)  # a problem key, an order or request id
    root_cause = TextField()
    action = TextField()
    kind = CharField(max_length=12)  # corrective 纠正 / preventive 预防
    owner = ForeignKeyField(User, on_delete="RESTRICT", backref="corrective_actions")
    due_date = DateField()
    status = CharField(max_length=10, default="open")  # open / done / verified
    done_at = DateTimeField(null=True)
    done_note = TextField(default="")
    verified_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="corrective_verified")
    verified_at = DateTimeField(null=True)
    verified_note = TextField(default="")
    created_by = ForeignKeyField(User, on_delete="RESTRICT", backref="corrective_created")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "month"), False),)
