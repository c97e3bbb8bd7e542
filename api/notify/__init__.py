"""Notifications: a transactional outbox and the channels that deliver it.

``notify(event, ...)`` writes one row per target (each channel of the site that takes the event,
each named user's phone) in the caller's transaction; ``api.notify.delivery`` claims and sends
them with retries. ``(key, target)`` is unique, so noting an event twice (a retried request, two
workers) still sends it once. Messages are Chinese, or English for users who chose it.
"""
import os
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from api import clock
from api.domain.vocabulary import NOTIFICATION_EVENTS

# event -> urgent (quiet hours never hold it back); the events themselves are the vocabulary's
EVENTS = {event: event in ("emergency_finding", "emergency_order", "test") for event in NOTIFICATION_EVENTS}
# what a group channel takes when it names no events: the events a site's group talks about
DEFAULT_CHANNEL_EVENTS = ("emergency_finding", "emergency_order", "deadline_missed", "work_order_escalated",
                          "missed_round", "request_escalated", "morning_briefing", "test")


def base_url():
    return os.environ.get("PATROL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def console_url():
    return os.environ.get("PATROL_CONSOLE_URL", "http://127.0.0.1:8501").rstrip("/")


def order_link(order_id):
    return f"{base_url()}/m/#/orders/{order_id}"


def _hhmm(text):
    h, m = (text or "").split(":")
    return time(int(h), int(m))


def in_quiet_hours(start, end, local_now):
    """Whether a local time falls in quiet hours [start, end) (the window may cross midnight)."""
    if not start or not end:
        return False
    s, e, t = _hhmm(start), _hhmm(end), local_now.time()
    return (s <= t < e) if s <= e else (t >= s or t < e)


def quiet_until(start, end, now_utc, tz):
    """The UTC time quiet hours end, or None when ``now_utc`` is not within them."""
    local = now_utc.replace(tzinfo=timezone.utc).astimezone(tz)
    if not in_quiet_hours(start, end, local):
        return None
    e = _hhmm(end)
    day = local.date() if local.time() < e else local.date() + timedelta(days=1)
    return datetime.combine(day, e, tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)


def _site_tz(site):
    return ZoneInfo(getattr(site, "timezone", None) or "Asia/Shanghai")


def channels_for(site_id, event, zone_id=None):
    from api.models import NotificationChannel

    out = []
    for ch in (NotificationChannel.select().where((NotificationChannel.site == site_id)
                                                  & (NotificationChannel.active == True))  # noqa: E712
               .order_by(NotificationChannel.id)):
        events = ch.events if ch.events else DEFAULT_CHANNEL_EVENTS
        if event not in events:
            continue
        if ch.zone_ids and zone_id is not None and zone_id not in ch.zone_ids:
            continue
        out.append(ch)
    return out


def users_with_roles(site_id, roles):
    from api.models import User, UserSite

    return [u.id for u in User.select(User.id).join(UserSite, on=(UserSite.user == User.id))
            .where((UserSite.site == site_id) & User.role.in_(list(roles)) & (User.active == True))  # noqa: E712
            .order_by(User.id)]


def notify(event, *, site, key, params, users=(), roles=(), zone_id=None, channels=True, urgent=None,
           now=None, link=""):
    """Note that ``event`` happened: one outbox row per channel of ``site`` taking it (``channels``)
    and per user (``users`` ids and everyone at the site with one of ``roles``) who has a phone
    subscribed. Call inside the transaction of the change that causes it. Returns rows written."""
    from api.models import Notification, NotifyPref, PushSubscription
    from api.notify.messages import render

    now = now or clock.now()
    urgent = EVENTS.get(event, False) if urgent is None else urgent
    tz = _site_tz(site)
    rows = []
    base = {"event": event, "key": key[:160], "site": site.id, "urgent": urgent, "data": params,
            "created_at": now, "next_attempt_at": now, "status": "pending", "channel": None, "user": None}
    if channels:
        title, body = render(event, params, "zh", tz)
        for ch in channels_for(site.id, event, zone_id):
            rows.append(dict(base, target=f"channel:{ch.id}", channel=ch.id, title=title, body=body, link=link))
    people = list(dict.fromkeys(list(users) + (users_with_roles(site.id, roles) if roles else [])))
    if people:
        subscribed = {s.user_id for s in PushSubscription.select(PushSubscription.user)
                      .where(PushSubscription.user.in_(people))}
        prefs = {p.user_id: p for p in NotifyPref.select().where(NotifyPref.user.in_(people))}
        for uid in people:
            if uid not in subscribed:
                continue
            pref = prefs.get(uid)
            title, body = render(event, params, (pref.lang if pref else "zh"), tz)
            at = now
            if pref and not urgent:
                at = quiet_until(pref.quiet_start, pref.quiet_end, now, tz) or now
            rows.append(dict(base, target=f"push:{uid}", user=uid, title=title, body=body, link=link,
                             next_attempt_at=at))
    if not rows:
        return 0
    return Notification.insert_many(rows).on_conflict_ignore().as_rowcount().execute() or 0
