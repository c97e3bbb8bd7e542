"""Inspections: one checkpoint walked with one checklist version, stored whole or not at all.

The pure part (``canonical_body``, ``check_results``) decides from values alone; the thin part
(``submit_inspection``) loads the checkpoint, checklist version and photos, then writes the
inspection, its results, photo links, the findings of failed items and the task it completes in
one transaction. A phone retries with the same client UUID: the same body gets the stored
inspection back, a different body is a conflict.
"""
import hashlib
import importlib
import importlib.util
import json
from datetime import timedelta

from peewee import IntegrityError

from api.db import write_tx
from api.domain.findings import attach_photos, findings_from_results, photo_ids_by_finding
from api.domain.photos import link_photos, visible_photo_ids
from api.errors import Conflict, Forbidden, Invalid
from api.models import (Checklist, ChecklistVersion, Checkpoint, Finding, Inspection, ItemResult,
                        ItemResultPhoto, Task, User, utcnow)

INSPECTORS = ("guard", "cleaner", "technician", "supervisor", "manager", "admin")
STATUSES = ("pass", "fail", "na")


# --- pure ------------------------------------------------------------------------------------

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
    body["results"] = sorted(results, key=lambda r: (r["item_key"], r["status"], r["note"]))
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


# --- thin ------------------------------------------------------------------------------------

def _complete_task(inspection):
    """The task this inspection fulfils becomes done: the one the phone named, or else the
    matching due task found by team A's schedules (when that module is installed)."""
    if inspection.task_id:
        at = inspection.received_at if inspection.clock_suspect else inspection.finished_at
        (Task.update(status="done", inspection_id=inspection.id, done_at=at)
         .where((Task.id == inspection.task_id) & (Task.status != "done")).execute())
        return
    if importlib.util.find_spec("api.domain.schedules") is not None:
        complete = getattr(importlib.import_module("api.domain.schedules"), "complete_task_for", None)
        if complete is not None:
            complete(inspection)


def _replay(existing, user, h):
    if existing.inspector_id != user.id or existing.body_hash != h:
        raise Conflict("An inspection with this id was already stored with different content.")
    return existing, False


def _resolve(user, data, site_ids):
    """Load what the submission refers to; field errors for what is not there or not the caller's."""
    errors = {}
    checkpoint = version = task = None
    if data.get("checkpoint_code"):
        field = "checkpoint_code"
        checkpoint = Checkpoint.get_or_none(Checkpoint.code == data["checkpoint_code"])
    else:
        field = "checkpoint_id"
        checkpoint = Checkpoint.get_or_none(Checkpoint.id == data.get("checkpoint_id"))
    if checkpoint is None or checkpoint.site_id not in site_ids:
        errors[field] = ["No such checkpoint on your sites."]
        checkpoint = None
    elif data.get("checkpoint_id") is not None and data.get("checkpoint_code") and \
            data["checkpoint_id"] != checkpoint.id:
        errors["checkpoint_id"] = ["checkpoint_id and checkpoint_code name different checkpoints."]
    key = data["checklist_key"]
    if checkpoint is not None and key not in (checkpoint.checklist_keys or []):
        errors["checklist_key"] = [f"Checklist {key!r} does not apply to checkpoint {checkpoint.code}."]
    version = (ChecklistVersion.select(ChecklistVersion).join(Checklist)
               .where((Checklist.key == key) & (ChecklistVersion.version == data["checklist_version"]))
               .first())
    if version is None:
        if Checklist.get_or_none(Checklist.key == key) is None:
            errors.setdefault("checklist_key", []).append(f"No checklist {key!r}.")
        else:
            errors["checklist_version"] = [f"Checklist {key!r} has no version {data['checklist_version']}."]
    if data["finished_at"] < data["started_at"]:
        errors["finished_at"] = ["Finished before it started."]
    if data.get("task_id") is not None:
        task = Task.get_or_none(Task.id == data["task_id"])
        if task is None or task.site_id not in site_ids:
            errors["task_id"] = ["No such task on your sites."]
        elif checkpoint is not None and (task.checkpoint_id != checkpoint.id or task.checklist_key != key):
            errors["task_id"] = ["The task is for another checkpoint or checklist."]
    return checkpoint, version, task, errors


def submit_inspection(user, data, *, site_ids, now=None, clock_skew_minutes=10, audit_fn=None):
    """Store a submitted inspection once: ``(inspection, created)``.

    ``data`` is the validated body (times naive UTC). Raises Invalid with field paths such as
    ``results.3.photo_ids`` and nothing is written; Conflict when the id was used for another body.
    """
    if user.role not in INSPECTORS:
        raise Forbidden(f"Your role ({user.role}) does not submit inspections.")
    data = dict(data)
    data["id"] = str(data["id"]).lower()
    h = body_hash(data)
    existing = Inspection.get_or_none(Inspection.id == data["id"])
    if existing is not None:
        return _replay(existing, user, h)

    checkpoint, version, task, errors = _resolve(user, data, site_ids)
    results = data["results"]
    all_photos = {p for res in results for p in (res.get("photo_ids") or [])}
    visible = visible_photo_ids(all_photos, site_ids) if all_photos else set()
    if version is not None:
        errors.update(check_results(version.body, results, visible))
    if errors:
        raise Invalid(errors)

    received_at = now or utcnow()
    failures = findings_from_results(version.body, results)
    location = data.get("location") or {}
    try:
        with write_tx():
            inspection = Inspection.create(
                id=data["id"], site=checkpoint.site_id, zone=checkpoint.zone_id, checkpoint=checkpoint.id,
                checklist_version=version.id, checklist_key=data["checklist_key"], inspector=user.id,
                task=task.id if task else None, started_at=data["started_at"], finished_at=data["finished_at"],
                received_at=received_at,
                clock_suspect=is_clock_suspect(data["started_at"], data["finished_at"], received_at,
                                               clock_skew_minutes),
                lat=location.get("lat"), lon=location.get("lon"), accuracy_m=location.get("accuracy_m"),
                body_hash=h, failed_count=len(failures), item_count=len(results))
            ItemResult.insert_many([
                {"inspection": inspection.id, "item_key": r["item_key"], "status": r["status"],
                 "note": (r.get("note") or "").strip()} for r in results]).execute()
            result_ids = {r.item_key: r.id for r in ItemResult.select(ItemResult.id, ItemResult.item_key)
                          .where(ItemResult.inspection == inspection.id)}
            photos_by_item = {r["item_key"]: sorted(set(r.get("photo_ids") or [])) for r in results}
            photo_rows = [{"result": result_ids[k], "photo": p} for k, ps in photos_by_item.items() for p in ps]
            if photo_rows:
                ItemResultPhoto.insert_many(photo_rows).execute()
                link_photos(all_photos, checkpoint.site_id)
            findings = []
            for row in failures:
                finding = Finding.create(
                    site=checkpoint.site_id, zone=checkpoint.zone_id, checkpoint=checkpoint.id,
                    inspection=inspection.id, item_result=result_ids[row["item_key"]],
                    checklist_key=data["checklist_key"], item_key=row["item_key"], title=row["title"],
                    title_en=row["title_en"], note=row["note"], trade=row["trade"], priority=row["priority"],
                    points=row["points"], status="open", source="inspection", reported_by=user.id,
                    created_at=received_at,
                    extra={"resolve_hours": row["resolve_hours"]} if row["resolve_hours"] else None)
                findings.append(finding)
            attach_photos([(f.id, photos_by_item[f.item_key]) for f in findings])
            _complete_task(inspection)
            if audit_fn:
                audit_fn("inspection.submit", "inspection", inspection.id, checkpoint.site_id,
                         after={"checkpoint": checkpoint.code, "checklist": data["checklist_key"],
                                "version": version.version, "items": len(results), "failed": len(failures),
                                "findings": [f.id for f in findings]})
    except IntegrityError:
        # two submissions of the same id raced: exactly one row won
        existing = Inspection.get_or_none(Inspection.id == data["id"])
        if existing is None:
            raise
        return _replay(existing, user, h)
    return inspection, True


# --- reading ---------------------------------------------------------------------------------

def inspection_detail(inspection):
    """The inspection with its results (and their photo ids) and findings, as plain values."""
    results = list(ItemResult.select().where(ItemResult.inspection == inspection.id).order_by(ItemResult.id))
    photos = {r.id: [] for r in results}
    if results:
        for link in (ItemResultPhoto.select(ItemResultPhoto.result, ItemResultPhoto.photo)
                     .where(ItemResultPhoto.result.in_(list(photos))).order_by(ItemResultPhoto.id)):
            photos[link.result_id].append(link.photo_id)
    findings = list(Finding.select().where(Finding.inspection == inspection.id).order_by(Finding.id))
    fphotos = photo_ids_by_finding([f.id for f in findings])
    checkpoint = Checkpoint.get_by_id(inspection.checkpoint_id)
    inspector = User.get_by_id(inspection.inspector_id)
    version = ChecklistVersion.get_by_id(inspection.checklist_version_id)
    return {
        "inspection": inspection,
        "checkpoint": checkpoint,
        "inspector": inspector,
        "checklist_version": version.version,
        "results": [{"item_key": r.item_key, "status": r.status, "note": r.note, "photo_ids": photos[r.id]}
                    for r in results],
        "findings": [{"finding": f, "photo_ids": fphotos[f.id]} for f in findings],
    }
