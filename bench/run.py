"""One command for every benchmark figure, each with its ratio against a reference measured in the
same run, on SQLite and on PostgreSQL side by side.

    python bench/run.py                       # SQLite and PostgreSQL, full scale (1M item results)
    python bench/run.py --db sqlite --scale 0.1 --duration 3
    python bench/run.py --only checklist,inspection

Servers are the real ``patrol serve`` (gunicorn, 2 sync workers) and, for the references, a bare
Flask app under the same gunicorn settings (bench/bare_app.py); load comes from bench/load.py in
other processes. Data comes from bench/datagen.py and is kept under var/bench/ (SQLite) or in
databases named patrol_bench_* (PostgreSQL) for the next run; ``--fresh`` rebuilds it.
"""
import argparse
import glob
import io
import json
import multiprocessing as mp
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench import load  # noqa: E402
from tests.live import free_port  # noqa: E402

VAR = os.path.join(ROOT, "var", "bench")
PASSWORD = "bench-pass-123"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
FIGURES = ["checklist", "inspection", "photo", "lists", "ledger", "console"]


# --- databases -------------------------------------------------------------------------------

def _pg_admin():
    import psycopg2
    from urllib.parse import urlparse

    u = urlparse(PG_BASE)
    conn = psycopg2.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres",
                            dbname=u.path.lstrip("/") or "postgres")
    conn.autocommit = True
    return conn, u


def database_url(kind, name, fresh=False):
    """(url, exists): a cached benchmark database of this kind and name."""
    if kind == "sqlite":
        path = os.path.join(VAR, f"{name}.db")
        if fresh:
            for f in glob.glob(path + "*"):
                os.unlink(f)
        return f"sqlite:///{path}", os.path.exists(path)
    conn, u = _pg_admin()
    db_name = f"patrol_bench_{name}".replace("-", "_").replace(".", "_")
    with conn.cursor() as cur:
        if fresh:
            cur.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db_name,))
        exists = cur.fetchone() is not None
        if not exists:
            cur.execute(f'CREATE DATABASE "{db_name}"')
    conn.close()
    return f"postgresql://{u.username or 'postgres'}@{u.hostname}:{u.port or 5432}/{db_name}", exists


def _ready(url):
    """True when the database has a finished data set (datagen writes its summary last)."""
    code = ("import sys;from api.db import db,init_db;init_db(sys.argv[1]);db.connect();"
            "print(db.table_exists('bench_meta') and db.execute_sql('select count(*) from bench_meta')"
            ".fetchone()[0])")
    out = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, cwd=ROOT)
    return out.stdout.strip() not in ("", "False", "0")


def build_data(kind, scale, fresh, label=None):
    label = label or f"{kind}-s{scale:g}"
    url, _exists = database_url(kind, label, fresh)
    if not _ready(url):
        print(f"[{kind}] generating data at scale {scale:g} into {url}", flush=True)
        if kind == "sqlite":
            for f in glob.glob(url[len("sqlite:///"):] + "*"):
                os.unlink(f)
        else:
            url, _ = database_url(kind, label, fresh=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "datagen.py"), "--database-url", url,
                        "--scale", str(scale), "--password", PASSWORD, "--mark"], check=True, cwd=ROOT)
    return url


def build_demo_year(kind, days, fresh):
    url, _ = database_url(kind, f"{kind}-demo{days}", fresh)
    if not _ready(url):
        print(f"[{kind}] building {days} days of demo data (patrol demo --days {days})", flush=True)
        if kind == "pg":
            url, _ = database_url(kind, f"{kind}-demo{days}", fresh=True)
        env = dict(os.environ, DATABASE_URL=url, PATROL_MEDIA_DIR=os.path.join(VAR, f"media-demo{days}-{kind}"))
        subprocess.run([sys.executable, "-m", "api.cli", "demo", "--password", PASSWORD, "--days", str(days)],
                       check=True, cwd=ROOT, env=env)
        code = ("import sys;from api.db import db,init_db;init_db(sys.argv[1]);db.connect();"
                "db.execute_sql('create table if not exists bench_meta (summary text)');"
                "db.execute_sql(\"insert into bench_meta values ('demo')\")")
        subprocess.run([sys.executable, "-c", code, url], check=True, cwd=ROOT)
    return url


# --- servers ---------------------------------------------------------------------------------

class Server:
    """``patrol serve`` or the bare reference app on a free port, in its own process group."""

    def __init__(self, url, media_dir, bare=False, workers=2, log_name="server"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=url, PATROL_MEDIA_DIR=media_dir,
                   PATROL_VAR_DIR=os.path.join(VAR, "run"))
        env.pop("PATROL_ACCESS_LOG", None)
        if bare:
            cmd = [sys.executable, os.path.join(ROOT, "bench", "bare_app.py"), "--port", str(self.port),
                   "--workers", str(workers)]
        else:
            cmd = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--workers", str(workers)]
        os.makedirs(os.path.join(VAR, "logs"), exist_ok=True)
        self.log = open(os.path.join(VAR, "logs", f"{log_name}-{self.port}.log"), "ab")
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        probe = "/bare/json" if bare else "/api/v1/openapi.json"
        import requests

        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited; see {self.log.name}")
            try:
                if requests.get(self.base + probe, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")

    def worker_pids(self):
        pids = []
        for task in glob.glob(f"/proc/{self.proc.pid}/task/*/children"):
            with open(task) as fh:
                pids += [int(p) for p in fh.read().split()]
        return pids

    def peak_rss_mb(self):
        """The largest VmHWM (peak resident set) among the workers."""
        peak = 0
        for pid in self.worker_pids():
            try:
                with open(f"/proc/{pid}/status") as fh:
                    for line in fh:
                        if line.startswith("VmHWM:"):
                            peak = max(peak, int(line.split()[1]))
            except FileNotFoundError:
                pass
        return peak / 1024

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def login(base, username="guard1"):
    import requests

    r = requests.post(base + "/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    return r.json()["token"]


def run_load(url, method="GET", headers=(), body=None, duration=5.0, concurrency=4, warmup=1.0):
    """bench/load.py in its own process (the server's CPU is not shared with an interpreter of ours)."""
    cmd = [sys.executable, os.path.join(ROOT, "bench", "load.py"), "--url", url, "--method", method,
           "--duration", str(duration), "--warmup", str(warmup), "--concurrency", str(concurrency)]
    for h in headers:
        cmd += ["-H", h]
    tmp = None
    if body is not None:
        tmp = os.path.join(VAR, f"body-{os.getpid()}-{time.time_ns()}.bin")
        with open(tmp, "wb") as fh:
            fh.write(body)
        cmd += ["--body-file", tmp]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    finally:
        if tmp:
            os.unlink(tmp)
    return json.loads(out.stdout)


# --- the figures -----------------------------------------------------------------------------

class Table:
    def __init__(self):
        self.rows = []

    def add(self, kind, figure, value, unit, reference=None, ratio=None, target="", ok=None, note=""):
        self.rows.append(dict(db=kind, figure=figure, value=value, unit=unit, reference=reference, ratio=ratio,
                              target=target, ok=ok, note=note))
        print(f"  [{kind}] {figure}: {value} {unit}"
              + (f" vs {reference}" if reference is not None else "")
              + (f" -> ratio {ratio}" if ratio is not None else "") + (f"  {note}" if note else ""), flush=True)

    def markdown(self):
        lines = ["| db | figure | value | reference | ratio | target | met |", "|---|---|---|---|---|---|---|"]
        for r in self.rows:
            ref = "—" if r["reference"] is None else f"{r['reference']} {r['unit']}"
            ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
            met = {True: "yes", False: "**no**", None: "—"}[r["ok"]]
            lines.append(f"| {r['db']} | {r['figure']} | {r['value']} {r['unit']} | {ref} | {ratio} | {r['target']} "
                         f"| {met}{(' — ' + r['note']) if r['note'] else ''} |")
        return "\n".join(lines)


def paired(ref, got, rounds=3):
    """Reference and target measured in alternation (ref, got, ref, got, ...) and pooled: on a
    shared machine the load drifts, and alternating spreads the drift over both."""
    refs, gots = [], []
    for _ in range(rounds):
        refs.append(ref())
        gots.append(got())

    def pool(results):
        ok = sum(r["ok"] for r in results)
        secs = sum(r["seconds"] for r in results)
        statuses = {}
        for r in results:
            for k, v in r["statuses"].items():
                statuses[k] = statuses.get(k, 0) + v
        return {"ok": ok, "rps": round(ok / secs, 1), "statuses": statuses, "errors": sum(r["errors"] for r in results),
                "per_round": [r["rps"] for r in results]}

    return pool(refs), pool(gots)


def _ratio(a, b):
    return round(a / b, 3) if a and b else None


def fig_checklist(kind, api, bare, token, t, args):
    key = "bench_20"
    import requests

    r = requests.get(f"{api.base}/api/v1/checklists/{key}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    if r.status_code != 200:
        t.add(kind, "GET /checklists/{key} req/s", "n/a", "", note=f"route answered {r.status_code}")
        return
    d = args.duration / args.rounds
    ref, got = paired(
        lambda: run_load(bare.base + "/bare/json", duration=d, concurrency=args.concurrency),
        lambda: run_load(f"{api.base}/api/v1/checklists/{key}", headers=[f"Authorization: Bearer {token}"],
                         duration=d, concurrency=args.concurrency), args.rounds)
    ratio = _ratio(got["rps"], ref["rps"])
    t.add(kind, "GET /checklists/{key} req/s (authenticated, no If-None-Match)", got["rps"], "req/s", ref["rps"],
          ratio, "≥ 0.6 of bare Flask JSON", ratio is not None and ratio >= 0.6,
          note=_bad_statuses(got))


def _bad_statuses(res):
    bad = {k: v for k, v in res["statuses"].items() if not 200 <= int(k) < 300}
    return f"non-2xx: {bad}" if bad or res["errors"] else ""


def inspection_body(base, token):
    """A 20-item inspection of the benchmark checkpoint; the failed items carry an uploaded photo."""
    import requests

    from bench.datagen import BENCH_CHECKLIST, BENCH_CHECKPOINT

    h = {"Authorization": f"Bearer {token}"}
    photo = small_jpeg()
    r = requests.post(base + "/api/v1/photos", headers=h, files={"file": ("p.jpg", photo, "image/jpeg")}, timeout=30)
    r.raise_for_status()
    photo_id = r.json()["id"]
    cl = requests.get(f"{base}/api/v1/checklists/{BENCH_CHECKLIST}", headers=h, timeout=10).json()
    cps = requests.get(f"{base}/api/v1/checkpoints", headers=h, params={"code": BENCH_CHECKPOINT}, timeout=10)
    cp_id = None
    if cps.ok:
        items = cps.json()
        items = items.get("items", items) if isinstance(items, dict) else items
        cp_id = next((c["id"] for c in items if c.get("code") == BENCH_CHECKPOINT), None)
    results = []
    for n, it in enumerate(cl["items"]):
        fail = n % 5 == 0
        results.append({"item_key": it["key"], "status": "fail" if fail else "pass",
                        "note": "灯不亮" if fail else "", "photo_ids": [photo_id] if fail else []})
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return {"id": "__UUID__", "checkpoint_id": cp_id, "checkpoint_code": BENCH_CHECKPOINT,
            "checklist_key": BENCH_CHECKLIST, "checklist_version": cl.get("version"),
            "started_at": now.isoformat(), "finished_at": now.isoformat(),
            "location": {"lat": 31.2204, "lon": 121.544, "accuracy_m": 8.0}, "results": results}


def fig_inspection(kind, api, bare, token, t, args):
    import requests

    try:
        body = inspection_body(api.base, token)
    except (requests.RequestException, KeyError, ValueError) as exc:
        t.add(kind, "POST /inspections req/s", "n/a", "", note=f"could not prepare: {exc}")
        return
    schema_fields = inspection_fields(api.base)
    if schema_fields:
        body = {k: v for k, v in body.items() if k in schema_fields}
    raw = json.dumps(body, ensure_ascii=False).encode()
    probe = requests.post(api.base + "/api/v1/inspections", data=raw.replace(b"__UUID__", _uuid().encode()),
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                          timeout=30)
    if probe.status_code not in (200, 201):
        t.add(kind, "POST /inspections req/s", "n/a", "", note=f"probe answered {probe.status_code}: "
              f"{probe.text[:200]}")
        return
    hdr = ["Content-Type: application/json"]
    d = args.duration / args.rounds
    ref, got = paired(
        lambda: run_load(bare.base + "/bare/write", "POST", hdr, raw, d, args.concurrency),
        lambda: run_load(api.base + "/api/v1/inspections", "POST", hdr + [f"Authorization: Bearer {token}"], raw,
                         d, args.concurrency), args.rounds)
    ratio = _ratio(got["rps"], ref["rps"])
    t.add(kind, "POST /inspections req/s (20 items, photos uploaded)", got["rps"], "req/s", ref["rps"], ratio,
          "≥ 0.5 of bare parse + one-row write", ratio is not None and ratio >= 0.5, note=_bad_statuses(got))


def _uuid():
    import uuid

    return str(uuid.uuid4())


def inspection_fields(base):
    """The inspection body's fields as the API documents them (so the bench follows the contract)."""
    import requests

    spec = requests.get(base + "/api/v1/openapi.json", timeout=10).json()
    try:
        ref = spec["paths"]["/api/v1/inspections"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        name = ref["$ref"].rsplit("/", 1)[1]
        return set(spec["components"]["schemas"][name]["properties"])
    except KeyError:
        return None


def small_jpeg():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def twelve_mp_jpeg():
    """A 4000×3000 JPEG of about 3 MB with a comment segment whose 8-byte placeholder the load
    generator turns into a fresh UUID, so every upload is new bytes (a new photo, not a repeat)."""
    from PIL import Image

    rough = Image.effect_noise((1000, 750), 60).convert("RGB").resize((4000, 3000), Image.BICUBIC)
    grad = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    img = Image.blend(Image.blend(rough, grad, 0.5), Image.effect_noise((4000, 3000), 25).convert("RGB"), 0.3)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=82)
    data = buf.getvalue()
    payload = load.PLACEHOLDER  # becomes 32 hex digits: the segment length counts those
    com = b"\xff\xfe" + (2 + 32).to_bytes(2, "big") + payload
    return data[:2] + com + data[2:]


def _reference_ingest(data, seconds, media, out):
    """hash + store + JPEG draft-mode decode + the two resizes (and their JPEG encodes), nothing else."""
    import hashlib
    import uuid

    from PIL import Image

    from api.domain.photos import PREVIEW_PX, THUMB_PX
    from api.storage import LocalStorage

    store = LocalStorage(media)
    n = 0
    end = time.time() + seconds
    while time.time() < end:
        raw = data.replace(load.PLACEHOLDER, uuid.uuid4().hex.encode())
        pid = hashlib.sha256(raw).hexdigest()
        img = Image.open(io.BytesIO(raw))
        img.draft("RGB", (PREVIEW_PX, PREVIEW_PX))
        img.load()
        preview = img.copy()
        preview.thumbnail((PREVIEW_PX, PREVIEW_PX))
        thumb = preview.copy()
        thumb.thumbnail((THUMB_PX, THUMB_PX))
        pb, tb = io.BytesIO(), io.BytesIO()
        preview.save(pb, "JPEG", quality=82)
        thumb.save(tb, "JPEG", quality=75)
        store.put(f"originals/{pid[:2]}/{pid}.jpg", raw)
        store.put(f"previews/{pid[:2]}/{pid}.jpg", pb.getvalue())
        store.put(f"thumbs/{pid[:2]}/{pid}.jpg", tb.getvalue())
        n += 1
    out.put(n)


def reference_ingest_rate(data, seconds, media, procs=2):
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    ps = [ctx.Process(target=_reference_ingest, args=(data, seconds, media, q)) for _ in range(procs)]
    for p in ps:
        p.start()
    total = sum(q.get(timeout=seconds + 120) for _ in ps)
    for p in ps:
        p.join()
    return round(total / seconds, 2)


def fig_photo(kind, url, t, args):
    jpeg = twelve_mp_jpeg()
    media = os.path.join(VAR, f"media-photo-{kind}")
    shutil.rmtree(media, ignore_errors=True)
    boundary = "benchboundary7f1c"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + jpeg + f"\r\n--{boundary}--\r\n".encode()
    secs = max(args.duration * 2, 12) / args.rounds
    with Server(url, os.path.join(media, "api"), log_name=f"photo-{kind}") as api:
        token = login(api.base)

        def ref_round():
            n = reference_ingest_rate(jpeg, secs, os.path.join(media, "ref"), procs=2)
            return {"ok": round(n * secs), "rps": n, "seconds": secs, "statuses": {}, "errors": 0}

        ref, got = paired(ref_round, lambda: run_load(
            api.base + "/api/v1/photos", "POST",
            [f"Content-Type: multipart/form-data; boundary={boundary}", f"Authorization: Bearer {token}"],
            body, secs, concurrency=2, warmup=2), args.rounds)
        rss = round(api.peak_rss_mb(), 1)
    ref = ref["rps"]
    ratio = _ratio(got["rps"], ref)
    t.add(kind, f"photo ingest, 12 MP JPEG ({len(jpeg) / 1e6:.1f} MB) photos/s", got["rps"], "photos/s", ref, ratio,
          "≥ 0.8 of hash+store+draft decode+2 resizes", ratio is not None and ratio >= 0.8, note=_bad_statuses(got))
    t.add(kind, "API worker peak RSS while ingesting 12 MP photos", rss, "MB", target="≤ 250 MB", ok=rss <= 250)


def p50_of(base, path, token, n=60):
    import requests

    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    times, status = [], None
    for i in range(n + 5):
        t0 = time.perf_counter()
        r = s.get(base + path, timeout=60)
        dt = time.perf_counter() - t0
        status = r.status_code
        if status != 200:
            return None, status
        if i >= 5:
            times.append(dt)
    return round(statistics.median(times) * 1000, 2), status


LIST_PATHS = ["/api/v1/findings", "/api/v1/findings?status=open", "/api/v1/inspections"]


def fig_lists(kind, small_url, big_url, big_label, t, args):
    res = {}
    for label, url in (("10k", small_url), (big_label, big_url)):
        with Server(url, os.path.join(VAR, f"media-lists-{kind}"), log_name=f"lists-{kind}") as api:
            token = login(api.base, "super1")
            for path in LIST_PATHS:
                res[(label, path)] = p50_of(api.base, path, token)
    for path in LIST_PATHS:
        (small, s1), (big, s2) = res[("10k", path)], res[(big_label, path)]
        if small is None or big is None:
            t.add(kind, f"GET {path[7:]} p50", "n/a", "", note=f"answered {s1}/{s2}")
            continue
        ratio = _ratio(big, small)
        t.add(kind, f"GET {path[7:]} p50 at {big_label} item results", big, "ms", small, ratio,
              "≤ 1.5× the same at 10k", ratio <= 1.5)


def fig_ledger(kind, big_url, big_label, t, args):
    """The month ledger against one hand-written SQL aggregate over the same rows, in-process."""
    code = r'''
import json, statistics, sys, time
from api.db import db, init_db
init_db(sys.argv[1]); db.connect()
month = json.loads(db.execute_sql("select summary from bench_meta").fetchone()[0])["month"]
from api.models import Site
site = Site.get(Site.code == "LHY")
from api.domain.deductions import ledger_for as fn
# per person: points, yuan, notices and repeats, over the same site-month rows the ledger reads
SQL = ("select staff_id, sum(points), sum(points * yuan_per_point), count(*), count(distinct problem_key) "
       "from deduction where site_id = {p} and month = {p} group by staff_id").format(p=db.param)
def t_ref():
    t0 = time.perf_counter(); rows = db.execute_sql(SQL, (site.id, month)).fetchall(); return time.perf_counter() - t0, len(rows)
def t_api():
    t0 = time.perf_counter(); out = fn(site, month); return time.perf_counter() - t0, out
for _ in range(2): t_ref(); t_api()
ref = statistics.median([t_ref()[0] for _ in range(5)])
api = statistics.median([t_api()[0] for _ in range(5)])
print(json.dumps({"ref_ms": round(ref * 1000, 1), "api_ms": round(api * 1000, 1), "staff_rows": t_ref()[1]}))
'''
    out = subprocess.run([sys.executable, "-c", code, big_url], capture_output=True, text=True, cwd=ROOT)
    try:
        res = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        t.add(kind, "month ledger", "n/a", "", note=f"failed: {out.stderr.strip().splitlines()[-1:]}")
        return
    if "error" in res:
        t.add(kind, "month ledger", "n/a", "", note=res["error"])
        return
    ratio = _ratio(res["api_ms"], res["ref_ms"])
    t.add(kind, f"month ledger, 500 staff, {big_label} item results", res["api_ms"], "ms", res["ref_ms"], ratio,
          "≤ 1.5× one SQL aggregate, < 1 s", ratio <= 1.5 and res["api_ms"] < 1000)


def fig_console(kind, url, t, args):
    """Every console page rendered by Streamlit's AppTest against a year of demo data."""
    pages = sorted(glob.glob(os.path.join(ROOT, "console", "app_pages", "*.py")))
    with Server(url, os.path.join(VAR, f"media-demo{args.console_days}-{kind}"), log_name=f"console-{kind}") as api:
        for page in pages:
            name = os.path.splitext(os.path.basename(page))[0]
            if name in ("login", "__init__"):
                continue
            res = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "console_page.py"),
                                  f"app_pages/{name}.py", api.base, PASSWORD], capture_output=True, text=True, cwd=ROOT,
                                 env=dict(os.environ, PATROL_API_URL=api.base))
            try:
                r = json.loads(res.stdout.strip().splitlines()[-1])
            except (IndexError, ValueError):
                t.add(kind, f"console page {name}", "n/a", "", note=(res.stderr.strip().splitlines() or ["?"])[-1])
                continue
            note = f"first visit in a fresh process {r['cold']} s"
            if r.get("exceptions"):
                note += "; " + "; ".join(r["exceptions"])[:120]
            t.add(kind, f"console page {name} (AppTest render, {args.console_days} days)", r["seconds"], "s",
                  target="< 2 s", ok=r["seconds"] < 2 and not r.get("exceptions"), note=note)


# --- main ------------------------------------------------------------------------------------

def run_kind(kind, args, t):
    only = set(args.only.split(",")) if args.only else set(FIGURES)
    big_label = "1M" if args.scale == 1 else f"{int(1_000_000 * args.scale):,}"
    small_url = build_data(kind, 0.01, args.fresh)
    if only & {"checklist", "inspection"}:
        with Server(small_url, os.path.join(VAR, f"media-{kind}"), log_name=f"api-{kind}") as api, \
                Server(small_url, os.path.join(VAR, f"media-{kind}"), bare=True, log_name=f"bare-{kind}") as bare:
            token = login(api.base)
            if "checklist" in only:
                fig_checklist(kind, api, bare, token, t, args)
            if "inspection" in only:
                fig_inspection(kind, api, bare, token, t, args)
    if "photo" in only:
        fig_photo(kind, small_url, t, args)
    if only & {"lists", "ledger"}:
        big_url = build_data(kind, args.scale, args.fresh)
        if "lists" in only:
            fig_lists(kind, small_url, big_url, big_label, t, args)
        if "ledger" in only:
            fig_ledger(kind, big_url, big_label, t, args)
    if "console" in only:
        fig_console(kind, build_demo_year(kind, args.console_days, args.fresh), t, args)


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GB RAM, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="sqlite,pg", help="sqlite, pg or both (comma-separated)")
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 item results for the big figures")
    ap.add_argument("--duration", type=float, default=9.0,
                    help="seconds of load per throughput figure and side (split over --rounds)")
    ap.add_argument("--concurrency", type=int, default=4, help="client connections for throughput figures")
    ap.add_argument("--rounds", type=int, default=3, help="alternations of reference and target per figure")
    ap.add_argument("--only", default="", help=f"comma-separated subset of {','.join(FIGURES)}")
    ap.add_argument("--console-days", type=int, default=365)
    ap.add_argument("--fresh", action="store_true", help="rebuild the cached data sets")
    args = ap.parse_args(argv)
    os.makedirs(VAR, exist_ok=True)
    t = Table()
    for kind in args.db.split(","):
        print(f"== {kind} ==", flush=True)
        run_kind(kind.strip(), args, t)
    print()
    print(f"{datetime.now().strftime('%Y-%m-%d %H:%M')} — {machine()}")
    print(t.markdown())


if __name__ == "__main__":
    main()
