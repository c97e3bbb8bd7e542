"""The monthly ledger sent to finance (报送财务部, seed 004 4.1.5): who sent it, when, to whom."""
from peewee import AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField, TextField

from api.models.base import BaseModel, JSONField, utcnow
from api.models.org import Site, User


class LedgerHandover(BaseModel):
    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    month = CharField(max_length=7)
    sent_by = ForeignKeyField(User, on_delete="RESTRICT")
    sent_at = DateTimeField(default=utcnow)
    sent_to = CharField(max_length=120)  # 财务部 and the person who received it
    note = TextField(default="")
    on_time = BooleanField()  # by the policy's day of the next month (每月1-5日)
    totals = JSONField(null=True)  # the ledger's totals as sent

    class Meta:
        indexes = ((("site", "month"), True),)
