"""Large data sets for the benchmarks: 500 staff, up to a million item results, 50,000 deductions.

    python bench/datagen.py --database-url sqlite:///var/bench/big.db --scale 1.0
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/patrol_bench python bench/datagen.py --scale 0.01

``--scale 1`` makes 1,000,000 item results (50,000 inspections of a 20-item checklist, 5% failed,
each failure a finding) and 50,000 deductions in one month, shared among 500 staff; smaller
scales shrink the results and deductions, never the staff. Rows go in with executemany in big
transactions on SQLite and with COPY on PostgreSQL; a progress bar shows on stderr. The schema
is made by the same migrations production uses; the organisation is the demo one, plus staff.
"""
import argparse
import hashlib
import io
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from api.db import db, init_db, is_postgres  # noqa: E402
from api.models import (Checklist, ChecklistVersion, Checkpoint, Deduction, Finding, Inspection,  # noqa: E402
                        ItemResult, Site, User, UserSite, Zone, utcnow)

BENCH_CHECKLIST = "bench_20"
BENCH_CHECKPOINT = "LHY-BENCH-01"
ITEMS_PER_INSPECTION = 20
FULL_ITEM_RESULTS = 1_000_000
FULL_DEDUCTIONS = 50_000
STAFF = 500
FAIL_RATE = 0.05
TRADES = ["cleaning", "engineering", "security", "landscaping", "customer_service"]


def bench_checklist_body():
    """A 20-item checklist in the shared body format (the one the checklists API takes)."""
    items = []
    for n in range(ITEMS_PER_INSPECTION):
        trade = TRADES[n % 4]
        items.append({"key": f"item_{n:02d}", "text": f"检查项 {n:02d}", "text_en": f"Check item {n:02d}",
                      "trade": trade, "photo_required_on_fail": n % 2 == 0,
                      "priority": "emergency" if n == 0 else "normal", "points": 1 + n % 3,
                      "resolve_hours": None})
    return {"key": BENCH_CHECKLIST, "name": "基准检查表（20 项）", "name_en": "Benchmark checklist (20 items)",
            "trade": "security", "applies_to": ["lobby"], "items": items}


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, label, total, quiet=False):
        self.label, self.total, self.done, self.quiet = label, max(total, 1), 0, quiet
        self.start = time.time()
        self._last = 0.0

    def add(self, n):
        self.done += n
        now = time.time()
        if not self.quiet and (now - self._last > 0.2 or self.done >= self.total):
            self._last = now
            frac = min(1.0, self.done / self.total)
            rate = self.done / max(now - self.start, 1e-6)
            bar = "#" * int(frac * 30)
            sys.stderr.write(f"\r  {self.label:<14} [{bar:<30}] {self.done:>9,}/{self.total:,} "
                             f"{rate:>9,.0f}/s")
            sys.stderr.flush()

    def close(self):
        if not self.quiet:
            sys.stderr.write(f"  {time.time() - self.start:.1f}s\n")


# --- bulk writing: executemany on SQLite, COPY on PostgreSQL ---------------------------------

def _columns(model):
    return [f for f in model._meta.sorted_fields]


def _default(field):
    d = field.default
    return d() if callable(d) else d


def _pg_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def bulk_insert(model, rows, progress=None, batch=20_000):
    """Insert dicts (missing fields take the model's defaults) as fast as the database allows."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    pk = model._meta.primary_key
    # an auto id left out of the rows is left to the database
    fields = [f for f in _columns(model) if not (f is pk and f.name not in first and f.field_type == "AUTO")]
    names = [f.column_name for f in fields]
    table = model._meta.table_name
    conn = db.connection()

    def tuples(chunk):
        for r in chunk:
            yield tuple(f.db_value(r[f.name] if f.name in r else _default(f)) for f in fields)

    chunk = []

    def flush():
        if not chunk:
            return
        if is_postgres():
            buf = io.StringIO()
            for t in tuples(chunk):
                buf.write(",".join(_pg_text(v) for v in t))
                buf.write("\n")
            buf.seek(0)
            with conn.cursor() as cur:
                cur.copy_expert(f'COPY "{table}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
                                f"FROM STDIN WITH (FORMAT csv)", buf)
        else:
            conn.executemany(f'INSERT INTO "{table}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})',
                             list(tuples(chunk)))
        if progress:
            progress.add(len(chunk))
        chunk.clear()

    chunk.append(first)
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            flush()
    flush()


def _next_id(model):
    return (model.select(model.id).order_by(model.id.desc()).scalar() or 0) + 1


def _fix_sequence(model):
    if is_postgres():
        table = model._meta.table_name
        db.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                       f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))")


# --- the organisation --------------------------------------------------------------------------

def ensure_org(password, echo):
    """The demo organisation and checklists (through their own demo steps), the benchmark
    checklist and checkpoint, and field staff up to STAFF."""
    from api.demo import org as demo_org

    ctx = {"password": password, "echo": echo, "days": 0, "seed": 1}
    demo_org.run(ctx)
    from api.demo import checklists as demo_checklists

    demo_checklists.run(ctx)
    with db.atomic():
        body = bench_checklist_body()
        cl = Checklist.get_or_none(Checklist.key == BENCH_CHECKLIST)
        if cl is None:
            cl = Checklist.create(key=BENCH_CHECKLIST, name=body["name"], name_en=body["name_en"], current_version=1)
            ChecklistVersion.create(checklist=cl, version=1, body=body,
                                    content_hash=hashlib.sha256(repr(body).encode()).hexdigest())
        lhy = Site.get(Site.code == "LHY")
        zone = lhy.zones.order_by(Zone.id).first()
        Checkpoint.get_or_create(code=BENCH_CHECKPOINT, defaults=dict(
            site=lhy, zone=zone, name="基准检查点", name_en="Benchmark checkpoint", kind="lobby",
            checklist_keys=[BENCH_CHECKLIST, "lobby"], sort_order=999))
        have = User.select().count()
        if have < STAFF:
            pw_hash = User.get(User.username == "guard1").password_hash
            sups = {s.username: s for s in User.select().where(User.role == "supervisor")}
            sites = {s.code: s for s in Site.select()}
            roles = [("guard", "security", "super1", "LHY"), ("cleaner", "cleaning", "super2", "LHY"),
                     ("technician", "engineering", "super1", "LHY"), ("guard", "security", "super3", "HQT"),
                     ("cleaner", "cleaning", "super3", "HQT")]
            start = _next_id(User)
            new = []
            for i in range(STAFF - have):
                role, trade, sup, site = roles[i % len(roles)]
                new.append({"id": start + i, "username": f"staff{start + i:05d}", "name": f"员工{start + i:05d}",
                            "role": role, "trade": trade, "supervisor": sups[sup].id, "password_hash": pw_hash,
                            "_site": sites[site].id})
            bulk_insert(User, ({k: v for k, v in u.items() if k != "_site"} for u in new))
            bulk_insert(UserSite, ({"user": u["id"], "site": u["_site"]} for u in new))
            _fix_sequence(User)
    return ctx


def generate(scale=1.0, password="bench-pass-123", seed=7, echo=print, quiet=False, months_back=1):
    """Fill the bound database; returns a summary dict (the benchmark month, counts)."""
    rng = random.Random(seed)
    ensure_org(password, echo)
    n_results = int(FULL_ITEM_RESULTS * scale)
    n_inspections = max(1, n_results // ITEMS_PER_INSPECTION)
    n_deductions = int(FULL_DEDUCTIONS * scale)

    version = (ChecklistVersion.select().join(Checklist)
               .where(Checklist.key == BENCH_CHECKLIST).order_by(ChecklistVersion.version.desc()).get())
    items = version.body["items"]
    lhy = Site.get(Site.code == "LHY")
    checkpoints = list(Checkpoint.select().where(Checkpoint.site == lhy))
    field_staff = [u.id for u in User.select(User.id).join(UserSite, on=(UserSite.user == User.id))
                   .where((UserSite.site == lhy) & User.role.in_(["guard", "cleaner", "technician"]))]
    staff_all = [u for u in User.select(User.id, User.supervisor, User.role)
                 .where(User.role.in_(["guard", "cleaner", "technician", "service"]))]
    creator = User.get(User.username == "super1").id

    now = utcnow().replace(microsecond=0)
    first = (now.replace(day=1) - timedelta(days=1)).replace(day=1)
    for _ in range(months_back - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    month = first.strftime("%Y-%m")
    span = int((now - first).total_seconds())

    ins_rows, res_rows, find_rows = [], [], []
    res_id, find_id = _next_id(ItemResult), _next_id(Finding)
    p_ins = Progress("inspections", n_inspections, quiet)
    p_res = Progress("item results", n_inspections * ITEMS_PER_INSPECTION, quiet)

    def inspections():
        nonlocal res_id, find_id
        base = first
        for i in range(n_inspections):
            cp = checkpoints[i % len(checkpoints)]
            finished = base + timedelta(seconds=int(i * span / n_inspections))
            iid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            inspector = rng.choice(field_staff)
            statuses = ["fail" if rng.random() < FAIL_RATE else "pass" for _ in items]
            failed = statuses.count("fail")
            yield {"id": iid, "site": lhy.id, "zone": cp.zone_id, "checkpoint": cp.id,
                   "checklist_version": version.id, "checklist_key": BENCH_CHECKLIST, "inspector": inspector,
                   "started_at": finished - timedelta(minutes=3), "finished_at": finished, "received_at": finished,
                   "clock_suspect": False, "lat": cp.lat, "lon": cp.lon, "accuracy_m": 8.0,
                   "body_hash": hashlib.sha256(iid.encode()).hexdigest(), "failed_count": failed,
                   "item_count": len(items)}
            for it, st in zip(items, statuses):
                res_rows.append({"id": res_id, "inspection": iid, "item_key": it["key"], "status": st, "note": ""})
                if st == "fail":
                    find_rows.append({"id": find_id, "site": lhy.id, "zone": cp.zone_id, "checkpoint": cp.id,
                                      "inspection": iid, "item_result": res_id, "checklist_key": BENCH_CHECKLIST,
                                      "item_key": it["key"], "title": it["text"], "title_en": it["text_en"],
                                      "trade": it["trade"], "priority": it["priority"], "points": it["points"],
                                      "status": rng.choice(["open", "open", "in_work", "resolved"]),
                                      "source": "inspection", "reported_by": inspector, "created_at": finished})
                    find_id += 1
                res_id += 1

    # inspections first (the parents), then their results and findings, in big transactions
    with db.atomic():
        bulk_insert(Inspection, inspections(), p_ins)
    p_ins.close()
    with db.atomic():
        bulk_insert(ItemResult, res_rows, p_res)
        p_res.close()
        p_find = Progress("findings", len(find_rows), quiet)
        bulk_insert(Finding, find_rows, p_find)
        p_find.close()
    n_findings = len(find_rows)
    res_rows.clear()
    find_rows.clear()

    p_ded = Progress("deductions", n_deductions, quiet)
    month_seconds = int(((first + timedelta(days=32)).replace(day=1) - first).total_seconds())
    ded_start = _next_id(Deduction)

    def deductions():
        for i in range(n_deductions):
            who = staff_all[i % len(staff_all)] if i < len(staff_all) else rng.choice(staff_all)
            item = rng.choice(items)
            shares = rng.random() < 0.1
            yield {"id": ded_start + i, "site": lhy.id, "staff": who.id, "supervisor": who.supervisor_id,
                   "supervisor_shares": shares and who.supervisor_id is not None, "points": item["points"],
                   "yuan_per_point": Decimal("5.00"), "reason": item["text"],
                   "problem_key": f"{BENCH_CHECKLIST}:{item['key']}", "month": month,
                   "occurred_at": first + timedelta(seconds=rng.randrange(month_seconds)),
                   "status": "voided" if rng.random() < 0.03 else "active", "created_by": creator,
                   "created_at": now}

    with db.atomic():
        bulk_insert(Deduction, deductions(), p_ded)
    p_ded.close()
    for model in (ItemResult, Finding, Deduction):
        _fix_sequence(model)
    if is_postgres():
        db.execute_sql("ANALYZE")
    else:
        db.execute_sql("ANALYZE")
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"month": month, "inspections": n_inspections, "item_results": n_inspections * ITEMS_PER_INSPECTION,
            "findings": n_findings, "deductions": n_deductions, "staff": User.select().count()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 item results, 50,000 deductions")
    ap.add_argument("--password", default="bench-pass-123")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--mark", action="store_true", help="record the summary in a bench_meta table when done")
    a = ap.parse_args(argv)
    if not a.database_url:
        ap.error("--database-url or DATABASE_URL is required")
    from api.migrations import migrate_up

    init_db(a.database_url)
    db.connect(reuse_if_open=True)
    migrate_up()
    t0 = time.time()
    summary = generate(a.scale, a.password, a.seed)
    if a.mark:
        import json

        db.execute_sql("CREATE TABLE IF NOT EXISTS bench_meta (summary TEXT)")
        db.execute_sql("INSERT INTO bench_meta (summary) VALUES (%s)" % ("?" if not is_postgres() else "%s"),
                       (json.dumps(summary),))
    print({**summary, "seconds": round(time.time() - t0, 1)})


if __name__ == "__main__":
    main()
