"""Notification channels of a site (group robots, webhooks, mail lists), push subscriptions and
quiet hours: checks on values and the thin part that stores them. Secrets are kept, never shown."""
import re
import uuid
from urllib.parse import urlsplit, urlunsplit

from api.domain.errors import Invalid, NotFound
from api.models import (CHANNEL_KINDS, Notification, NotificationChannel, NotifyPref, PushSubscription, Zone,
                        utcnow)
from api.notify import EVENTS

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")


def check_url(kind, url):
    """An http(s) address for robots and webhooks (any host the company gives, its own network
    included); ``mailto:a@x,b@y`` for email."""
    url = (url or "").strip()
    if kind == "email":
        addrs = [a.strip() for a in url.split(":", 1)[-1].split(",") if a.strip()] if url.startswith("mailto:") else []
        if not addrs or not all(_EMAIL.match(a) for a in addrs):
            raise Invalid({"url": "Email channels take mailto:addr1,addr2."})
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid({"url": "Give the robot's http(s) webhook address."})
    return url


def masked_url(url):
    """The address without its key: query values and long path tokens become ***."""
    if url.startswith("mailto:"):
        return url
    p = urlsplit(url)
    query = "&".join(f"{kv.split('=', 1)[0]}=***" for kv in p.query.split("&") if kv) if p.query else ""
    path = "/".join(seg if len(seg) < 16 else seg[:4] + "***" for seg in p.path.split("/"))
    return urlunsplit((p.scheme, p.netloc, path, query, ""))


def check_events(events):
    if events is None:
        return None
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise Invalid({"events": f"Unknown event(s): {', '.join(unknown)}; one of {', '.join(EVENTS)}."})
    return sorted(set(events))


def check_zones(site_id, zone_ids):
    if not zone_ids:
        return None
    found = {z.id for z in Zone.select(Zone.id).where(Zone.id.in_(zone_ids) & (Zone.site == site_id))}
    missing = [z for z in zone_ids if z not in found]
    if missing:
        raise Invalid({"zone_ids": f"No such zone at this site: {', '.join(map(str, missing))}."})
    return sorted(set(zone_ids))


def snapshot(ch):
    return {"kind": ch.kind, "name": ch.name, "url": masked_url(ch.url), "has_secret": bool(ch.secret),
            "events": ch.events, "zone_ids": ch.zone_ids, "active": ch.active}


def create_channel(site_id, data, by):
    if data["kind"] not in CHANNEL_KINDS:
        raise Invalid({"kind": f"One of {', '.join(CHANNEL_KINDS)}."})
    return NotificationChannel.create(
        site=site_id, kind=data["kind"], name=(data.get("name") or "").strip(), url=check_url(data["kind"], data["url"]),
        secret=data.get("secret") or None, events=check_events(data.get("events")),
        zone_ids=check_zones(site_id, data.get("zone_ids")), created_by=by, created_at=utcnow(), updated_at=utcnow())


def update_channel(ch, data):
    if "url" in data:
        ch.url = check_url(ch.kind, data["url"])
    if "secret" in data:  # "" or null removes it
        ch.secret = data["secret"] or None
    if "events" in data:
        ch.events = check_events(data["events"])
    if "zone_ids" in data:
        ch.zone_ids = check_zones(ch.site_id, data["zone_ids"])
    if "name" in data:
        ch.name = (data["name"] or "").strip()
    if "active" in data:
        ch.active = bool(data["active"])
    ch.updated_at = utcnow()
    ch.save()
    return ch


def queue_test(ch, by_name=""):
    """A test message for one channel, in the outbox; returns its row."""
    from api.notify.messages import render
    from api.notify import _site_tz

    site = ch.site
    params = {"site": site.name, "by": by_name}
    title, body = render("test", params, "zh", _site_tz(site))
    return Notification.create(event="test", key=f"test:{ch.id}:{uuid.uuid4().hex}", target=f"channel:{ch.id}",
                               site=site.id, channel=ch.id, urgent=True, title=title, body=body, data=params,
                               created_at=utcnow(), next_attempt_at=utcnow())


def subscribe(user, endpoint, p256dh, auth):
    """Store (or move to this user) a phone's push subscription; returns (row, created)."""
    if not (endpoint or "").startswith("https://") and not endpoint.startswith("http://"):
        raise Invalid({"endpoint": "The browser's push endpoint (an https address)."})
    row = PushSubscription.get_or_none(PushSubscription.endpoint == endpoint)
    if row is None:
        PushSubscription.insert(user=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth,
                                created_at=utcnow()).on_conflict_ignore().execute()
        return PushSubscription.get(PushSubscription.endpoint == endpoint), True
    PushSubscription.update(user=user.id, p256dh=p256dh, auth=auth).where(PushSubscription.id == row.id).execute()
    return PushSubscription.get_by_id(row.id), False


def prefs_of(user):
    return NotifyPref.get_or_none(NotifyPref.user == user.id) or NotifyPref(user=user.id, lang="zh")


def set_prefs(user, data):
    start, end = data.get("quiet_start"), data.get("quiet_end")
    errors = {}
    for k, v in (("quiet_start", start), ("quiet_end", end)):
        if v is not None and not _HHMM.match(v):
            errors[k] = "HH:MM, site time."
    if (start is None) != (end is None):
        errors["quiet_end"] = "Give both ends of the quiet hours (or neither)."
    if errors:
        raise Invalid(errors)
    NotifyPref.insert(user=user.id, quiet_start=start, quiet_end=end, lang=data.get("lang", "zh")) \
        .on_conflict(conflict_target=[NotifyPref.user],
                     update={NotifyPref.quiet_start: start, NotifyPref.quiet_end: end,
                             NotifyPref.lang: data.get("lang", "zh")}).execute()
    return prefs_of(user)


def get_channel(channel_id):
    ch = NotificationChannel.get_or_none(NotificationChannel.id == channel_id)
    if ch is None:
        raise NotFound("No such channel.")
    return ch
