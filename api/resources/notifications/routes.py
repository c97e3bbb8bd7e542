"""Notification channels per site (WeCom, DingTalk, Feishu, webhook, email), failed deliveries
with a resend, the phone's Web Push subscription and each user's quiet hours."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import check_site, requires, sites_in_scope
from api.db import write_tx
from api.domain import channels as chd
from api.errors import Conflict, NotFound
from api.idempotency import idempotent
from api.models import Notification, NotificationChannel
from api.resources.notifications.schemas import (ChannelIn, ChannelOut, ChannelPatch, DeliveryArgs, DeliveryOut,
                                                 PrefsIn, PrefsOut, PushKeyOut, SiteArgs, SubscriptionIn,
                                                 SubscriptionOut, TestOut)

blp = Blueprint("notifications", __name__, url_prefix="",
                description="Alerts that reach people: group robots, webhooks, email and Web Push.")


def _channel(channel_id):
    ch = chd.get_channel(channel_id)
    check_site(ch.site_id, "channel")
    return ch


@blp.route("/notification-channels")
class Channels(MethodView):
    @blp.arguments(SiteArgs, location="query")
    @blp.response(200, ChannelOut(many=True))
    @requires("notification.manage")
    def get(self, args):
        """Managers: the channels of their sites (secrets never shown, keys in URLs masked)."""
        sites = sites_in_scope(args.get("site_id"))
        return list(NotificationChannel.select().where(NotificationChannel.site.in_(sites))
                    .order_by(NotificationChannel.site, NotificationChannel.id))

    @idempotent
    @blp.arguments(ChannelIn)
    @blp.response(201, ChannelOut)
    @requires("notification.manage")
    def post(self, data):
        """Add a group robot, webhook or mail list to a site; ``events`` picks what it receives."""
        check_site(data["site_id"], "site")
        with write_tx():
            ch = chd.create_channel(data["site_id"], data, g.user)
            audit("notification_channel.create", "notification_channel", ch.id, ch.site_id, after=chd.snapshot(ch))
        return ch


@blp.route("/notification-channels/<int:channel_id>")
class Channel(MethodView):
    @blp.arguments(ChannelPatch)
    @blp.response(200, ChannelOut)
    @requires("notification.manage")
    def patch(self, data, channel_id):
        """Change a channel (a new secret replaces the old; ``active: false`` stops it)."""
        ch = _channel(channel_id)
        with write_tx():
            before = chd.snapshot(ch)
            chd.update_channel(ch, data)
            audit("notification_channel.update", "notification_channel", ch.id, ch.site_id, before=before,
                  after=chd.snapshot(ch))
        return ch

    @blp.response(200, ChannelOut)
    @requires("notification.manage")
    def delete(self, channel_id):
        """Disable a channel (kept, with its history; PATCH ``active: true`` turns it back on)."""
        ch = _channel(channel_id)
        with write_tx():
            before = chd.snapshot(ch)
            chd.update_channel(ch, {"active": False})
            audit("notification_channel.disable", "notification_channel", ch.id, ch.site_id, before=before,
                  after=chd.snapshot(ch))
        return ch


@blp.route("/notification-channels/<int:channel_id>/test")
class ChannelTest(MethodView):
    @blp.response(200, TestOut)
    @requires("notification.manage")
    def post(self, channel_id):
        """Send a test message now and show what the channel answered."""
        from api.notify.delivery import send_now

        ch = _channel(channel_id)
        with write_tx():
            n = chd.queue_test(ch, g.user.name)
            audit("notification_channel.test", "notification_channel", ch.id, ch.site_id, after={"notification": n.id})
        sent, answer = send_now(n.id)
        return {"notification_id": n.id, "sent": sent, "answer": answer or ""}


@blp.route("/notifications")
class Deliveries(MethodView):
    @blp.arguments(DeliveryArgs, location="query")
    @blp.response(200, DeliveryOut(many=True))
    @requires("notification.manage")
    def get(self, args):
        """Managers: deliveries of their sites, by default the failed ones with the channel's answer."""
        sites = sites_in_scope(args.get("site_id"))
        q = Notification.select().where(Notification.site.in_(sites))
        status = args["status"]
        if status == "failed":
            q = q.where((Notification.status == "failed")
                        | ((Notification.status == "pending") & (Notification.attempts > 0)))
        elif status == "waiting":
            q = q.where(Notification.status.in_(("pending", "sending")))
        elif status == "sent":
            q = q.where(Notification.status == "sent")
        return list(q.order_by(Notification.id.desc()).limit(args["limit"]))


@blp.route("/notifications/<int:notification_id>/resend")
class Resend(MethodView):
    @blp.response(200, DeliveryOut)
    @blp.alt_response(409, description="Not failed or waiting to retry: queued or sent already.")
    @requires("notification.manage")
    def post(self, notification_id):
        """Send a failed delivery again (the worker picks it up within seconds)."""
        from api.notify.delivery import resend

        n = Notification.get_or_none(Notification.id == notification_id)
        if n is None or n.site_id is None:
            raise NotFound("No such notification.")
        check_site(n.site_id, "notification")
        with write_tx():
            queued = resend(n.id)
            if not queued:
                raise Conflict("This notification is not waiting to be sent again: it is queued or sent already.")
            audit("notification.resend", "notification", n.id, n.site_id, after={"queued": queued})
        return Notification.get_by_id(n.id)


@blp.route("/push/key")
class PushKey(MethodView):
    @blp.response(200, PushKeyOut)
    @requires("push.subscribe")
    def get(self):
        """The server's VAPID public key, for the phone's pushManager.subscribe()."""
        from api.notify.channels.webpush import vapid_keys

        return {"public_key": vapid_keys()[1]}


@blp.route("/push/subscriptions")
class PushSubscriptions(MethodView):
    @blp.arguments(SubscriptionIn)
    @blp.response(201, SubscriptionOut)
    @blp.alt_response(200, schema=SubscriptionOut, description="This phone was subscribed already.")
    @requires("push.subscribe")
    def post(self, data):
        """Store this phone's Web Push subscription for the caller (new orders show while the app is closed)."""
        with write_tx():
            row, created = chd.subscribe(g.user, data["endpoint"], data["keys"]["p256dh"], data["keys"]["auth"])
            audit("push.subscribe", "push_subscription", row.id, None, after={"created": created})
        return row, (201 if created else 200)


@blp.route("/notification-prefs")
class Prefs(MethodView):
    @blp.response(200, PrefsOut)
    @requires("notification_prefs.edit")
    def get(self):
        """The caller's quiet hours and message language."""
        return chd.prefs_of(g.user)

    @blp.arguments(PrefsIn)
    @blp.response(200, PrefsOut)
    @requires("notification_prefs.edit")
    def put(self, data):
        """Set quiet hours (site time; non-urgent messages wait until they end, emergencies always go)."""
        with write_tx():
            prefs = chd.set_prefs(g.user, data)
            audit("notify_prefs.set", "user", g.user.id, None, after=data)
        return prefs
