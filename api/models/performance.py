"""The second scheme of seed 004 (绩效考核作业指导书): scored categories, daily/weekly/monthly checks,
results published on the month's last day, penalties and rewards at 1 point = ¥10."""
from peewee import AutoField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from api.models.base import BaseModel, JSONField, utcnow
from api.models.org import Site, User

PERFORMANCE_CATEGORIES = ("dedication", "coordination", "innovation", "discipline", "teamwork_service",
                          "incidents_complaints")
PERFORMANCE_PERIODS = ("daily", "weekly", "monthly")


class PerformanceEntry(BaseModel):
    """One check's result for a person and category: negative points for a violation (违规), positive
    for outstanding work (业绩突出)."""

    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    staff = ForeignKeyField(User, on_delete="RESTRICT", backref="performance_entries")
    month = CharField(max_length=7)
    period = CharField(max_length=8)  # daily 日检 / weekly 周检 / monthly 月检
    day = DateField()
    category = CharField(max_length=24)
    points = IntegerField()
    note = TextField()
    entered_by = ForeignKeyField(User, on_delete="RESTRICT", backref="performance_entered")
    entered_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "month", "staff"), False),)


class PerformanceMonth(BaseModel):
    """The month's results published (公布) to the staff: frozen from then on."""

    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    month = CharField(max_length=7)
    published_by = ForeignKeyField(User, on_delete="RESTRICT")
    published_at = DateTimeField(default=utcnow)
    results = JSONField(null=True)

    class Meta:
        indexes = ((("site", "month"), True),)
