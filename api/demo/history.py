"""Demo step: weeks of past rounds — inspections, photos of faults and the findings they opened.

Every inspection goes through ``submit_inspection`` (the same rules as a phone's), one per task the
schedules laid out for the past days (a few are left undone, so some rounds show as missed).
Most items pass; about 3% fail, more for lamps and drain covers, and the last night's lighting
round always finds something so the console has fresh findings. Ids are derived from the seed,
so a second run finds everything in place and adds nothing.
"""
import io
import os
import random
import uuid
from datetime import timedelta

from peewee import fn
from PIL import Image, ImageDraw, ImageFont

from api.db import write_tx
from api.domain.inspections import Refs, prepare_inspection, write_inspections
from api.domain.photos import ingest_photo
from api.models import (AuditLog, Checklist, ChecklistVersion, Checkpoint, Inspection, Site, Task, User, UserSite,
                        ZoneResponsible, utcnow)

NAMESPACE = uuid.UUID("6f1c2a52-7d0e-4b8e-9a43-3c5d2b1e0f77")
FAIL_RATE = {"road_lamps": 0.07, "night_lighting": 0.08, "drain_covers": 0.07}
BASE_FAIL_RATE = 0.03
SKIP_RATE = 0.04  # tasks nobody did: they stay missed
ROLE_TRADE = {"guard": "security", "cleaner": "cleaning", "technician": "engineering"}
PHOTO_SUBJECTS = [
    ("lamp", "路灯不亮", "Lamp out", (30, 30, 60)),
    ("lamp", "灯罩虫尸", "Insects in cover", (60, 60, 40)),
    ("drain", "井盖松动", "Loose cover", (70, 70, 70)),
    ("drain", "井盖破损", "Broken cover", (90, 80, 70)),
    ("floor", "地面积水", "Standing water", (80, 110, 140)),
    ("floor", "地面杂物", "Debris", (120, 110, 90)),
    ("wall", "墙面污渍", "Stains on wall", (180, 170, 150)),
    ("sign", "标识缺损", "Sign damaged", (160, 60, 40)),
]
_CJK_FONTS = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"]


def _font(size):
    for path in _CJK_FONTS:
        if os.path.exists(path):
            return ImageFont.truetype(path, size), True
    try:
        return ImageFont.load_default(size=size), False
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default(), False


def demo_photo_bytes(n, seed):
    """A small drawn JPEG of a fault (deterministic: the same n and seed give the same bytes)."""
    kind, zh, en, bg = PHOTO_SUBJECTS[n % len(PHOTO_SUBJECTS)]
    rnd = random.Random(f"{seed}:photo:{n}")
    img = Image.new("RGB", (640, 480), bg)
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rnd.randrange(0, 600), rnd.randrange(120, 440)
        shade = tuple(min(255, c + rnd.randrange(20, 80)) for c in bg)
        draw.rectangle((x, y, x + rnd.randrange(20, 120), y + rnd.randrange(10, 60)), fill=shade)
    if kind == "lamp":
        draw.line((320, 470, 320, 150), fill=(150, 150, 150), width=10)
        draw.ellipse((280, 110, 360, 170), fill=(60, 60, 60) if n % 2 == 0 else (200, 190, 120))
    elif kind == "drain":
        draw.ellipse((200, 220, 440, 400), fill=(50, 50, 50), outline=(20, 20, 20), width=6)
        draw.line((230, 260, 410, 360), fill=(15, 15, 15), width=4)
    font, cjk = _font(34)
    small, _ = _font(20)
    draw.rectangle((0, 0, 640, 100), fill=(0, 0, 0))
    draw.text((20, 12), f"{zh}  {en}" if cjk else en, fill=(255, 230, 0), font=font)
    draw.text((20, 62), f"patrol demo #{n:02d}", fill=(220, 220, 220), font=small)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70)
    return out.getvalue()


def _storage():
    from flask import current_app, has_app_context

    from api.config import Config
    from api.storage import make_storage

    if has_app_context() and "patrol_storage" in current_app.extensions:
        return current_app.extensions["patrol_storage"]
    return make_storage(Config().as_dict())


def _photos(seed, site_ids, uploader):
    storage = _storage()
    by_kind = {}
    for n in range(24):
        photo, _ = ingest_photo(demo_photo_bytes(n, seed), user=uploader, site_ids=site_ids, storage=storage)
        by_kind.setdefault(PHOTO_SUBJECTS[n % len(PHOTO_SUBJECTS)][0], []).append(photo.id)
    return by_kind


def _photo_kind(checklist_key):
    return {"road_lamps": "lamp", "night_lighting": "lamp", "drain_covers": "drain",
            "roads": "floor", "car_park": "floor", "zone_cleaning": "floor"}.get(checklist_key, "wall")


def _people():
    """(site, zone, role) -> the person who does that zone's rounds (片区责任制), else anyone of the role."""
    by_site_role = {}
    for us in UserSite.select(UserSite, User).join(User).where(User.active == True).order_by(User.id):  # noqa: E712
        by_site_role.setdefault((us.site_id, us.user.role), us.user)
    responsible = {(zr.zone_id, zr.trade): zr.user for zr in ZoneResponsible.select(ZoneResponsible, User).join(User)}
    return by_site_role, responsible


def _inspector(task, checkpoint, by_site_role, responsible, users_by_id):
    if task.assignee_id:
        return users_by_id.get(task.assignee_id) or User.get_by_id(task.assignee_id)
    person = responsible.get((checkpoint.zone_id, ROLE_TRADE.get(task.role, "security")))
    if person is not None and person.role == task.role:
        return person
    return by_site_role.get((checkpoint.site_id, task.role)) or by_site_role.get((checkpoint.site_id, "guard"))


def _versions():
    return {c.key: v for c, v in ((c, ChecklistVersion.get_or_none(
        (ChecklistVersion.checklist == c) & (ChecklistVersion.version == c.current_version)))
        for c in Checklist.select()) if v is not None}


def _results(version, rnd, photos, force_fail=False):
    key = version.body["key"]
    rate = FAIL_RATE.get(key, BASE_FAIL_RATE)
    results = []
    for item in version.body["items"]:
        failed = rnd.random() < rate
        if force_fail and item is version.body["items"][0]:
            failed = True
        status = "fail" if failed else ("na" if rnd.random() < 0.01 else "pass")
        photo_ids = []
        if failed and (item.get("photo_required_on_fail") or rnd.random() < 0.5):
            photo_ids = [rnd.choice(photos.get(_photo_kind(key)) or photos["wall"])]
        note = rnd.choice(["", "已告知班长", "夜间复查", "现场已拍照"]) if failed else ""
        results.append({"item_key": item["key"], "status": status, "note": note, "photo_ids": photo_ids})
    return results


def _last_lighting_rounds(now):
    """site -> due time of its latest lighting round (from every task, done or not: stable on re-runs)."""
    rows = (Task.select(Task.site, fn.MAX(Task.due_at).alias("last"))
            .where((Task.checklist_key == "night_lighting") & (Task.due_at < now)).group_by(Task.site))
    return {r.site_id: r.last for r in rows}


def run(ctx):
    echo = ctx["echo"]
    days = int(ctx.get("days") if ctx.get("days") is not None else 30)
    seed = ctx.get("seed", 7)
    versions = _versions()
    sites = list(Site.select().order_by(Site.id))
    if not versions or not sites or days <= 0:
        echo("demo: no history (no checklists, sites or days)")
        return
    admin = User.get_or_none(User.role == "admin")
    photos = _photos(seed, [s.id for s in sites], admin)
    now = utcnow()
    since = (now - timedelta(days=days)).date()
    tasks = list(Task.select().where((Task.date >= since) & (Task.due_at < now) & (Task.status != "done")
                                     & Task.checklist_key.in_(list(versions)))
                 .order_by(Task.due_at, Task.id))
    checkpoints = {c.id: c for c in Checkpoint.select()}
    users_by_id = {u.id: u for u in User.select()}
    by_site_role, responsible = _people()
    existing = {i.id for i in Inspection.select(Inspection.id).where(Inspection.received_at >= now - timedelta(
        days=days + 2))}
    last_night = _last_lighting_rounds(now)
    refs = Refs(tasks={t.id: t for t in tasks})

    made = failed = skipped = 0
    by_day = {}
    for t in tasks:
        by_day.setdefault(t.date, []).append(t)
    for day in sorted(by_day):
        batch = []
        for task in by_day[day]:
            iid = str(uuid.uuid5(NAMESPACE, f"{seed}:{task.schedule_id}:{task.checkpoint_id}:{task.due_at}"))
            if iid in existing:
                continue
            rnd = random.Random(iid)
            forced = task.checklist_key == "night_lighting" and task.due_at == last_night.get(task.site_id) \
                and rnd.random() < 0.25
            if rnd.random() < SKIP_RATE and not forced:
                skipped += 1
                continue
            checkpoint = checkpoints[task.checkpoint_id]
            inspector = _inspector(task, checkpoint, by_site_role, responsible, users_by_id)
            if inspector is None:
                continue
            window = max(5, int((task.window_end - task.due_at).total_seconds() // 60))
            started = task.due_at + timedelta(minutes=rnd.randrange(0, max(1, int(window * 0.7))),
                                              seconds=rnd.randrange(60))
            finished = started + timedelta(seconds=rnd.randrange(40, 300))
            received = min(now, finished + timedelta(seconds=rnd.randrange(3, 180)))
            version = versions[task.checklist_key]
            data = {"id": iid, "checkpoint_id": checkpoint.id, "checkpoint_code": checkpoint.code,
                    "checklist_key": task.checklist_key, "checklist_version": version.version,
                    "started_at": started, "finished_at": finished, "task_id": task.id,
                    "location": {"lat": checkpoint.lat, "lon": checkpoint.lon,
                                 "accuracy_m": round(5 + rnd.random() * 20, 1)}
                    if checkpoint.lat is not None else None,
                    "results": _results(version, rnd, photos, force_fail=forced)}
            # the same checks a phone's submission gets; a refusal here is a bug in the demo
            batch.append(prepare_inspection(inspector, data, site_ids=[checkpoint.site_id], now=received,
                                            refs=refs))
        audit_rows = []

        def collect(action, object_type, object_id, site_id=None, before=None, after=None, _rows=audit_rows):
            _rows.append({"action": action, "object_type": object_type, "object_id": str(object_id),
                          "site_id": site_id, "before": before, "after": after})

        with write_tx():
            written = write_inspections(batch, audit_fn=collect)
            who = {p.data["id"]: p for p in batch}
            if audit_rows:
                AuditLog.insert_many([dict(r, user=who[r["object_id"]].user.id, role=who[r["object_id"]].user.role,
                                           at=who[r["object_id"]].received_at) for r in audit_rows]).execute()
        made += len(written)
        failed += sum(i.failed_count for i in written)
    echo(f"demo: {made} past inspections over {days} days ({failed} failed items -> findings, "
         f"{skipped} rounds left undone)")
