"""Base model, JSON field and time helpers shared by every model."""
import json
from datetime import datetime, timezone

from peewee import Model, TextField

from api import clock
from api.db import db


def utcnow():
    """Naive UTC datetime: every stored time is UTC (from the one clock, ``api.clock``)."""
    return clock.now()


def to_utc_naive(value):
    """Aware datetime -> naive UTC; naive values are taken as UTC already."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


class JSONField(TextField):
    """JSON stored as text: the same on SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False
