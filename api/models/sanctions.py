"""Administrative sanctions on the ledger (seed 004 4.2.3/4.2.4, seed 003 第十九条) and the verification
of a supervisor's share of a fault (004 4.2.6 經查實)."""
from peewee import (AutoField, BooleanField, CharField, DateTimeField, DecimalField, ForeignKeyField, TextField)

from api.models.base import BaseModel, utcnow
from api.models.deductions import Deduction
from api.models.org import Site, User
from api.models.requests import ServiceRequest

SANCTION_KINDS = ("warning", "fine", "demerit", "dismissal", "basic_wage_only", "self_criticism")


class Sanction(BaseModel):
    """What was decided for a person's month: 行政警告/行政罚款/行政记过 (11–19 points), 开除 (20+), or for
    hiding or missing a complaint 公开检讨 / 当月只发基本工资 / 解聘 (003 第十九条)."""

    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    month = CharField(max_length=7)
    staff = ForeignKeyField(User, on_delete="RESTRICT", backref="sanctions")
    kind = CharField(max_length=16)
    amount = DecimalField(max_digits=12, decimal_places=2, auto_round=True, default=0)  # 行政罚款 only
    reason = TextField()
    request = ForeignKeyField(ServiceRequest, null=True, on_delete="SET NULL")  # a hidden/missed complaint
    decided_by = ForeignKeyField(User, on_delete="RESTRICT", backref="sanctions_decided")
    decided_at = DateTimeField(default=utcnow)
    carried_out_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="sanctions_carried_out")
    carried_out_at = DateTimeField(null=True)
    carried_out_note = TextField(default="")

    class Meta:
        indexes = ((("site", "month", "staff", "kind"), True),)


class SupervisorVerification(BaseModel):
    """经查实: who looked into the direct supervisor's share of a fault, and what they found."""

    id = AutoField()
    deduction = ForeignKeyField(Deduction, unique=True, on_delete="CASCADE", backref="supervisor_verifications")
    verified = BooleanField()  # the supervisor does share responsibility
    finding = TextField()
    verified_by = ForeignKeyField(User, on_delete="RESTRICT")
    verified_at = DateTimeField(default=utcnow)
