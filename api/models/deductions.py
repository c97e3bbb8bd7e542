"""Staff fault notices (员工过失通知单), appeals and the monthly ledger."""
from peewee import (AutoField, BooleanField, CharField, DateTimeField, DecimalField,
                    ForeignKeyField, IntegerField, TextField)

from api.models.base import BaseModel, JSONField, utcnow
from api.models.inspections import Finding, Photo
from api.models.org import Site, User
from api.models.workorders import WorkOrder


class Deduction(BaseModel):
    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    staff = ForeignKeyField(User, backref="deductions", on_delete="RESTRICT")
    supervisor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    supervisor_shares = BooleanField(default=False)
    points = IntegerField()  # negative on a reversing entry
    yuan_per_point = DecimalField(max_digits=10, decimal_places=2, auto_round=True)
    reason = TextField()
    problem_key = CharField(max_length=120, index=True)  # "the same problem" across a month
    month = CharField(max_length=7, index=True)  # YYYY-MM in the site's time zone
    occurred_at = DateTimeField()
    status = CharField(max_length=10, default="active")  # active / voided
    finding = ForeignKeyField(Finding, null=True, on_delete="SET NULL")
    work_order = ForeignKeyField(WorkOrder, null=True, on_delete="SET NULL")
    request_id = IntegerField(null=True)
    reverses = ForeignKeyField("self", null=True, on_delete="SET NULL")
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    client_id = CharField(max_length=64, null=True, unique=True)

    class Meta:
        # the month ledger reads a site-month grouped by person and problem: this index covers the
        # query in its GROUP BY order, so the database neither reads the table nor sorts
        indexes = ((("site", "month"), False),
                   (("site", "month", "staff", "problem_key", "supervisor", "yuan_per_point", "supervisor_shares",
                     "status", "reverses", "points"), False))


class DeductionPhoto(BaseModel):
    id = AutoField()
    deduction = ForeignKeyField(Deduction, backref="photo_links", on_delete="CASCADE")
    photo = ForeignKeyField(Photo, on_delete="RESTRICT")

    class Meta:
        indexes = ((("deduction", "photo"), True),)


class Appeal(BaseModel):
    id = AutoField()
    deduction = ForeignKeyField(Deduction, backref="appeals", unique=True, on_delete="CASCADE")
    filed_by = ForeignKeyField(User, on_delete="RESTRICT")
    reason = TextField()
    filed_at = DateTimeField(default=utcnow)
    status = CharField(max_length=10, default="pending")  # pending / upheld / rejected
    decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    decided_at = DateTimeField(null=True)
    decision_reason = TextField(default="")
    # the appeal chain (seed 004 4.3, migration 0009b): the level it is at now (1 department head,
    # 2 office director, 3 office manager), ordinary or about an inspector's retaliation (4.3.1)
    level = IntegerField(default=1)
    kind = CharField(max_length=12, default="ordinary")
    against = ForeignKeyField(User, null=True, on_delete="SET NULL", column_name="against_id",
                              backref="appeals_against")


class LedgerMonth(BaseModel):
    """A closed month is frozen: corrections go into the next open month."""

    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    month = CharField(max_length=7)
    closed_at = DateTimeField(default=utcnow)
    closed_by = ForeignKeyField(User, on_delete="RESTRICT")
    snapshot = JSONField(null=True)

    class Meta:
        indexes = ((("site", "month"), True),)


class LedgerCorrection(BaseModel):
    """Money owed or given back for a closed month once an appeal upheld after closing is recomputed
    (the extra fine no longer due, the supervisor's share of repeats): booked into an open month."""

    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    month = CharField(max_length=7, index=True)  # the open month it is booked in (paid with)
    corrects_month = CharField(max_length=7)  # the closed month it corrects
    staff = ForeignKeyField(User, on_delete="RESTRICT")
    amount = DecimalField(max_digits=12, decimal_places=2, auto_round=True)  # negative: given back
    extra_fine = DecimalField(max_digits=12, decimal_places=2, auto_round=True)  # the part that is the tier's fine
    reason = TextField()
    deduction = ForeignKeyField(Deduction, null=True, on_delete="SET NULL")  # the notice whose appeal caused it
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "corrects_month"), False),)
