"""Notification channels, deliveries, push subscriptions and quiet hours, in and out."""
from marshmallow import fields, validate

from api.models import CHANNEL_KINDS
from api.notify import EVENTS
from api.resources.common import OutSchema, QuerySchema, StrictSchema, Text, UtcDateTime

_EVENTS = fields.List(fields.String(validate=validate.OneOf(list(EVENTS))), allow_none=True,
                      validate=validate.Length(max=len(EVENTS)),
                      metadata={"description": "Which events go to this channel (default: the group's set)."})
_ZONES = fields.List(fields.Integer(), allow_none=True, validate=validate.Length(max=200),
                     metadata={"description": "Only these zones' messages (default: every zone)."})


class ChannelIn(StrictSchema):
    site_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CHANNEL_KINDS))
    name = Text(120, load_default="")
    url = fields.String(required=True, validate=validate.Length(min=8, max=2000), metadata={
        "description": "The robot's webhook address (WeCom/DingTalk/Feishu), a JSON webhook, or mailto:a@x,b@y."})
    secret = fields.String(allow_none=True, validate=validate.Length(max=500), metadata={
        "description": "DingTalk/Feishu signing secret (加签) or the webhook's HMAC key; stored, never shown."})
    events = _EVENTS
    zone_ids = _ZONES


class ChannelPatch(StrictSchema):
    name = Text(120)
    url = fields.String(validate=validate.Length(min=8, max=2000))
    secret = fields.String(allow_none=True, validate=validate.Length(max=500))
    events = _EVENTS
    zone_ids = _ZONES
    active = fields.Boolean()


class ChannelOut(OutSchema):
    id = fields.Integer()
    site_id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    url = fields.Method("_url", metadata={"description": "The address with its key masked."})
    has_secret = fields.Method("_has_secret")
    events = fields.List(fields.String(), allow_none=True)
    zone_ids = fields.List(fields.Integer(), allow_none=True)
    active = fields.Boolean()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()

    def _url(self, ch):
        from api.domain.channels import masked_url

        return masked_url(ch.url)

    def _has_secret(self, ch):
        return bool(ch.secret)


class SiteArgs(QuerySchema):
    site_id = fields.Integer()


class DeliveryArgs(QuerySchema):
    site_id = fields.Integer()
    status = fields.String(load_default="failed", validate=validate.OneOf(["failed", "waiting", "sent", "all"]),
                           metadata={"description": "failed: given up or failing and retrying (default)."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=200))


class DeliveryOut(OutSchema):
    id = fields.Integer()
    site_id = fields.Integer()
    event = fields.String()
    target = fields.String()
    channel_id = fields.Integer(allow_none=True)
    channel_name = fields.Method("_channel_name")
    channel_kind = fields.Method("_channel_kind")
    user_id = fields.Integer(allow_none=True)
    urgent = fields.Boolean()
    title = fields.String()
    body = fields.String()
    link = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(metadata={"description": "The channel's answer to the last try."})
    next_attempt_at = UtcDateTime()
    created_at = UtcDateTime()
    sent_at = UtcDateTime(allow_none=True)

    def _channel_name(self, n):
        return n.channel.name if n.channel_id else None

    def _channel_kind(self, n):
        return n.channel.kind if n.channel_id else "webpush"


class TestOut(OutSchema):
    notification_id = fields.Integer()
    sent = fields.Boolean()
    answer = fields.String(metadata={"description": "What the channel answered."})


class PushKeyOut(OutSchema):
    public_key = fields.String(metadata={"description": "VAPID public key (base64url), the applicationServerKey."})


class _Keys(StrictSchema):
    p256dh = fields.String(required=True, validate=validate.Length(min=20, max=200))
    auth = fields.String(required=True, validate=validate.Length(min=8, max=100))


class SubscriptionIn(StrictSchema):
    endpoint = fields.String(required=True, validate=validate.Length(min=10, max=2000))
    keys = fields.Nested(_Keys, required=True)
    expirationTime = fields.Raw(allow_none=True, load_default=None)


class SubscriptionOut(OutSchema):
    id = fields.Integer()
    user_id = fields.Integer()
    created_at = UtcDateTime()


class PrefsIn(StrictSchema):
    quiet_start = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=5),
                                metadata={"description": "HH:MM site time"})
    quiet_end = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=5))
    lang = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))


class PrefsOut(OutSchema):
    quiet_start = fields.String(allow_none=True)
    quiet_end = fields.String(allow_none=True)
    lang = fields.String()
