"""A console form's unsent input, kept per user so a refresh, a dropped connection or the next morning finds it."""
from peewee import AutoField, CharField, DateTimeField, ForeignKeyField

from api.models.base import BaseModel, JSONField, utcnow
from api.models.org import User


class FormDraft(BaseModel):
    """What one user has typed into one form and not yet sent (last write wins; gone once sent or stale)."""

    id = AutoField()
    user = ForeignKeyField(User, on_delete="CASCADE", backref="form_drafts")
    form = CharField(max_length=80)
    values = JSONField()
    updated_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "form_draft"
        indexes = ((("user", "form"), True),)
