"""Findings: what a failed checklist item (or an ad-hoc report) says is wrong, where, for whom.

A failed item opens one finding with its title, trade, priority and points taken from the
checklist item; an ad-hoc report is something seen on no checklist. Work orders move a
finding to in_work and resolved; a supervisor may dismiss an open one with a reason.
"""
import hashlib
import json

from peewee import IntegrityError

from api.db import write_tx
from api.domain.errors import Conflict, Invalid, NotFound
from api.models import (Checkpoint, Finding, FindingPhoto, PRIORITIES, TRADES, Zone, utcnow)
from api.domain.permissions import require
from api.domain.photos import link_photos, visible_photo_ids
from api.domain.voice import check_voice_ref
from api.notify import events as notify_events
from api.sql import chunks, insert

from api.domain import vocabulary as vocab

FINDING_STATUSES = vocab.FINDING_STATUSES
SOURCES = ("inspection", "adhoc")
# who moves a finding where: work orders take it in_work and resolve it; supervisors dismiss
TRANSITIONS = {k: set(v) for k, v in vocab.FINDING_TRANSITIONS.items()}
ADHOC_TITLE_LEN = 60


def item_trade(version_body, item):
    return item.get("trade") or version_body.get("trade") or "security"


def findings_from_results(version_body, results):
    """One finding per failed item: ``[{item_key, title, title_en, trade, priority, points, note}]``.

    Pure: ``results`` are ``{item_key, status, note}`` mappings already checked against the version.
    """
    items = {it["key"]: it for it in version_body.get("items", [])}
    rows = []
    for res in results:
        if res["status"] != "fail":
            continue
        item = items[res["item_key"]]
        rows.append({
            "item_key": res["item_key"],
            "title": (item.get("text") or res["item_key"])[:255],
            "title_en": (item.get("text_en") or "")[:255],
            "trade": item_trade(version_body, item),
            "priority": item.get("priority") if item.get("priority") in PRIORITIES else "normal",
            "points": int(item.get("points") or 0),
            "note": res.get("note") or "",
            "resolve_hours": item.get("resolve_hours"),
            "voice_note_id": res.get("voice_note_id"),
        })
    return rows


def check_transition(current, new):
    """Raise Conflict unless a finding may go from ``current`` to ``new``."""
    if new not in FINDING_STATUSES:
        raise Invalid({"status": [f"Unknown finding status {new!r}."]})
    if new != current and new not in TRANSITIONS.get(current, set()):
        raise Conflict(f"A {current} finding cannot become {new}.")


def photo_ids_by_finding(finding_ids):
    out = {fid: [] for fid in finding_ids}
    if finding_ids:
        for link in (FindingPhoto.select(FindingPhoto.finding, FindingPhoto.photo)
                     .where(FindingPhoto.finding.in_(list(finding_ids))).order_by(FindingPhoto.id)):
            out[link.finding_id].append(link.photo_id)
    return out


def attach_photos(findings_with_photos):
    """Write FindingPhoto rows for ``[(finding_id, [photo ids])]``."""
    rows = [(fid, pid) for fid, pids in findings_with_photos for pid in pids]
    for part in chunks(rows, 2):  # pre-written SQL: every inspection with failed items comes here
        insert(FindingPhoto, (FindingPhoto.finding, FindingPhoto.photo), part, ignore_conflicts=True)


# --- ad-hoc reports -----------------------------------------------------------------------------

def _adhoc_hash(data):
    canon = {k: v for k, v in data.items() if k != "client_id"}
    # fields added later hash as before when unused, so a retry across an upgrade still replays
    if not canon.get("location"):
        canon.pop("location", None)
    if not canon.get("emergency"):
        canon.pop("emergency", None)
    if not canon.get("voice_note_id"):
        canon.pop("voice_note_id", None)
    canon["photo_ids"] = sorted(set(canon.get("photo_ids") or []))
    return hashlib.sha256(json.dumps(canon, sort_keys=True, separators=(",", ":"), default=str,
                                     ensure_ascii=False).encode()).hexdigest()


def adhoc_title(data):
    if data.get("title"):
        return data["title"].strip()[:255]
    text = (data.get("note") or "").strip().splitlines()
    first = text[0].strip() if text else ""
    title = first[:ADHOC_TITLE_LEN] + ("…" if len(first) > ADHOC_TITLE_LEN else "")
    place = (data.get("place") or "").strip()
    return (f"{place}：{title}" if place else title)[:255] or "现场问题"


def _adhoc_replay(existing, user, h):
    if existing.reported_by_id != user.id or (existing.extra or {}).get("body_hash") != h:
        raise Conflict("This client_id was already used for a different report.")
    return existing, False


def report_adhoc(user, data, *, site_ids, now=None, audit_fn=None):
    """Record something wrong that is on no checklist; ``(finding, created)``.

    ``data``: client_id, checkpoint_code | (site_id + zone_id), place, note, title?, trade,
    priority, photo_ids. The same client_id and body again returns the stored finding.
    """
    h = _adhoc_hash(data)
    existing = Finding.get_or_none(Finding.client_id == data["client_id"])
    if existing is not None:
        return _adhoc_replay(existing, user, h)

    errors = {}
    checkpoint = zone = None
    site_id = data.get("site_id")
    if data.get("checkpoint_code"):
        checkpoint = Checkpoint.get_or_none(Checkpoint.code == data["checkpoint_code"])
        if checkpoint is None or checkpoint.site_id not in site_ids:
            errors["checkpoint_code"] = ["No such checkpoint on your sites."]
        else:
            if site_id is not None and site_id != checkpoint.site_id:
                errors["site_id"] = ["The checkpoint is on another site."]
            site_id = checkpoint.site_id
            zone = Zone.get_by_id(checkpoint.zone_id)
            if data.get("zone_id") is not None and data["zone_id"] != zone.id:
                errors["zone_id"] = ["The checkpoint is in another zone."]
    elif site_id is None:
        errors["site_id"] = ["Give a site_id and zone_id, or a checkpoint_code."]
    elif site_id not in site_ids:
        errors["site_id"] = ["No such site among yours."]
    if not errors and zone is None:
        if data.get("zone_id") is None:
            errors["zone_id"] = ["Say which zone (片区) the problem is in."]
        else:
            zone = Zone.get_or_none((Zone.id == data["zone_id"]) & (Zone.site == site_id))
            if zone is None:
                errors["zone_id"] = ["No such zone on this site."]
    photo_ids = sorted(set(data.get("photo_ids") or []))
    if photo_ids:
        unknown = [p for p in photo_ids if p not in visible_photo_ids(photo_ids, site_ids)]
        if unknown:
            errors["photo_ids"] = [f"Upload these photos first: {', '.join(unknown)}."]
    if data.get("voice_note_id") and site_id is not None:
        errors.update(check_voice_ref(data["voice_note_id"], [site_id]))
    if data.get("trade") not in TRADES:
        errors["trade"] = [f"Must be one of: {', '.join(TRADES)}."]
    if errors:
        raise Invalid(errors)

    now = now or utcnow()
    extra = {"place": (data.get("place") or "").strip(), "body_hash": h}
    if data.get("location"):
        extra["location"] = {k: v for k, v in data["location"].items() if v is not None}
    if data.get("emergency"):  # 一键报警
        extra["emergency"] = True
    if data.get("voice_note_id"):
        extra["voice_note_id"] = data["voice_note_id"]
    try:
        with write_tx():
            finding = Finding.create(
                site=site_id, zone=zone, checkpoint=checkpoint, title=adhoc_title(data),
                note=(data.get("note") or "").strip(), trade=data["trade"],
                priority="emergency" if data.get("emergency") else (data.get("priority") or "normal"),
                points=0, status="open", source="adhoc",
                reported_by=user, created_at=now, client_id=data["client_id"], extra=extra)
            attach_photos([(finding.id, photo_ids)])
            link_photos(photo_ids, site_id)
            notify_events.emergency_finding(finding, user.name, now)
            if audit_fn:
                audit_fn("finding.report", "finding", finding.id, site_id,
                         after={"source": "adhoc", "title": finding.title, "trade": finding.trade,
                                "priority": finding.priority, "photo_ids": photo_ids,
                                "emergency": bool(data.get("emergency")),
                                "voice_note_id": data.get("voice_note_id")})
    except IntegrityError:
        existing = Finding.get_or_none(Finding.client_id == data["client_id"])
        if existing is None:
            raise
        return _adhoc_replay(existing, user, h)
    return finding, True


def dismiss_finding(finding, user, reason, *, now=None, audit_fn=None):
    """A supervisor closes an open finding as not a real problem, saying why (audited)."""
    require(user, "finding.dismiss", finding)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": ["Say why the finding is dismissed."]})
    with write_tx():
        current = Finding.get_by_id(finding.id)
        if current.status == "dismissed":
            return current  # a retried dismissal changes nothing
        check_transition(current.status, "dismissed")
        before = {"status": current.status}
        extra = dict(current.extra or {})
        extra["dismissed"] = {"reason": reason, "by": user.id, "at": (now or utcnow()).isoformat()}
        n = (Finding.update(status="dismissed", extra=extra)
             .where((Finding.id == current.id) & (Finding.status == current.status)).execute())
        if n != 1:
            raise Conflict("The finding changed meanwhile; reload it and try again.")
        if audit_fn:
            audit_fn("finding.dismiss", "finding", current.id, current.site_id, before=before,
                     after={"status": "dismissed", "reason": reason})
    return Finding.get_by_id(finding.id)


def get_finding(finding_id, site_ids):
    """A finding on one of these sites, else NotFound (other sites' look the same as none)."""
    f = Finding.get_or_none(Finding.id == finding_id)
    if f is None or f.site_id not in site_ids:
        raise NotFound("No such finding.")
    return f
