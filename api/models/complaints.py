"""Complaint handling beyond the desk's time limits (seed 003 投诉处理, seed 002 回访): validity, the reply in
the owner's way, the incoming-mail register, the general property manager, repair revisits passed on."""
from peewee import AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from api.models.base import BaseModel, utcnow
from api.models.org import Site, User
from api.models.requests import ServiceRequest

REPLY_METHODS = ("visit", "letter", "call")


class ComplaintRecord(BaseModel):
    """What the desk decided about a complaint: valid or not and why (有效/无效投诉), how it was answered
    (走访/回函/致电), and whether it went beyond the duty manager to the general property manager."""

    id = AutoField()
    request = ForeignKeyField(ServiceRequest, unique=True, on_delete="CASCADE", backref="complaint_records")
    valid = BooleanField(null=True)
    validity_reason = TextField(default="")
    judged_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="complaints_judged")
    judged_at = DateTimeField(null=True)
    reply_method = CharField(max_length=8, null=True)
    reply_text = TextField(default="")
    replied_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="complaints_replied")
    replied_at = DateTimeField(null=True)
    gm_reason = TextField(default="")
    gm_referred_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="complaints_referred")
    gm_referred_at = DateTimeField(null=True)


class IncomingMail(BaseModel):
    """收文登记本: a written complaint logged before it goes to the company's leaders."""

    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    year = IntegerField()
    number = IntegerField()
    request = ForeignKeyField(ServiceRequest, unique=True, on_delete="CASCADE", backref="incoming_mail")
    sender = CharField(max_length=120)
    subject = CharField(max_length=200)
    received_at = DateTimeField()
    reported_to = CharField(max_length=120)  # the company leader it was passed to (报呈公司领导)
    registered_by = ForeignKeyField(User, on_delete="RESTRICT", backref="mail_registered")
    registered_at = DateTimeField(default=utcnow)
    answered_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("site", "year", "number"), True),)


class RevisitReferral(BaseModel):
    """An unsatisfied repair revisit passed to the maintenance department head (seed 002)."""

    id = AutoField()
    request = ForeignKeyField(ServiceRequest, on_delete="CASCADE", backref="revisit_referrals")
    head = ForeignKeyField(User, on_delete="RESTRICT", backref="revisit_referrals")
    referred_at = DateTimeField(default=utcnow)
    note = TextField(default="")

    class Meta:
        indexes = ((("request", "head", "referred_at"), True),)
