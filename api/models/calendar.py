"""The official holiday schedule (放假安排) as data: holidays and the weekends made working days (调休)."""
from peewee import AutoField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from api.models.base import BaseModel, utcnow
from api.models.org import User

HOLIDAY_KINDS = ("holiday", "workday")


class HolidayDay(BaseModel):
    """One day of a year's entered schedule: a holiday, or a weekend day worked (调休上班)."""

    id = AutoField()
    year = IntegerField(index=True)
    day = DateField(unique=True)
    kind = CharField(max_length=10)  # holiday / workday
    name = CharField(max_length=60, default="")
    entered_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    entered_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "holiday_calendar"
