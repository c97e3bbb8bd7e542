"""Issue #15's figures: a round taken in fast, and over a weak phone signal. Each figure is printed
beside a reference measured in the same run.

    python bench/ingest.py                          # everything (about 8 minutes)
    python bench/ingest.py --only submit,sync       # a subset: submit, fetch, slow, radio, sync
    python bench/ingest.py --before 08198c1         # the reference server's code (a git ref)

Servers are the real ``patrol serve`` as shipped (gunicorn, 2 workers) on PostgreSQL
(``BENCH_PG_URL``, default postgresql://postgres@127.0.0.1:5432/postgres), each on a database of
its own with one day of demo data and a 20-item checklist. The reference server runs the code of
``--before`` (default 08198c1: main just before this work), unpacked with ``git archive`` into
var/bench/ingest/before-code/ — same machine, same database server, measured in alternation with the new one.

Weak signal: ``bench/throttle.py``, a TCP proxy on 127.0.0.1 limiting each connection to 400 kbps
up and down with a 400 ms round trip (only loopback traffic is touched).

Figures
* submit — a full submission as the phone sends it (two new ~2 MB JPEGs, each in one
  ``PUT /photos/{sha256}`` as upload.js does first, then the 20-item inspection with 2 failed
  items; the reference server gets ``POST /photos``, all it had): server CPU per submission (gunicorn workers + this database's
  PostgreSQL backends, from /proc), submissions/s at 8 and 32 clients, peak server memory.
* fetch — GET /checklists/{key} req/s at 8 clients (no If-None-Match).
* slow — 10 phones uploading a 4 MB photo at 400 kbps while GET /me is timed every 100 ms (p99
  against the same with no uploads); a 4 MB upload at 400 kbps over TLS (patrol serve --certfile).
* radio — a 20-item round with 2 photos from a phone at 400 kbps / 400 ms with default settings
  (12 MP camera photos downscaled to the policy's long edge as the phone does, EXIF kept).
* sync — the first sync after login through the weak link: requests, bytes on the wire, seconds.
"""
import argparse
import gzip
import hashlib
import http.client
import io
import json
import multiprocessing as mp
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.load import Connection  # noqa: E402
from bench.throttle import Throttle  # noqa: E402
from tests.live import PASSWORD, free_port  # noqa: E402

VAR = os.path.join(ROOT, "var", "bench", "ingest")
PG_BASE = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CLK = os.sysconf("SC_CLK_TCK")
CHECKPOINT = "LHY-PLANT-20"
CHECKLIST = "plant_room_test"
LINK = dict(up_kbps=400, down_kbps=400, rtt_ms=400)


# --- servers ---------------------------------------------------------------------------------

def _pg():
    import psycopg2
    from urllib.parse import urlparse

    u = urlparse(PG_BASE)
    conn = psycopg2.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres",
                            dbname=u.path.lstrip("/") or "postgres")
    conn.autocommit = True
    return conn, u


def fresh_database(name):
    conn, u = _pg()
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return f"postgresql://{u.username or 'postgres'}@{u.hostname}:{u.port or 5432}/{name}"


def unpack(ref):
    """The code of ``ref`` (a git ref) in var/bench/ingest/before-code/."""
    dest = os.path.join(VAR, "before-code")
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", dest], input=archive, check=True)
    return dest


class Server:
    """``patrol serve`` from the code in ``tree`` on a database and media directory of its own."""

    def __init__(self, name, tree=ROOT, certfile=None, keyfile=None):
        self.name, self.tree = name, tree
        self.port = free_port()
        self.tls = bool(certfile)
        self.base = f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"
        self.db_name = f"patrol_bench_ingest_{name}"
        work = os.path.join(VAR, name)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        self.env = dict(os.environ, DATABASE_URL=fresh_database(self.db_name),
                        PATROL_MEDIA_DIR=os.path.join(work, "media"), PATROL_VAR_DIR=os.path.join(work, "var"),
                        PATROL_SECRET_KEY=uuid.uuid4().hex + uuid.uuid4().hex, PYTHONPATH=tree)
        self.args = ["--certfile", certfile, "--keyfile", keyfile] if certfile else []
        self.log = open(os.path.join(work, "server.log"), "ab")
        self.proc = None

    def _py(self, *args, **kw):
        return subprocess.run([sys.executable, *args], cwd=self.tree, env=self.env, check=True,
                              stdout=self.log, stderr=subprocess.STDOUT, **kw)

    def prepare(self):
        self._py("-m", "api.cli", "demo", "--password", PASSWORD, "--days", "1", timeout=900)
        self._py("-c", "import sys; from tests.e2e.phone import add_twenty_item_checklist as a; a(sys.argv[1])",
                 self.env["DATABASE_URL"])
        return self

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1",
                                      "--port", str(self.port), *self.args], cwd=self.tree, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if self.request("GET", "/api/v1/openapi.json")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not start; see {self.log.name}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)

    def connection(self, port=None, timeout=300):
        port = port or self.port
        if self.tls:
            return http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout,
                                               context=ssl._create_unverified_context())
        return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        c = self.connection(timeout=30)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read(), dict(r.getheaders())
        finally:
            c.close()

    def login(self, username="guard1"):
        status, body, _h = self.request("POST", "/api/v1/auth/login",
                                        json.dumps({"username": username, "password": PASSWORD}),
                                        {"Content-Type": "application/json"})
        assert status == 200, body
        return json.loads(body)["token"]

    # what the server spends: its processes and its database's backends
    def worker_pids(self):
        out = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/stat") as fh:
                        if int(fh.read().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                            out.append(int(pid))
                except (OSError, IndexError, ValueError):
                    pass
        return out

    def backend_pids(self):
        conn, _u = _pg()
        with conn.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.db_name,))
            pids = [r[0] for r in cur.fetchall()]
        conn.close()
        return pids

    def cpu(self):
        """{pid: cpu seconds} of the workers and the database backends now."""
        out = {}
        for pid in self.worker_pids() + self.backend_pids():
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    f = fh.read().rsplit(")", 1)[1].split()
                out[pid] = (int(f[11]) + int(f[12])) / CLK
            except (OSError, IndexError):
                pass
        return out

    def peak_memory_mb(self):
        total = 0
        for pid in [self.proc.pid] + self.worker_pids():
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        return total / 1024


def cpu_delta(before, after):
    return sum(v - before.get(pid, 0.0) for pid, v in after.items())


# --- photos ------------------------------------------------------------------------------------

def camera_jpeg(seed, size=(4000, 3000), quality=75):
    """A photo-like 12 MP JPEG (noise over a gradient: real photos do not compress like flat colours)."""
    from PIL import Image

    rough = Image.effect_noise((size[0] // 4, size[1] // 4), 60 + seed).convert("RGB").resize(size, Image.BICUBIC)
    grad = Image.linear_gradient("L").resize(size).convert("RGB")
    img = Image.blend(Image.blend(rough, grad, 0.5), Image.effect_noise(size, 25).convert("RGB"), 0.3)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:03:01 22:10:05"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (31.0, 13.0, 12.0), "E", (121.0, 32.0, 24.0)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def fresh_bytes(jpeg):
    """The same picture as new bytes (a comment segment with a UUID): a new photo every time."""
    com = b"\xff\xfe" + (2 + 32).to_bytes(2, "big") + uuid.uuid4().hex.encode()
    return jpeg[:2] + com + jpeg[2:]


def phone_downscale(jpeg, long_edge=1600, quality=80):
    """What upload.js does: long edge to the policy's, JPEG at its quality, the camera's EXIF kept."""
    from PIL import Image

    img = Image.open(io.BytesIO(jpeg))
    exif = img.info.get("exif")
    img.thumbnail((long_edge, long_edge), Image.BILINEAR)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, **({"exif": exif} if exif else {}))
    return out.getvalue()


def inspection(photo_ids):
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    results = []
    for n in range(1, 21):
        failed = {3: 0, 14: 1}.get(n)
        results.append({"item_key": f"item_{n:02d}", "status": "fail" if failed is not None else "pass",
                        "note": "3 号泵漏水" if n == 3 else ("14 号风机异响" if n == 14 else ""),
                        "photo_ids": [photo_ids[failed]] if failed is not None else []})
    return {"id": str(uuid.uuid4()), "checkpoint_code": CHECKPOINT, "checklist_key": CHECKLIST,
            "checklist_version": 1,  # the 20-item checklist is made fresh for each server
            "started_at": now, "finished_at": now, "location": {"lat": 31.2204, "lon": 121.544, "accuracy_m": 8.0},
            "results": results}


# --- the phone's requests, over one kept-alive connection --------------------------------------

class Phone:
    def __init__(self, server, token, port=None):
        self.server, self.token, self.port = server, token, port
        self.conn = None
        self.requests = 0
        self.sent = 0

    def call(self, method, path, body=None, headers=None):
        h = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = self.server.connection(self.port)
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        self.requests += 1
        self.sent += len(body or b"")
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return r.status, data

    def upload_resumable(self, data):
        sha = hashlib.sha256(data).hexdigest()
        status, body = self.call("POST", "/api/v1/photos/uploads", json.dumps({"sha256": sha, "size_bytes": len(data)}),
                                 {"Content-Type": "application/json"})
        state = json.loads(body)
        assert status in (200, 201), body
        if not state["complete"]:
            status, body = self.call("PATCH", f"/api/v1/photos/uploads/{state['id']}", data[state["offset"]:],
                                     {"Upload-Offset": str(state["offset"]),
                                      "Content-Type": "application/offset+octet-stream"})
            assert status == 200 and json.loads(body)["complete"], (status, body[:300])
        return sha

    def upload_put(self, data):
        """What upload.js does first: the whole photo in one PUT under its SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        status, body = self.call("PUT", f"/api/v1/photos/{sha}", data, {"Content-Type": "application/octet-stream"})
        assert status in (200, 201), (status, body[:300])
        return sha

    def upload_oneshot(self, data):
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
                f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        status, out = self.call("POST", "/api/v1/photos", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert status in (200, 201), (status, out[:300])
        return json.loads(out)["id"]

    def submit(self, photos, resumable=True):
        ids = [(self.upload_put if resumable else self.upload_oneshot)(p) for p in photos]
        status, body = self.call("POST", "/api/v1/inspections", json.dumps(inspection(ids)),
                                 {"Content-Type": "application/json"})
        assert status == 201, (status, body[:300])


def _submit_loop(base, port, token, photos, resumable, start_at, end_at, out):
    """One client process's share: submissions back to back until end_at."""
    class _S:  # just enough of Server for Phone
        tls = False

        def connection(self, p=None, timeout=300):
            return http.client.HTTPConnection("127.0.0.1", p or port, timeout=timeout)

    done, errors, times = 0, 0, []
    phone = Phone(_S(), token)
    while time.time() < start_at:
        time.sleep(0.01)
    while time.time() < end_at:
        t0 = time.time()
        try:
            phone.submit([fresh_bytes(p) for p in photos], resumable)
            done += 1
            times.append(time.time() - t0)
        except (AssertionError, OSError, http.client.HTTPException):
            errors += 1
    out.put((done, errors, times))


def load(server, token, photos, clients, seconds, resumable, loop=_submit_loop):
    """``clients`` phones submitting back to back: (submissions/s, errors, cpu s/submission, p50 s).
    ``loop`` is one client process's share (``_submit_loop``'s arguments; bench/odk.py passes its own).
    A server with a ``settle()`` (work it defers past the response) is let finish it before the load
    and before its CPU is read after it, so that work is counted."""
    settle = getattr(server, "settle", lambda: None)
    settle()
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    start_at = time.time() + 1.5
    end_at = start_at + seconds
    ps = [ctx.Process(target=loop, args=(server.base, server.port, token, photos, resumable, start_at, end_at, q))
          for _ in range(clients)]
    for p in ps:
        p.start()
    while time.time() < start_at:
        time.sleep(0.01)
    before = server.cpu()
    results = [q.get(timeout=seconds + 300) for _ in ps]
    settle()
    after = server.cpu()
    backends = set(server.backend_pids())
    for p in ps:
        p.join()
    done = sum(r[0] for r in results)
    times = [t for r in results for t in r[2]]
    db_after = {pid: v for pid, v in after.items() if pid in backends}
    return {"rate": done / seconds, "done": done, "errors": sum(r[1] for r in results),
            "cpu_ms": 1000 * cpu_delta(before, after) / max(done, 1),
            "db_ms": 1000 * cpu_delta(before, db_after) / max(done, 1),
            "p50_s": statistics.median(times) if times else None}


# --- the figures -----------------------------------------------------------------------------------

ROWS = []


def row(figure, value, reference, goal, ok, note=""):
    ROWS.append((figure, value, reference, goal, "yes" if ok else "**no**", note))
    print(f"{figure}: {value} | reference {reference} | goal {goal} | {'met' if ok else 'NOT MET'} {note}", flush=True)


def fig_submit(new, old, args):
    photos = [camera_jpeg(1, quality=62), camera_jpeg(2, quality=62)]
    sizes = "/".join(f"{len(p) / 1e6:.1f}" for p in photos)
    tn, to = new.login(), old.login()
    # one client alone first: the cleanest CPU figure and the phone's wait
    one_new = load(new, tn, photos, 1, args.seconds, True)
    one_old = load(old, to, photos, 1, args.seconds, False)
    row(f"server CPU per full submission, 1 client (2 × {sizes} MB photos + 20-item inspection; app + PostgreSQL)",
        f"{one_new['cpu_ms']:.0f} ms (PostgreSQL {one_new['db_ms']:.0f})",
        f"{one_old['cpu_ms']:.0f} ms before (PostgreSQL {one_old['db_ms']:.0f})", "≤ 70 ms", one_new["cpu_ms"] <= 70,
        f"one submission takes {one_new['p50_s'] * 1000:.0f} ms (before {one_old['p50_s'] * 1000:.0f} ms)")
    for clients in (8, 32):
        a = load(new, tn, photos, clients, args.seconds, True)
        b = load(old, to, photos, clients, args.seconds, False)
        ratio = a["rate"] / b["rate"] if b["rate"] else float("inf")
        row(f"full submissions/s, {clients} clients", f"{a['rate']:.1f}/s (CPU {a['cpu_ms']:.0f} ms each, "
            f"{a['errors']} errors)", f"{b['rate']:.1f}/s before (CPU {b['cpu_ms']:.0f} ms, {b['errors']} errors)",
            "≥ 1.5× ODK Central (not run here; the code before ran at 0.57× ODK in the issue, so ≥ 2.63× before)",
            ratio >= 1.5 / 0.57, f"{ratio:.2f}× before")
    mem = new.peak_memory_mb()
    row("peak server memory (master + workers, VmHWM)", f"{mem:.0f} MB", f"{old.peak_memory_mb():.0f} MB before",
        "≤ 300 MB", mem <= 300)


def fig_fetch(new, old, args):
    from bench.run import run_load

    res = {}
    for s in (new, old):
        token = s.login()
        res[s.name] = run_load(f"{s.base}/api/v1/checklists/{CHECKLIST}", "GET", [f"Authorization: Bearer {token}"],
                               duration=args.seconds, concurrency=8)["rps"]
    ratio = res["new"] / res["before"]
    row("GET /checklists/{key} req/s, 8 clients", f"{res['new']:.0f} req/s", f"{res['before']:.0f} req/s before",
        "≥ 2× ODK Central: before was 2.3–2.65× it, so ≥ 0.87× before", ratio >= 0.87, f"{ratio:.2f}× before")


def _percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _probe_me(server, token, seconds, out):
    end = time.time() + seconds
    while time.time() < end:
        t0 = time.perf_counter()
        status, _b, _h = server.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        out.append((time.perf_counter() - t0) * 1000 if status == 200 else 1e9)
        time.sleep(0.1)


def _slow_phone(server, token, data, oneshot, results):
    with Throttle(server.port, **LINK) as port:
        phone = Phone(server, token, port)
        t0 = time.time()
        try:
            (phone.upload_oneshot if oneshot else phone.upload_resumable)(data)
            results.append(("ok", time.time() - t0))
        except (AssertionError, OSError, http.client.HTTPException) as exc:
            results.append((f"failed: {exc!r}"[:120], time.time() - t0))


def fig_slow(new, tls, args):
    token = new.login()
    big = camera_jpeg(7, quality=90)  # a 12 MP camera photo of ~4 MB, sent as taken (the old phone)
    idle = []
    _probe_me(new, token, 10, idle)
    results, tls_results, probes = [], [], []
    phones = [threading.Thread(target=_slow_phone, args=(new, token, fresh_bytes(big), False, results))
              for _ in range(10)]
    tls_phone = threading.Thread(target=_slow_phone, args=(tls, tls.login(), fresh_bytes(big), True, tls_results))
    for t in phones + [tls_phone]:
        t.start()
    time.sleep(2)
    prober = threading.Thread(target=_probe_me, args=(new, token, 60, probes))
    prober.start()
    for t in phones + [tls_phone, prober]:
        t.join()
    p99, idle99 = _percentile(probes, 99), _percentile(idle, 99)
    row(f"GET /me p99 while 10 phones upload {len(big) / 1e6:.1f} MB at 400 kbps", f"{p99:.0f} ms",
        f"{idle99:.0f} ms with no uploads", "< 200 ms", p99 < 200, f"{len(probes)} probes")
    ok = [r for r in results if r[0] == "ok"]
    row(f"{len(big) / 1e6:.1f} MB uploads at 400 kbps / 400 ms completed (resumable PATCH)",
        f"{len(ok)}/10 in {max(r[1] for r in results):.0f} s", "sync workers killed them at 60 s before",
        "all complete", len(ok) == 10, "; ".join(sorted({r[0] for r in results if r[0] != 'ok'})))
    r = tls_results[0]
    row(f"{len(big) / 1e6:.1f} MB one-shot POST /photos at 400 kbps over TLS (patrol serve --certfile)",
        f"{r[0]} in {r[1]:.0f} s", "killed at 60 s before", "completes", r[0] == "ok")


def fig_radio(new, args):
    token = new.login()
    originals = [camera_jpeg(3, quality=90), camera_jpeg(4, quality=90)]
    photos = [phone_downscale(fresh_bytes(p)) for p in originals]
    with Throttle(new.port, **LINK) as port:
        phone = Phone(new, token, port)
        t0 = time.time()
        phone.submit(photos, resumable=True)
        took = time.time() - t0
    sent = sum(len(p) for p in photos)
    before = sum(len(p) for p in originals) * 8 / (LINK["up_kbps"] * 1000)
    row("a 20-item round with 2 photos reaches the server at 400 kbps / 400 ms (default settings)",
        f"{took:.1f} s ({phone.requests} requests, {sent / 1e3:.0f} KB of photos)",
        f"≥ {before:.0f} s before (the originals' {sum(len(p) for p in originals) / 1e6:.1f} MB alone)",
        "≤ 30 s", took <= 30, "12 MP photos downscaled to 1600 px, q0.8, as upload.js does")


class _Counting(Phone):
    def call_raw(self, path, headers):
        """GET counting the bytes on the wire (body as sent, compressed or not)."""
        h = {"Authorization": f"Bearer {self.token}", **headers}
        if self.conn is None:
            self.conn = self.server.connection(self.port)
        self.conn.request("GET", path, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        self.requests += 1
        self.sent += len(data) + sum(len(k) + len(v) + 4 for k, v in r.getheaders())
        if r.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return r.status, data, r


def _login_through(server, port):
    c = server.connection(port)
    body = json.dumps({"username": "guard1", "password": PASSWORD})
    c.request("POST", "/api/v1/auth/login", body=body, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return json.loads(data)["token"], len(data) + sum(len(k) + len(v) + 4 for k, v in r.getheaders())


def fig_sync(new, old, args):
    out = {}
    for s in (new, old):
        with Throttle(s.port, **LINK) as port:
            t0 = time.time()
            token, wire = _login_through(s, port)
            phone = _Counting(s, token, port)
            if s is new:
                status, data, _r = phone.call_raw("/api/v1/sync", {"Accept-Encoding": "gzip"})
                assert status == 200
            else:  # what data.js did before: 16 sequential GETs, uncompressed
                phone.call_raw("/api/v1/me", {})
                sites = json.loads(phone.call_raw("/api/v1/sites", {})[1])
                for site in sites:
                    phone.call_raw(f"/api/v1/sites/{site['id']}/checkpoints", {})
                for c in json.loads(phone.call_raw("/api/v1/checklists", {})[1]):
                    phone.call_raw(f"/api/v1/checklists/{c['key']}", {})
                phone.call_raw("/api/v1/tasks", {})
            took = time.time() - t0
            out[s.name] = (phone.requests + 1, (phone.sent + wire) / 1024, took)
    n, kb, secs = out["new"]
    on, okb, osecs = out["before"]
    row("first sync after login at 400 kbps / 400 ms (login included)", f"{n} requests, {kb:.1f} KB, {secs:.1f} s",
        f"{on} requests, {okb:.1f} KB, {osecs:.1f} s before", "≤ 3 requests, ≤ 40 KB compressed", n <= 3 and kb <= 40)


def self_signed(folder):
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    return cert, key


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="submit,fetch,slow,radio,sync")
    ap.add_argument("--before", default="08198c1", help="git ref of the reference server's code "
                    "(default: main as it was before this work)")
    ap.add_argument("--seconds", type=float, default=12, help="seconds of load per throughput figure")
    args = ap.parse_args()
    only = set(args.only.split(","))
    os.makedirs(VAR, exist_ok=True)
    started = datetime.now(timezone.utc)
    new = Server("new").prepare()
    old = Server("before", unpack(args.before)).prepare() if only & {"submit", "fetch", "sync"} else None
    with new:
        if old is not None:
            old.__enter__()
        try:
            if "submit" in only:
                fig_submit(new, old, args)
            if "fetch" in only:
                fig_fetch(new, old, args)
            if "sync" in only:
                fig_sync(new, old, args)
            if "radio" in only:
                fig_radio(new, args)
            if "slow" in only:
                cert, key = self_signed(VAR)
                with Server("tls", certfile=cert, keyfile=key).prepare() as tls:
                    fig_slow(new, tls, args)
        finally:
            if old is not None:
                old.__exit__(None, None, None)
    print(f"\nMeasured {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"reference code: {args.before}\n")
    print("| figure | value | same-run reference | goal | met | note |\n|---|---|---|---|---|---|")
    for r in ROWS:
        print("| " + " | ".join(str(x) for x in r) + " |")


if __name__ == "__main__":
    main()
