"""Policy versions: the whole policy (amounts, thresholds, time limits) as JSON, in force from a date."""
from peewee import DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from api.models.base import BaseModel, JSONField, utcnow
from api.models.org import User


class PolicyVersion(BaseModel):
    """One version of the policy. The version in force on a day is the one with the latest
    ``effective_from`` on or before it (the later-posted one among equal dates); a month's ledger
    uses the version in force on the month's first day."""
    effective_from = DateField(index=True)
    body = JSONField()  # the policy as policy.yaml holds it (validated by api.domain.policy.PolicySchema)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utcnow)
    note = TextField(default="")
    based_on = IntegerField(null=True)  # the version the editor started from
