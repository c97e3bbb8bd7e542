"""Inspections, pure: the canonical form and hash of a submission (a retry hashes the same), its
results checked against a checklist version, and whether the phone's clock can be trusted. Values
in, values out; ``api.domain.inspections`` loads and writes."""
import hashlib
import json
from datetime import timedelta


def canonical_body(data):
    """The validated body in one canonical form: the same submission always hashes the same,
    whatever the key order, time-zone spelling or photo order the phone used."""
    body = {k: v for k, v in data.items() if v is not None}
    body["id"] = str(body["id"]).lower()
    for key in ("started_at", "finished_at"):
        if key in body:
            body[key] = body[key].isoformat()
    if body.get("location"):
        body["location"] = {k: v for k, v in sorted(body["location"].items()) if v is not None}
    results = []
    for res in body.get("results", []):
        results.append({"item_key": res["item_key"], "status": res["status"], "note": res.get("note") or "",
                        "photo_ids": sorted(set(res.get("photo_ids") or []))})
    body["results"] = sorted(results, key=lambda r: (r["item_key"], r["status"], r["note"], r["photo_ids"]))
    return body


def body_hash(data):
    raw = json.dumps(canonical_body(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                     default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def check_results(version_body, results, visible_photos):
    """Field errors (path -> messages) for results against a checklist version; empty when valid.

    Every item of the version answered exactly once; no unknown items; a failed item whose item
    requires a photo has one; every photo was uploaded and is visible to the caller.
    """
    errors = {}
    items = {it["key"]: it for it in version_body.get("items", [])}
    seen = set()
    for i, res in enumerate(results):
        key = res["item_key"]
        item = items.get(key)
        if item is None:
            errors.setdefault(f"results.{i}.item_key", []).append(
                f"{key!r} is not an item of this checklist version.")
        elif key in seen:
            errors.setdefault(f"results.{i}.item_key", []).append(f"{key!r} is answered twice.")
        seen.add(key)
        photos = res.get("photo_ids") or []
        if item is not None and res["status"] == "fail" and item.get("photo_required_on_fail") and not photos:
            errors.setdefault(f"results.{i}.photo_ids", []).append(
                f"A failed {item.get('text_en') or key!r} needs a photo ({item.get('text', key)} 须拍照).")
        unknown = [p for p in photos if p not in visible_photos]
        if unknown:
            errors.setdefault(f"results.{i}.photo_ids", []).append(
                f"Upload these photos first: {', '.join(unknown)}.")
    missing = [k for k in items if k not in seen]
    if missing:
        errors.setdefault("results", []).append(f"Items not answered: {', '.join(missing)}.")
    return errors


def is_clock_suspect(started_at, finished_at, received_at, skew_minutes):
    """A device time further ahead of the server than the allowed skew is not trusted."""
    limit = received_at + timedelta(minutes=skew_minutes)
    return started_at > limit or finished_at > limit
