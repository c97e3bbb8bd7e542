"""Test data, made one way: plain ``gen_*`` functions (CTFd style) and the request helpers the API
tests share. A test makes what it needs here instead of writing rows by hand or importing a helper
from another test module.

- The policy: every test app reads ``tests/fixtures/policy.yaml`` (the suite's own figures), served
  as policy.yaml of a copy of the shipped checklists folder (``fixture_checklists_dir``); only
  ``tests/test_shipped_policy.py`` reads the shipped policy (``SHIPPED_CHECKLISTS_DIR``).
- Rows: ``gen_site``, ``gen_zone``, ``gen_checkpoint``, ``gen_user`` (of a role), ``gen_task``,
  ``gen_photo``, ``gen_finding``, ``gen_inspection`` (failed items open findings), ``gen_work_order``
  (in any status, through the API's own transitions), ``gen_service_request``, ``gen_deduction``.
- Requests: ``body_for`` (an inspection submission), ``make_order``/``move`` (work orders),
  ``notice`` (a fault notice), ``finish_and_verify``, ``upload`` (a photo).
"""
import atexit
import hashlib
import io
import os
import shutil
import struct
import tempfile
import uuid
import zlib
from datetime import datetime, timedelta, timezone

import pillow_heif
from PIL import Image

from api.demo import org as demo_org

PASSWORD = "test-pass-123"
SHANGHAI = timezone(timedelta(hours=8))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE_POLICY = os.path.join(ROOT, "tests", "fixtures", "policy.yaml")
# the product's (or, when PATROL_CHECKLISTS_DIR is set, the company's) checklists and policy; the
# first process that imports this remembers it, so pytest-xdist workers agree with their parent
SHIPPED_CHECKLISTS_DIR = (os.environ.get("PATROL_TEST_SHIPPED_CHECKLISTS_DIR")
                          or os.environ.get("PATROL_CHECKLISTS_DIR") or os.path.join(ROOT, "checklists"))
os.environ["PATROL_TEST_SHIPPED_CHECKLISTS_DIR"] = SHIPPED_CHECKLISTS_DIR


# --- the policy the tests run on ---------------------------------------------------------------

def fixture_checklists_dir():
    """A checklists folder for test apps: the shipped checklists and schedules, and the suite's own
    policy (tests/fixtures/policy.yaml) as its policy.yaml. Made once per process, removed at exit."""
    if _made.get("dir"):
        return _made["dir"]
    target = tempfile.mkdtemp(prefix="patrol-test-checklists-")
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    for name in os.listdir(SHIPPED_CHECKLISTS_DIR):
        src = os.path.join(SHIPPED_CHECKLISTS_DIR, name)
        if name != "policy.yaml" and os.path.isfile(src):
            shutil.copy(src, os.path.join(target, name))
    shutil.copy(FIXTURE_POLICY, os.path.join(target, "policy.yaml"))
    _made["dir"] = target
    return target


_made = {}


def fixture_policy_text():
    with open(FIXTURE_POLICY, encoding="utf-8") as fh:
        return fh.read()


def fixture_policy():
    """The suite's policy, loaded and validated by the product's own policy code."""
    from api.domain.policy import load_policy

    return load_policy(FIXTURE_POLICY)


# --- the organisation --------------------------------------------------------------------------

def gen_org():
    """The demo organisation (sites, zones, users, checkpoints) plus checklists."""
    from api.demo import checklists as demo_checklists

    ctx = {"password": PASSWORD, "echo": lambda *a, **k: None, "days": 0, "seed": 1}
    demo_org.run(ctx)
    demo_checklists.run(ctx)
    return ctx


def _unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


def gen_site(code=None, name="测试小区", **over):
    from api.models import Site

    return Site.create(code=code or _unique("S"), name=name, **over)


def gen_zone(site, code=None, name="测试片区", responsible=None, **over):
    """A zone of ``site``; ``responsible`` maps trade -> User (片区责任制)."""
    from api.models import Zone, ZoneResponsible

    zone = Zone.create(site=site, code=code or _unique("Z"), name=name, **over)
    for trade, user in (responsible or {}).items():
        ZoneResponsible.create(zone=zone, trade=trade, user=user)
    return zone


def gen_checkpoint(zone, code=None, kind="lobby", checklist_keys=("lobby",), name="测试巡查点", **over):
    from api.models import Checkpoint

    return Checkpoint.create(site=zone.site, zone=zone, code=code or _unique("CP-"), name=name, kind=kind,
                             checklist_keys=list(checklist_keys), **over)


def gen_user(role="guard", sites=(), username=None, name="测试员工", password=PASSWORD, **over):
    """A user of ``role`` who belongs to ``sites`` (Site rows or site codes); logs in with PASSWORD."""
    from api.auth import hash_password
    from api.models import Site, User, UserSite

    user = User.create(username=username or _unique(role), name=name, role=role,
                       password_hash=hash_password(password), **over)
    for site in sites:
        UserSite.create(user=user, site=Site.get(Site.code == site) if isinstance(site, str) else site)
    return user


def manager_of(site_code, username="mgr_only"):
    """A manager who belongs to one site (the demo's manager1 has both)."""
    return gen_user("manager", [site_code], username=username, name="钱经理")


def audits(object_type, object_id):
    from api.models import AuditLog

    return list(AuditLog.select().where((AuditLog.object_type == object_type)
                                        & (AuditLog.object_id == str(object_id))).order_by(AuditLog.id))


# --- rounds and inspections -------------------------------------------------------------------

def gen_task(checkpoint, day=None, role="guard", assignee=None, at="22:00", window_minutes=60, status="due"):
    """One task to inspect ``checkpoint`` on ``day`` (site-local date) at ``at`` local time."""
    from api.models import Schedule, Task

    checklist_key = checkpoint.checklist_keys[0]
    schedule, _ = Schedule.get_or_create(site=checkpoint.site, key=f"test_{checklist_key}_{role}",
                                         defaults={"name": "测试巡查", "checklist_key": checklist_key,
                                                   "role": role, "rule": {"at": [at]},
                                                   "window_minutes": window_minutes})
    day = day or datetime.now(SHANGHAI).date()
    hour, minute = (int(x) for x in at.split(":"))
    due = datetime(day.year, day.month, day.day, hour, minute) - timedelta(hours=8)  # Shanghai -> UTC
    return Task.create(schedule=schedule, site=checkpoint.site, checkpoint=checkpoint, checklist_key=checklist_key,
                       role=role, assignee=assignee, date=day, due_at=due,
                       window_end=due + timedelta(minutes=window_minutes), status=status)


def local_day(offset):
    """Today in Shanghai plus ``offset`` days."""
    from api.domain import schedules as sch

    return sch.local_today("Asia/Shanghai") + timedelta(days=offset)


def current_version(key):
    from api.models import Checklist, ChecklistVersion

    checklist = Checklist.get(Checklist.key == key)
    return ChecklistVersion.get((ChecklistVersion.checklist == checklist)
                                & (ChecklistVersion.version == checklist.current_version))


def item_needing_photo(version):
    return next(it["key"] for it in version.body["items"] if it.get("photo_required_on_fail"))


def body_for(key="road_lamps", code="LHY-LAMP-01", fail=None, photos=None, started=None, **extra):
    """A complete submission: every item passes except ``fail`` (item key -> note)."""
    version = current_version(key)
    started = started or datetime.now(SHANGHAI).replace(microsecond=0) - timedelta(minutes=5)
    fail = fail or {}
    photos = photos or {}
    body = {
        "id": str(uuid.uuid4()), "checkpoint_code": code, "checklist_key": key,
        "checklist_version": version.version, "started_at": started.isoformat(),
        "finished_at": (started + timedelta(minutes=2)).isoformat(),
        "location": {"lat": 31.2202, "lon": 121.546, "accuracy_m": 8},
        "results": [{"item_key": it["key"], "status": "fail" if it["key"] in fail else "pass",
                     "note": fail.get(it["key"], ""), "photo_ids": photos.get(it["key"], [])}
                    for it in version.body["items"]],
    }
    body.update(extra)
    return body


def gen_inspection(org, code, results, finished_at, inspector="guard1"):
    """Rows of a finished inspection at checkpoint ``code``: ``results`` maps item key -> pass/fail/na
    (no findings: for figures; submit ``body_for(fail=...)`` over the API to open findings)."""
    from api.models import Checkpoint, Inspection, ItemResult

    cp = Checkpoint.get(Checkpoint.code == code)
    key = cp.checklist_keys[0]
    version = current_version(key)
    insp = Inspection.create(id=str(uuid.uuid4()), site=cp.site, zone=cp.zone, checkpoint=cp,
                             checklist_version=version, checklist_key=key, inspector=org["users"][inspector],
                             started_at=finished_at - timedelta(minutes=3), finished_at=finished_at,
                             body_hash="x", item_count=len(results),
                             failed_count=sum(1 for s in results.values() if s == "fail"))
    for item_key, status in results.items():
        ItemResult.create(inspection=insp, item_key=item_key, status=status)
    return insp


def gen_failed_inspection(api, key="road_lamps", code="LHY-LAMP-01", note="灯不亮", **extra):
    """An inspection submitted over the API with one failed item (its photo when the item needs one):
    the product opens its finding. Returns the response body (``findings`` lists what was opened)."""
    version = current_version(key)
    item = item_needing_photo(version)
    r = upload(api, jpeg_bytes(color=(30, 30, 30)))
    assert r.status_code in (200, 201), r.get_json()
    body = body_for(key, code, fail={item: note}, photos={item: [r.get_json()["id"]]}, **extra)
    r = api.post("/inspections", json=body)
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


# --- photos -----------------------------------------------------------------------------------

def jpeg_bytes(size=(640, 480), color=(200, 30, 30), exif=None, quality=85):
    img = Image.new("RGB", size, color)
    img.paste((20, 20, 220), (0, 0, size[0] // 4, size[1] // 2))  # a blue block in the top-left corner
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def camera_exif(orientation=6):
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15"
    exif.get_ifd(0x8769)[0x9003] = "2026:03:01 22:10:05"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (31.0, 13.0, 12.0), "E", (121.0, 32.0, 24.0)
    return exif.tobytes()


def png_bytes(size=(120, 90), mode="RGBA"):
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 10, 128) if mode == "RGBA" else (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def webp_bytes(size=(120, 90)):
    out = io.BytesIO()
    Image.new("RGB", size, (10, 10, 200)).save(out, "WEBP", quality=80)
    return out.getvalue()


def heic_bytes(size=(320, 240)):
    heif = pillow_heif.from_pillow(Image.new("RGB", size, (120, 60, 30)))
    out = io.BytesIO()
    heif.save(out, quality=60)
    return out.getvalue()


def png_bomb(width=100_000, height=100_000):
    """A tiny PNG whose header declares ten billion pixels."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
            + chunk(b"IEND", b""))


def upload(api, data, name="photo.jpg", content_type="image/jpeg", **form):
    return api.post("/photos", data={"file": (io.BytesIO(data), name, content_type), **form},
                    content_type="multipart/form-data")


def media_files(app):
    root = app.config["PATROL_MEDIA_DIR"]
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, files in os.walk(root) for f in files) if os.path.isdir(root) else []


# resumable uploads (POST /photos/uploads, then PATCH chunks)

def noisy_jpeg(size=(1600, 1200)):
    """A photo-like JPEG of a few hundred KB (flat test images compress to almost nothing)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise(size, 50).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def start(api, data, **extra):
    return api.post("/photos/uploads", json={"sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data),
                                             **extra})


def patch(api, upload_id, offset, chunk):
    return api.client.patch(f"/api/v1/photos/uploads/{upload_id}", data=chunk,
                            headers={"Authorization": f"Bearer {api.token}", "Upload-Offset": str(offset),
                                     "Content-Type": "application/offset+octet-stream"})


def send(api, upload_id, data, start_at=0, chunk=64 * 1024):
    r = None
    for at in range(start_at, len(data), chunk):
        r = patch(api, upload_id, at, data[at:at + chunk])
        assert r.status_code == 200, r.get_json()
    return r


def gen_photo(org, site="LHY", uploader="tech1", seed="after"):
    """A photo row visible on ``site`` (no file: for links and evidence checks)."""
    from api.models import Photo, PhotoSite

    pid = hashlib.sha256(seed.encode()).hexdigest()
    Photo.create(id=pid, uploaded_by=org["users"][uploader], content_type="image/jpeg", size_bytes=10,
                 width=10, height=10)
    PhotoSite.create(photo=pid, site=org["sites"][site])
    return pid


# --- findings and work orders -------------------------------------------------------------------

def gen_finding(org, site="LHY", zone="A", trade="engineering", priority="normal", title="路灯不亮",
                checklist_key="road_lamps", item_key="lamp_lit", points=2, reporter="guard1", status="open"):
    from api.models import Finding

    return Finding.create(site=org["sites"][site], zone=org["zones"][(site, zone)], title=title,
                          title_en="Lamp not lit", trade=trade, priority=priority, checklist_key=checklist_key,
                          item_key=item_key, points=points, reported_by=org["users"][reporter], status=status)


def make_order(api, org, **over):
    body = {"site_id": org["sites"]["LHY"].id, "zone_id": org["zones"][("LHY", "A")].id,
            "trade": "engineering", "title": "1 号楼大堂灯管更换", "priority": "normal"}
    body.update(over)
    r = api.post("/work-orders", json=body)
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


def move(api, order_id, action, **kw):
    return api.post(f"/work-orders/{order_id}/transitions", json={"action": action, **kw})


# the actions that take a new order (assigned to the zone's technician, tech1) to each status
ORDER_PATHS = {"assigned": (), "accepted": ("accept",), "in_progress": ("accept", "start"),
               "done": ("accept", "start", "finish"), "verified": ("accept", "start", "finish", "verify"),
               "cancelled": ("cancel",)}


def gen_work_order(login, org, status="assigned", supervisor="super1", technician="tech1", **over):
    """A work order in ``status``, made and moved through the API as people do (so its events, audit
    and deadlines are the product's own). ``status="open"``: made without a zone, nobody assigned."""
    sup, tech = login(supervisor), login(technician)
    if status == "open":  # no zone: nobody is responsible yet
        body = {"site_id": org["sites"]["LHY"].id, "trade": "engineering", "title": "1 号楼大堂灯管更换",
                "priority": "normal", **over}
        r = sup.post("/work-orders", json=body)
        assert r.status_code in (200, 201) and r.get_json()["status"] == "open", r.get_json()
        return r.get_json()
    order = make_order(sup, org, **over)
    if order["status"] == "open":
        r = move(sup, order["id"], "assign", assignee_id=org["users"][technician].id)
        assert r.status_code == 200, r.get_json()
        order = r.get_json()
    steps = {"accept": (tech, {}), "start": (tech, {}), "cancel": (sup, {"note": "重复报修"}),
             "verify": (sup, {"satisfied": True})}
    for action in ORDER_PATHS[status]:
        who, kw = steps.get(action, (tech, {}))
        if action == "finish":
            kw = {"photo_ids": [gen_photo(org, seed=f"after-{order['id']}")]}
        r = move(who, order["id"], action, **kw)
        assert r.status_code == 200, r.get_json()
        order = r.get_json()
    assert order["status"] == status, order
    return order


def finish_and_verify(org, login, order_id, seed="after"):
    """The department does the work and its supervisor checks it."""
    from api.models import WorkOrder

    tech, sup = login("tech1"), login("super1")
    if WorkOrder.get_by_id(order_id).status == "open":  # no zone given: the supervisor dispatches it
        r = sup.post(f"/work-orders/{order_id}/transitions",
                     json={"action": "assign", "assignee_id": org["users"]["tech1"].id})
        assert r.status_code == 200, r.get_json()
    assert tech.post(f"/work-orders/{order_id}/transitions", json={"action": "accept"}).status_code == 200
    pid = gen_photo(org, seed=seed)
    r = tech.post(f"/work-orders/{order_id}/transitions", json={"action": "finish", "photo_ids": [pid]})
    assert r.status_code == 200, r.get_json()
    r = sup.post(f"/work-orders/{order_id}/transitions", json={"action": "verify", "satisfied": True})
    assert r.status_code == 200, r.get_json()


# --- service requests --------------------------------------------------------------------------

def request_body(org, **over):
    b = {"site_id": org["sites"]["LHY"].id, "kind": "complaint", "channel": "phone", "category": "noise",
         "owner_name": "张三丰", "owner_phone": "13800135678", "building": "3", "unit": "2", "room": "1201",
         "description": "楼上 1301 装修，晚上九点后还在电钻", "owner_ask": "请物业制止夜间施工"}
    b.update(over)
    return b


def gen_service_request(api, org, **over):
    """A service request (a complaint unless ``kind=``) registered at the desk through the API."""
    r = api.post("/requests", json=request_body(org, **over))
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


# --- deductions ---------------------------------------------------------------------------------

def notice(api, org, staff="guard1", points=2, **over):
    """POST a fault notice (扣分单) by hand; returns the response."""
    body = {"site_id": org["sites"]["LHY"].id, "staff_id": org["users"][staff].id, "points": points,
            "reason": "大堂地面有积水未处理", "problem_key": "lobby:floor_clean",
            "occurred_at": "2026-03-10T09:00:00+08:00"}
    body.update(over)
    return api.post("/deductions", json=body)


def gen_deduction(org, staff="guard1", points=2, site="LHY", by="super1", occurred_at=None, **over):
    """A fault notice booked through the domain (its month, rate and supervisor from the policy)."""
    from api.db import write_tx
    from api.domain.deductions import create_deduction

    occurred_at = occurred_at or datetime(2026, 3, 10, 1, 0)  # naive UTC: 09:00 in Shanghai
    kw = {"reason": "大堂地面有积水未处理", "problem_key": "lobby:floor_clean"}
    kw.update(over)
    with write_tx():
        return create_deduction(site=org["sites"][site], created_by=org["users"][by],
                                staff_id=org["users"][staff].id, points=points, occurred_at=occurred_at, **kw)


# --- notification channels -----------------------------------------------------------------------

def add_channel(site, url, kind="wecom", events=None, secret=None, zone_ids=None):
    from api.db import write_tx
    from api.models import NotificationChannel, utcnow

    with write_tx():
        return NotificationChannel.create(site=site, kind=kind, name=f"{kind} group", url=url, secret=secret,
                                          events=events, zone_ids=zone_ids, created_at=utcnow(), updated_at=utcnow())
