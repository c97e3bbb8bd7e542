"""Inspections: one checkpoint walked with one checklist version, stored whole or not at all.

The pure part (``inspection_rules``: ``canonical_body``, ``check_results``) decides from values
alone; here ``submit_inspection`` loads the checkpoint, checklist version and photos, then writes the
inspection, its results, photo links, the findings of failed items and the task it completes in
one transaction. A phone retries with the same client UUID: the same body gets the stored
inspection back, a different body is a conflict.
"""
from dataclasses import dataclass, field

from peewee import IntegrityError

from api.db import write_tx
from api.domain.checklist_versions import find_version, load_body
from api.domain.inspection_rules import body_hash, check_results, is_clock_suspect
from api.domain.permissions import require
from api.domain.findings import attach_photos, findings_from_results, photo_ids_by_finding
from api.domain.photos import link_photos, photo_sites
from api.domain.presence import Presence, check_presence, checkpoint_position, rule_for, tag_ids_of
from api.domain.schedules import complete_task_for
from api.domain.voice import result_voice_errors
from api.notify import events as notify_events
from api.domain.errors import Conflict, Forbidden, Invalid, NotFound
from api.models import (Checklist, ChecklistVersion, Checkpoint, Finding, Inspection, ItemResult,
                        ItemResultPhoto, Task, User, utcnow)
from api.sql import chunks, execute, get_where, insert, slot, values_of

STATUSES = ("pass", "fail", "na")


# --- thin ------------------------------------------------------------------------------------

class Refs:
    """Lookups a submission needs, remembered for the life of this object: one per request, or one
    shared by a bulk import (the demo history) so each checkpoint and version is loaded once.

    Each is one indexed query with pre-written SQL (they run on every phone submission); a
    version's body is parsed once per process (versions never change once stored)."""

    def __init__(self, tasks=None):
        self._checkpoints, self._versions, self._photos = {}, {}, {}
        self.tasks = dict(tasks or {})

    def checkpoint(self, code=None, pk=None):
        key = ("code", code) if code else ("id", pk)
        if key not in self._checkpoints:
            self._checkpoints[key] = (get_where(Checkpoint, Checkpoint.code, code) if code
                                      else get_where(Checkpoint, Checkpoint.id, pk))
        return self._checkpoints[key]

    def version(self, key, number):
        if (key, number) not in self._versions:
            try:
                vid, number_, digest = find_version(key, number)
            except NotFound:
                found = None
            else:
                found = ChecklistVersion(id=vid, version=number_, content_hash=digest, body=load_body(vid, digest))
            self._versions[(key, number)] = found
        return self._versions[(key, number)]

    def task(self, pk):
        if pk not in self.tasks:
            self.tasks[pk] = get_where(Task, Task.id, pk)
        return self.tasks[pk]

    def photo_sites(self, photo_ids, site_ids):
        """{photo id: the ones of ``site_ids`` that see it} for the visible ones of ``photo_ids``."""
        sites = tuple(site_ids)
        wanted = {p for p in photo_ids if (p, sites) not in self._photos}
        if wanted:
            seen = photo_sites(wanted, sites)
            for p in wanted:
                self._photos[(p, sites)] = seen.get(p, set())
        return {p: self._photos[(p, sites)] for p in photo_ids if self._photos[(p, sites)]}


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
    # photo id -> the caller's sites that already see it (a link to the checkpoint's site is made
    # only where missing)
    photo_sites: dict = field(default_factory=dict)
    presence: Presence = field(default_factory=Presence)


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


def _presence_policy():
    from api.domain.policy import current_policy

    return current_policy().get("presence")


def prepare_inspection(user, data, *, site_ids, now=None, clock_skew_minutes=10, refs=None,
                       presence_policy=None):
    """Check a submission completely (nothing is written); raises Invalid with field paths such as
    ``results.3.photo_ids``, or Forbidden for roles that do not inspect. The proof of presence is
    checked against the policy's presence rule for the checkpoint (``presence_policy``: the
    policy's ``presence`` section, default the policy in force)."""
    require(user, "inspection.submit")
    refs = refs or Refs()
    data = dict(data)
    data["id"] = str(data["id"]).lower()
    checkpoint, version, task, errors = _resolve(data, site_ids, refs)
    results = data["results"]
    all_photos = {p for res in results for p in (res.get("photo_ids") or [])}
    seen = refs.photo_sites(all_photos, list(site_ids)) if all_photos else {}
    if version is not None:
        errors.update(check_results(version.body, results, set(seen)))
    errors.update(result_voice_errors(results, site_ids))
    presence = Presence()
    if checkpoint is not None:
        rule = rule_for(presence_policy if presence_policy is not None else _presence_policy(),
                        checkpoint.kind, checkpoint.code)
        presence, presence_errors = check_presence(
            rule, data.get("presence"), data.get("location"), checkpoint_position(checkpoint),
            tag_ids_of(getattr(checkpoint, "nfc_tag_id", None)))
        errors.update(presence_errors)
    if errors:
        raise Invalid(errors)
    received_at = now or utcnow()
    return Prepared(user=user, data=data, body_hash=body_hash(data), checkpoint=checkpoint, version=version,
                    task=task, failures=findings_from_results(version.body, results), received_at=received_at,
                    clock_suspect=is_clock_suspect(data["started_at"], data["finished_at"], received_at,
                                                   clock_skew_minutes),
                    photo_sites=seen, presence=presence)


_INSPECTION_FIELDS = tuple(Inspection._meta.sorted_fields)
_RESULT_FIELDS = (ItemResult.inspection, ItemResult.item_key, ItemResult.status, ItemResult.note)
_FINDING_FIELDS = (Finding.site, Finding.zone, Finding.checkpoint, Finding.inspection, Finding.item_result,
                   Finding.checklist_key, Finding.item_key, Finding.title, Finding.title_en, Finding.note,
                   Finding.trade, Finding.priority, Finding.points, Finding.status, Finding.source,
                   Finding.reported_by, Finding.created_at, Finding.extra)


def _complete_task(inspection):
    """The task this inspection fulfils becomes done: the one the phone named, or else the
    matching due task found by the schedules."""
    if not inspection.task_id:
        complete_task_for(inspection)
        return
    at = inspection.received_at if inspection.clock_suspect else inspection.finished_at
    execute(("inspection_named_task",), lambda: Task.update(
        status="done", inspection_id=slot("inspection", Task.inspection_id), done_at=slot("at", Task.done_at))
        .where((Task.id == slot("task", Task.id)) & (Task.status != "done")),
        {"inspection": inspection.id, "at": at, "task": inspection.task_id})


def write_inspections(batch, audit_fn=None):
    """Write prepared inspections with their results, photo links, findings and tasks in a few
    statements (call inside write_tx). Returns the Inspection objects, each carrying what the
    answer needs (``prepared``, ``written_findings``) so it is built without reading back. A single
    phone submission is a batch of one; the demo history writes a day at a time."""
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
            item_count=len(d["results"]), presence_method=p.presence.method,
            presence_accuracy_m=p.presence.accuracy_m, presence_distance_m=p.presence.distance_m,
            presence_reason=p.presence.reason, presence_flag=p.presence.flag))
    rows = [values_of(i, _INSPECTION_FIELDS) for i in inspections]
    for part in chunks(rows, len(_INSPECTION_FIELDS)):
        insert(Inspection, _INSPECTION_FIELDS, part)
    # the results' ids come back from the insert itself (RETURNING; in no promised order, so by key)
    result_rows = [(p.data["id"], r["item_key"], r["status"], (r.get("note") or "").strip())
                   for p in batch for r in p.data["results"]]
    result_ids = {}
    for part in chunks(result_rows, len(_RESULT_FIELDS)):
        for rid, iid, key in insert(ItemResult, _RESULT_FIELDS, part,
                                    returning=(ItemResult.id, ItemResult.inspection, ItemResult.item_key)):
            result_ids[(iid, key)] = rid
    photos = {(p.data["id"], r["item_key"]): sorted(set(r.get("photo_ids") or [])) for p in batch
              for r in p.data["results"]}
    photo_rows = [(result_ids[k], pid) for k, pids in photos.items() for pid in pids]
    for part in chunks(photo_rows, 2):
        insert(ItemResultPhoto, (ItemResultPhoto.result, ItemResultPhoto.photo), part)
    # evidence becomes visible to the checkpoint's site; most photos were uploaded there already
    links = {(pid, p.checkpoint.site_id) for p in batch for r in p.data["results"]
             for pid in (r.get("photo_ids") or []) if p.checkpoint.site_id not in p.photo_sites.get(pid, ())}
    for site_id in sorted({s for _, s in links}):
        link_photos([pid for pid, s in links if s == site_id], site_id)
    findings = {}
    for p in batch:
        for f in p.failures:
            findings.setdefault(p.data["id"], []).append(Finding(
                site=p.checkpoint.site_id, zone=p.checkpoint.zone_id, checkpoint=p.checkpoint.id,
                inspection=p.data["id"], item_result=result_ids[(p.data["id"], f["item_key"])],
                checklist_key=p.data["checklist_key"], item_key=f["item_key"], title=f["title"],
                title_en=f["title_en"], note=f["note"].strip(), trade=f["trade"], priority=f["priority"],
                points=f["points"], status="open", source="inspection", reported_by=p.user.id,
                created_at=p.received_at,
                extra={k: f[k] for k in ("resolve_hours", "voice_note_id") if f.get(k)} or None))
    by_key = {(f.inspection_id, f.item_key): f for fs in findings.values() for f in fs}
    finding_rows = [values_of(f, _FINDING_FIELDS) for f in by_key.values()]
    for part in chunks(finding_rows, len(_FINDING_FIELDS)):
        for fid, iid, key in insert(Finding, _FINDING_FIELDS, part,
                                    returning=(Finding.id, Finding.inspection, Finding.item_key)):
            by_key[(iid, key)].id = fid
    for fs in findings.values():
        fs.sort(key=lambda f: f.id)  # as a read gives them back
    attach_photos([(f.id, photos[(iid, f.item_key)]) for iid, fs in findings.items() for f in fs])
    for p, inspection in zip(batch, inspections):
        # what was loaded to check it and written: the answer needs no second look-up
        inspection.prepared = p
        inspection.written_findings = [(f, photos[(inspection.id, f.item_key)])
                                       for f in findings.get(inspection.id, [])]
        _complete_task(inspection)
        notify_events.emergency_findings(findings.get(inspection.id, []), p.user.name)
        if audit_fn:
            audit_fn("inspection.submit", "inspection", inspection.id, p.checkpoint.site_id,
                     after={"checkpoint": p.checkpoint.code, "checklist": p.data["checklist_key"],
                            "version": p.version.version, "items": len(p.data["results"]),
                            "failed": len(p.failures), "findings": [f.id for f in findings.get(inspection.id, [])],
                            "presence": p.presence.method, "presence_flag": p.presence.flag})
    return inspections


def _replay(existing, user, h):
    if existing.inspector_id != user.id or existing.body_hash != h:
        raise Conflict("An inspection with this id was already stored with different content.")
    return existing, False


def _stored(iid):
    return get_where(Inspection, Inspection.id, iid)


def submit_inspection(user, data, *, site_ids, now=None, clock_skew_minutes=10, audit_fn=None):
    """Store a submitted inspection once: ``(inspection, created)``.

    ``data`` is the validated body (times naive UTC). Raises Invalid (nothing is written) or
    Conflict when the id was already used for another body; the same body again is a replay.

    A new id is the common case, so the stored one is looked up only when the submission does
    not pass (a retry is answered from what was stored, even if the same body would be refused
    today) or when its insert meets the id already there (a retry, or two copies racing).
    """
    require(user, "inspection.submit")
    iid = str(data["id"]).lower()
    try:
        prepared = prepare_inspection(user, data, site_ids=site_ids, now=now,
                                      clock_skew_minutes=clock_skew_minutes)
    except Invalid:
        existing = _stored(iid)
        if existing is None:
            raise
        return _replay(existing, user, body_hash(dict(data, id=iid)))
    try:
        with write_tx():
            (inspection,) = write_inspections([prepared], audit_fn=audit_fn)
    except IntegrityError:
        existing = _stored(iid)
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
