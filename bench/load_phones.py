"""Load: many simulated phones syncing a day's rounds (photos, then inspections) against one
machine over 127.0.0.1, retrying like the phone app's outbox does. Not a unit test.

    python bench/load_phones.py                           # 200 phones, own server (SQLite), 60 s cap
    python bench/load_phones.py --phones 300 --rounds 12 --workers 4 --duration 120
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/load_phones.py
    python bench/load_phones.py --url http://127.0.0.1:8000 --password patrol-demo

Each phone logs in once, then for every inspection of its day uploads the photos of failed items
(original bytes; a retry of the same bytes answers 200 with the same id) and submits the inspection
under a client-made UUID, retrying network errors and 5xx with backoff until the server
acknowledges it (2xx). At the end every acknowledged inspection and photo is read back: what is
missing is "lost". Prints throughput, p50/p99 latency, errors, retries, lost and worker RSS.

``Phone`` and ``build_day`` are also used by tests/hardening/test_fault_kill.py.
"""
import argparse
import hashlib
import io
import os
import random
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

RETRY_STATUSES = (502, 503, 504)
FIELD_USERS = {"LHY": ["guard1", "guard3"], "HQT": ["guard2"]}


def photo_bytes(seed, size=(480, 360)):
    """A small real JPEG; different seeds give different bytes (and so different ids)."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    img = Image.new("RGB", size, (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        draw.ellipse([x, y, x + 40, y + 30], fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    draw.text((8, 8), f"lamp {seed}", fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


class Gave(Exception):
    """The server refused work that should have been accepted (4xx), or time ran out."""


class Phone:
    """One phone: a keep-alive session, a token, and an outbox drained in order with retries."""

    def __init__(self, base_url, username, password, deadline, timeout=15):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.username = username
        self.password = password
        self.deadline = deadline
        self.timeout = timeout
        self.session = requests.Session()
        self.token = None
        self.latencies = []  # seconds, acknowledged calls only
        self.retries = 0
        self.server_errors = 0  # 5xx answers (a dead worker gives a reset, not a 5xx)
        self.refusals = []  # 4xx answers to work that was valid: bugs
        self.acked_photos = set()
        self.acked_inspections = {}  # id -> body sent

    def _call(self, method, path, ok=(200, 201), **kw):
        """Send until acknowledged; network errors and 5xx are retried with the same request."""
        delay = 0.05
        while True:
            if time.monotonic() > self.deadline:
                raise Gave(f"{self.username}: out of time on {method} {path}")
            headers = dict(kw.pop("headers", {}) or {})
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            if "files" in kw:  # a retry must resend the bytes from the start
                kw["files"] = {k: (v[0], io.BytesIO(v[1].getvalue() if hasattr(v[1], "getvalue") else v[1]), v[2])
                               for k, v in kw["files"].items()}
            t0 = time.monotonic()
            try:
                r = self.session.request(method, self.base + path, headers=headers, timeout=self.timeout, **kw)
            except requests.RequestException:
                self.retries += 1
                self.session.close()
                self.session = requests.Session()
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            if r.status_code in ok:
                self.latencies.append(time.monotonic() - t0)
                return r
            if r.status_code >= 500:
                self.server_errors += 1
                self.retries += 1
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            if r.status_code == 429:
                self.retries += 1
                time.sleep(min(float(r.headers.get("Retry-After", 1)), 1.0))
                continue
            self.refusals.append((method, path, r.status_code, r.text[:300]))
            raise Gave(f"{self.username}: {method} {path} -> {r.status_code} {r.text[:200]}")

    def login(self):
        r = self._call("POST", "/auth/login", json={"username": self.username, "password": self.password})
        self.token = r.json()["token"]

    def get(self, path, **params):
        return self._call("GET", path, params=params).json()

    def upload(self, data):
        r = self._call("POST", "/photos", files={"file": ("photo.jpg", data, "image/jpeg")})
        pid = r.json()["id"]
        if pid != hashlib.sha256(data).hexdigest():
            raise Gave(f"photo id {pid} is not the SHA-256 of the bytes sent")
        self.acked_photos.add(pid)
        return pid

    def submit(self, body):
        self._call("POST", "/inspections", json=body)
        self.acked_inspections[body["id"]] = body

    def sync(self, outbox):
        """Drain an outbox of (photos by item, inspection body) in order: photos first."""
        for photos, body in outbox:
            for result in body["results"]:
                for data in photos.get(result["item_key"], []):
                    result.setdefault("photo_ids", []).append(self.upload(data))
            self.submit(body)


def load_rounds(phone, site_code):
    """The checkpoints of a site with the current version of each checklist that applies."""
    sites = {s["code"]: s["id"] for s in phone.get("/sites")}
    checkpoints = phone.get("/checkpoints", site_id=sites[site_code])
    versions = {}
    rounds = []
    for cp in checkpoints:
        for cl in cp.get("checklists", []):
            if cl["key"] not in versions:
                versions[cl["key"]] = phone.get(f"/checklists/{cl['key']}")
            rounds.append((cp, versions[cl["key"]]))
    return rounds


def build_day(rounds, n, seed, fail_rate=0.1, photo_size=(480, 360)):
    """An outbox of ``n`` inspections: (photos by failed item key, body). Device times span a night."""
    rnd = random.Random(seed)
    start = datetime.now(timezone(timedelta(hours=8))).replace(microsecond=0) - timedelta(hours=8)
    outbox = []
    for i in range(n):
        cp, version = rounds[rnd.randrange(len(rounds))]
        results, photos = [], {}
        for item in version["items"]:
            failed = rnd.random() < fail_rate
            res = {"item_key": item["key"], "status": "fail" if failed else "pass"}
            if failed:
                res["note"] = "现场发现问题 / found on the round"
                photos[item["key"]] = [photo_bytes(seed * 100_000 + i * 100 + len(photos), photo_size)]
                res["photo_ids"] = []
            results.append(res)
        t0 = start + timedelta(minutes=5 * i)
        body = {"id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)), "checkpoint_code": cp["code"],
                "checklist_key": version["key"], "checklist_version": version["version"],
                "started_at": t0.isoformat(), "finished_at": (t0 + timedelta(minutes=3)).isoformat(),
                "results": results}
        outbox.append((photos, body))
    return outbox


def worker_rss_mb(master_pid):
    """Peak resident memory (VmHWM) of each gunicorn worker under ``master_pid``, in MB."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            if ppid != master_pid:
                continue
            with open(f"/proc/{entry}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        out.append(int(line.split()[1]) / 1024)
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return out


def count_lost(base_url, password, acked_inspections, acked_photos, deadline):
    """Read back every acknowledged inspection and photo as a manager; return what is missing."""
    reader = Phone(base_url, "manager1", password, deadline)
    reader.login()
    lost = []
    for iid in acked_inspections:
        r = reader.session.get(f"{reader.base}/inspections/{iid}",
                               headers={"Authorization": f"Bearer {reader.token}"}, timeout=30)
        if r.status_code != 200:
            lost.append(("inspection", iid, r.status_code))
    for pid in acked_photos:
        r = reader.session.get(f"{reader.base}/photos/{pid}",
                               headers={"Authorization": f"Bearer {reader.token}"}, timeout=30)
        if r.status_code != 200 or hashlib.sha256(r.content).hexdigest() != pid:
            lost.append(("photo", pid, r.status_code))
    return lost


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--phones", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=8, help="inspections per phone (a night's rounds)")
    ap.add_argument("--fail-rate", type=float, default=0.05, help="share of items failed (each with a photo)")
    ap.add_argument("--duration", type=float, default=60, help="hard cap in seconds for the sync phase")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers of the server this starts")
    ap.add_argument("--url", help="use a running server instead of starting one")
    ap.add_argument("--password", default=None, help="demo password of --url's users")
    args = ap.parse_args(argv)

    server = None
    password = args.password
    if args.url is None:
        import tempfile
        from pathlib import Path

        from tests.live import PASSWORD, LiveServer

        tmp = Path(tempfile.mkdtemp(prefix="patrol-load-"))
        server = LiveServer(tmp, demo_days=0, workers=args.workers)
        print(f"building demo data and starting {args.workers} workers in {tmp} ...", flush=True)
        server.build_demo()
        server.start()
        base, password = server.url, PASSWORD
    else:
        base, password = args.url, password or "patrol-demo"
    try:
        setup_deadline = time.monotonic() + 120
        rounds = {}
        for site, users in FIELD_USERS.items():
            probe = Phone(base, users[0], password, setup_deadline)
            probe.login()
            rounds[site] = load_rounds(probe, site)
        sites = sorted(FIELD_USERS)
        print(f"preparing {args.phones} phones x {args.rounds} inspections ...", flush=True)
        plans = []
        for n in range(args.phones):
            site = sites[n % len(sites)]
            user = FIELD_USERS[site][(n // len(sites)) % len(FIELD_USERS[site])]
            plans.append((user, build_day(rounds[site], args.rounds, seed=n + 1, fail_rate=args.fail_rate)))

        deadline = time.monotonic() + args.duration
        phones = [Phone(base, user, password, deadline) for user, _o in plans]
        failures = []
        lock = threading.Lock()

        def drive(i):
            phone, (_u, outbox) = phones[i], plans[i]
            try:
                phone.login()
                phone.sync(outbox)
            except Gave as exc:
                with lock:
                    failures.append(str(exc))

        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.phones) as pool:
            list(pool.map(drive, range(args.phones)))
        elapsed = time.monotonic() - t0
        rss = worker_rss_mb(server.proc.pid) if server else []

        inspections = {k: v for p in phones for k, v in p.acked_inspections.items()}
        photos = {pid for p in phones for pid in p.acked_photos}
        planned = sum(len(o) for _u, o in plans)
        lat = [x for p in phones for x in p.latencies]
        lost = count_lost(base, password, inspections, photos, time.monotonic() + 300)
        print()
        print(f"phones {args.phones}   inspections acknowledged {len(inspections)}/{planned}   "
              f"photos acknowledged {len(photos)}   in {elapsed:.1f} s")
        print(f"throughput      {len(inspections) / elapsed:8.1f} inspections/s   "
              f"{len(lat) / elapsed:8.1f} requests/s")
        print(f"latency         p50 {percentile(lat, 50) * 1000:7.1f} ms   p99 {percentile(lat, 99) * 1000:7.1f} ms")
        print(f"errors          5xx {sum(p.server_errors for p in phones)}   refusals "
              f"{sum(len(p.refusals) for p in phones)}   retries {sum(p.retries for p in phones)}   "
              f"phones that gave up {len(failures)}")
        print(f"lost            {len(lost)}")
        if rss:
            print(f"worker RSS      peak {max(rss):.0f} MB   (" + ", ".join(f"{x:.0f}" for x in rss) + ")")
        for f in failures[:5]:
            print("  gave up:", f)
        for item in lost[:5]:
            print("  lost:", item)
        return 1 if lost or failures else 0
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
