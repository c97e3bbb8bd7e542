"""The appeal chain's steps (seed 004 4.3): each decision and each move up a level, kept."""
from peewee import AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from api.models.base import BaseModel, utcnow
from api.models.deductions import Appeal
from api.models.org import User


class AppealStep(BaseModel):
    id = AutoField()
    appeal = ForeignKeyField(Appeal, backref="steps", on_delete="CASCADE")
    level = IntegerField()  # the level the step happened at
    action = CharField(max_length=12)  # filed / decided / escalated
    upheld = BooleanField(null=True)  # a decision: upheld or rejected
    by = ForeignKeyField(User, on_delete="RESTRICT", column_name="by_id")
    at = DateTimeField(default=utcnow)
    reason = TextField(default="")
