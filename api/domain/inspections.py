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
from dataclasses import dataclass
from datetime import timedelta

from peewee import IntegrityError, chunked

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


# --- thin ------------------------------------------------------------------------------------

class Refs:
    """Lookups a submission needs, remembered for the life of this object: one per request, or one
    shared by a bulk import (the demo history) so each checkpoint and version is loaded once."""

    def __init__(self, tasks=None):
        self._checkpoints, self._versions, self._photos = {}, {}, {}
        self.tasks = dict(tasks or {})

    def checkpoint(self, code=None, pk=None):
        key = ("code", code) if code else ("id", pk)
        if key not in self._checkpoints:
            cond = (Checkpoint.code == code) if code else (Checkpoint.id == pk)
            self._checkpoints[key] = Checkpoint.get_or_none(cond)
        return self._checkpoints[key]

    def version(self, key, number):
        if (key, number) not in self._versions:
            self._versions[(key, number)] = (
                ChecklistVersion.select(ChecklistVersion).join(Checklist)
                .where((Checklist.key == key) & (ChecklistVersion.version == number)).first())
        return self._versions[(key, number)]

    def task(self, pk):
        if pk not in self.tasks:
            self.tasks[pk] = Task.get_or_none(Task.id == pk)
        return self.tasks[pk]

    def visible(self, photo_ids, site_ids):
        wanted = {p for p in photo_ids if (p, tuple(site_ids)) not in self._photos}
        if wanted:
            seen = visible_photo_ids(wanted, site_ids)
            for p in wanted:
                self._photos[(p, tuple(site_ids))] = p in seen
        return {p for p in photo_ids if self._photos[(p, tuple(site_ids))]}


@dataclass
class Prepared:
    """A submission that passed every check, with what it refers to; ready to write."""

    user: object
    data: dict
    body_hash: str
    checkpoint: object
    version: object
    task: object
    failures: list
    received_at: object
    clock_suspect: bool


def _resolve(data, site_ids, refs):
    """Load what the submission refers to; field errors for what is not there or not the caller's."""
    errors = {}
    task = None
    if data.get("checkpoint_code"):
        field = "checkpoint_code"
        checkpoint = refs.checkpoint(code=data["checkpoint_code"])
    else:
        field = "checkpoint_id"
        checkpoint = refs.checkpoint(pk=data.get("checkpoint_id"))
    if checkpoint is None or checkpoint.site_id not in site_ids:
        errors[field] = ["No such checkpoint on your sites."]
        checkpoint = None
    elif data.get("checkpoint_id") is not None and data.get("checkpoint_code") and \
            data["checkpoint_id"] != checkpoint.id:
        errors["checkpoint_id"] = ["checkpoint_id and checkpoint_code name different checkpoints."]
    key = data["checklist_key"]
    if checkpoint is not None and key not in (checkpoint.checklist_keys or []):
        errors["checklist_key"] = [f"Checklist {key!r} does not apply to checkpoint {checkpoint.code}."]
    version = refs.version(key, data["checklist_version"])
    if version is None:
        if Checklist.get_or_none(Checklist.key == key) is None:
            errors.setdefault("checklist_key", []).append(f"No checklist {key!r}.")
        else:
            errors["checklist_version"] = [f"Checklist {key!r} has no version {data['checklist_version']}."]
    if data["finished_at"] < data["started_at"]:
        errors["finished_at"] = ["Finished before it started."]
    if data.get("task_id") is not None:
        task = refs.task(data["task_id"])
        if task is None or task.site_id not in site_ids:
            errors["task_id"] = ["No such task on your sites."]
        elif checkpoint is not None and (task.checkpoint_id != checkpoint.id or task.checklist_key != key):
            errors["task_id"] = ["The task is for another checkpoint or checklist."]
    return checkpoint, version, task, errors


def prepare_inspection(user, data, *, site_ids, now=None, clock_skew_minutes=10, refs=None):
    """Check a submission completely (nothing is written); raises Invalid with field paths such as
    ``results.3.photo_ids``, or Forbidden for roles that do not inspect."""
    if user.role not in INSPECTORS:
        raise Forbidden(f"Your role ({user.role}) does not submit inspections.")
    refs = refs or Refs()
    data = dict(data)
    data["id"] = str(data["id"]).lower()
    checkpoint, version, task, errors = _resolve(data, site_ids, refs)
    results = data["results"]
    all_photos = {p for res in results for p in (res.get("photo_ids") or [])}
    visible = refs.visible(all_photos, list(site_ids)) if all_photos else set()
    if version is not None:
        errors.update(check_results(version.body, results, visible))
    if errors:
        raise Invalid(errors)
    received_at = now or utcnow()
    return Prepared(user=user, data=data, body_hash=body_hash(data), checkpoint=checkpoint, version=version,
                    task=task, failures=findings_from_results(version.body, results), received_at=received_at,
                    clock_suspect=is_clock_suspect(data["started_at"], data["finished_at"], received_at,
                                                   clock_skew_minutes))


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


def write_inspections(batch, audit_fn=None):
    """Write prepared inspections with their results, photo links, findings and tasks in a few
    statements (call inside write_tx). Returns the Inspection objects. A single phone submission
    is a batch of one; the demo history writes a day at a time."""
    if not batch:
        return []
    inspections = []
    for p in batch:
        d, loc = p.data, p.data.get("location") or {}
        inspections.append(Inspection(
            id=d["id"], site=p.checkpoint.site_id, zone=p.checkpoint.zone_id, checkpoint=p.checkpoint.id,
            checklist_version=p.version.id, checklist_key=d["checklist_key"], inspector=p.user.id,
            task=p.task.id if p.task else None, started_at=d["started_at"], finished_at=d["finished_at"],
            received_at=p.received_at, clock_suspect=p.clock_suspect, lat=loc.get("lat"), lon=loc.get("lon"),
            accuracy_m=loc.get("accuracy_m"), body_hash=p.body_hash, failed_count=len(p.failures),
            item_count=len(d["results"])))
    for rows in chunked([i.__data__ for i in inspections], 200):
        Inspection.insert_many(rows).execute()
    ids = [i.id for i in inspections]
    result_rows = [(p.data["id"], r["item_key"], r["status"], (r.get("note") or "").strip())
                   for p in batch for r in p.data["results"]]
    for rows in chunked(result_rows, 1000):  # well under SQLite's limit on bound parameters
        ItemResult.insert_many(rows, fields=[ItemResult.inspection, ItemResult.item_key, ItemResult.status,
                                             ItemResult.note]).execute()
    result_ids = {(r.inspection_id, r.item_key): r.id for r in
                  ItemResult.select(ItemResult.id, ItemResult.inspection, ItemResult.item_key)
                  .where(ItemResult.inspection.in_(ids))}
    photos = {(p.data["id"], r["item_key"]): sorted(set(r.get("photo_ids") or [])) for p in batch
              for r in p.data["results"]}
    photo_rows = [{"result": result_ids[k], "photo": pid} for k, pids in photos.items() for pid in pids]
    if photo_rows:
        for rows in chunked(photo_rows, 1000):
            ItemResultPhoto.insert_many(rows).execute()
        links = {(pid, p.checkpoint.site_id) for p in batch for r in p.data["results"]
                 for pid in (r.get("photo_ids") or [])}
        for site_id in {s for _, s in links}:
            link_photos([pid for pid, s in links if s == site_id], site_id)
    finding_rows = [
        {"site": p.checkpoint.site_id, "zone": p.checkpoint.zone_id, "checkpoint": p.checkpoint.id,
         "inspection": p.data["id"], "item_result": result_ids[(p.data["id"], f["item_key"])],
         "checklist_key": p.data["checklist_key"], "item_key": f["item_key"], "title": f["title"],
         "title_en": f["title_en"], "note": f["note"].strip(), "trade": f["trade"], "priority": f["priority"],
         "points": f["points"], "status": "open", "source": "inspection", "reported_by": p.user.id,
         "created_at": p.received_at,
         "extra": {"resolve_hours": f["resolve_hours"]} if f["resolve_hours"] else None}
        for p in batch for f in p.failures]
    findings = {}
    if finding_rows:
        for rows in chunked(finding_rows, 200):
            Finding.insert_many(rows).execute()
        for f in Finding.select().where(Finding.inspection.in_(ids)).order_by(Finding.id):
            findings.setdefault(f.inspection_id, []).append(f)
        attach_photos([(f.id, photos[(iid, f.item_key)]) for iid, fs in findings.items() for f in fs])
    for p, inspection in zip(batch, inspections):
        # what was loaded to check it and written: the answer needs no second look-up
        inspection.prepared = p
        inspection.written_findings = [(f, photos[(inspection.id, f.item_key)])
                                       for f in findings.get(inspection.id, [])]
        _complete_task(inspection)
        if audit_fn:
            audit_fn("inspection.submit", "inspection", inspection.id, p.checkpoint.site_id,
                     after={"checkpoint": p.checkpoint.code, "checklist": p.data["checklist_key"],
                            "version": p.version.version, "items": len(p.data["results"]),
                            "failed": len(p.failures), "findings": [f.id for f in findings.get(inspection.id, [])]})
    return inspections


def _replay(existing, user, h):
    if existing.inspector_id != user.id or existing.body_hash != h:
        raise Conflict("An inspection with this id was already stored with different content.")
    return existing, False


def submit_inspection(user, data, *, site_ids, now=None, clock_skew_minutes=10, audit_fn=None):
    """Store a submitted inspection once: ``(inspection, created)``.

    ``data`` is the validated body (times naive UTC). Raises Invalid (nothing is written) or
    Conflict when the id was already used for another body; the same body again is a replay.
    """
    if user.role not in INSPECTORS:
        raise Forbidden(f"Your role ({user.role}) does not submit inspections.")
    iid = str(data["id"]).lower()
    existing = Inspection.get_or_none(Inspection.id == iid)
    if existing is not None:
        return _replay(existing, user, body_hash(dict(data, id=iid)))
    prepared = prepare_inspection(user, data, site_ids=site_ids, now=now, clock_skew_minutes=clock_skew_minutes)
    try:
        with write_tx():
            (inspection,) = write_inspections([prepared], audit_fn=audit_fn)
    except IntegrityError:
        # two submissions of the same id raced: exactly one row won
        existing = Inspection.get_or_none(Inspection.id == iid)
        if existing is None:
            raise
        return _replay(existing, user, prepared.body_hash)
    return inspection, True


# --- reading ---------------------------------------------------------------------------------

def inspection_detail(inspection):
    """The inspection with its results (and their photo ids) and findings, as plain values."""
    prepared = getattr(inspection, "prepared", None)
    if prepared is not None:  # just written: the same values a later read gives, without reading
        return {
            "inspection": inspection, "checkpoint": prepared.checkpoint, "inspector": prepared.user,
            "checklist_version": prepared.version.version,
            "results": [{"item_key": r["item_key"], "status": r["status"], "note": (r.get("note") or "").strip(),
                         "photo_ids": sorted(set(r.get("photo_ids") or []))} for r in prepared.data["results"]],
            "findings": [{"finding": f, "photo_ids": pids} for f, pids in inspection.written_findings],
        }
    results = list(ItemResult.select().where(ItemResult.inspection == inspection.id).order_by(ItemResult.id))
    photos = {r.id: [] for r in results}
    if results:
        for link in (ItemResultPhoto.select(ItemResultPhoto.result, ItemResultPhoto.photo)
                     .where(ItemResultPhoto.result.in_(list(photos))).order_by(ItemResultPhoto.id)):
            photos[link.result_id].append(link.photo_id)
    findings = list(Finding.select().where(Finding.inspection == inspection.id).order_by(Finding.id))
    fphotos = photo_ids_by_finding([f.id for f in findings])
    return {
        "inspection": inspection,
        "checkpoint": Checkpoint.get_by_id(inspection.checkpoint_id),
        "inspector": User.get_by_id(inspection.inspector_id),
        "checklist_version": ChecklistVersion.get_by_id(inspection.checklist_version_id).version,
        "results": [{"item_key": r.item_key, "status": r.status, "note": r.note, "photo_ids": photos[r.id]}
                    for r in results],
        "findings": [{"finding": f, "photo_ids": fphotos[f.id]} for f in findings],
    }
