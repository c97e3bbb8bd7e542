"""Issue #15's side-by-side: ODK Central's backend and patrol taking in the same round on this machine,
measured in alternation in one run, printed with the ratio patrol / ODK.

    python bench/odk.py --odk /work/odk/central-backend --node /work/odk/node/bin/node
    python bench/odk.py ... --rounds 3 --seconds 12      # A B A B A B (the defaults)

ODK Central is not part of patrol: set its backend up outside this repository first (bench/README.md,
"Beside ODK Central", says how, and which commit was measured). This script then gives it a fresh
database of its own (``odk_bench`` on ``BENCH_PG_URL``'s server), runs its migrations, makes a user,
a project, the form below (published), an app user with access to it (as ODK Collect uses), and
starts it as Central ships it: ``pm2-runtime pm2.config.js`` with ``WORKER_COUNT`` (2) workers.
patrol is ``patrol serve`` as shipped (gunicorn, 2 workers), from this tree, on its own database
(bench/ingest.py's ``Server``).

A full submission is a 20-item round with 2 failed items, each with a note and one photo: the
same two ~1.7 MB 12 MP JPEGs bench/ingest.py uses, made new bytes for every submission.
* patrol: as the phone sends it (``PUT /photos/{sha256}`` twice, then ``POST /inspections``).
* ODK: as ODK Collect sends it, one OpenRosa multipart ``POST /v1/key/{app user}/projects/{id}/submission``
  (``xml_submission_file`` + the two images) against a form of 20 select_one questions, 2 text
  notes and 2 image questions (the form's XML is ``form_xml()``).

Server CPU is read from /proc before and after each load: for patrol the gunicorn workers, for ODK
every process under pm2-runtime (its daemon, which also hands connections to the workers, and the
workers), and for both the PostgreSQL backends of their own database (``pg_stat_activity``).
At the end every stored submission is counted in each database: each accepted one stored once, with
both photos.
"""
import argparse
import contextlib
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.ingest import (CHECKLIST, VAR, Server, _pg, camera_jpeg, fresh_bytes,  # noqa: E402
                          fresh_database, load)
from tests.live import free_port  # noqa: E402

ODK_VAR = os.path.join(VAR, "odk")
FORM_ID = "plant_room_round"
ODK_EMAIL = "bench@example.org"
ODK_PASSWORD = "bench-pass-123456"
# events Central's workers take jobs for (lib/worker/jobs.js), except the form's Enketo ones, which
# fail here (no Enketo) and are tried again only after 10 minutes
WORKER_ACTIONS = ("submission.create", "submission.update.version", "submission.update",
                  "submission.attachment.update", "submission.backlog.reprocess", "dataset.update")
FAILED = {3: 0, 14: 1}  # item number -> which photo (as bench/ingest.py's inspection)


# --- the form and a submission, as ODK Collect sends it --------------------------------------------

def form_xml():
    items = [f"item_{n:02d}" for n in range(1, 21)]
    extra = [f"note_{n:02d}" for n in FAILED] + [f"photo_{n:02d}" for n in FAILED]
    binds = "".join(f'<bind nodeset="/data/{i}" type="string" required="true()"/>' for i in items)
    binds += "".join(f'<bind nodeset="/data/note_{n:02d}" type="string"/>' for n in FAILED)
    binds += "".join(f'<bind nodeset="/data/photo_{n:02d}" type="binary"/>' for n in FAILED)
    choices = ('<item><label>pass</label><value>pass</value></item>'
               '<item><label>fail</label><value>fail</value></item>')
    body = "".join(f'<select1 ref="/data/{i}"><label>{i}</label>{choices}</select1>' for i in items)
    body += "".join(f'<input ref="/data/note_{n:02d}"><label>note {n}</label></input>' for n in FAILED)
    body += "".join(f'<upload mediatype="image/*" ref="/data/photo_{n:02d}"><label>photo {n}</label></upload>'
                    for n in FAILED)
    fields = "".join(f"<{f}/>" for f in items + extra)
    return (
        '<?xml version="1.0"?>'
        '<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" '
        'xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">'
        '<h:head><h:title>Plant room round</h:title><model>'
        f'<instance><data id="{FORM_ID}" version="1">{fields}<meta><instanceID/></meta></data></instance>'
        f'{binds}<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>'
        f'</model></h:head><h:body>{body}</h:body></h:html>').encode()


def submission_xml(instance_id):
    values = "".join(f"<item_{n:02d}>{'fail' if n in FAILED else 'pass'}</item_{n:02d}>" for n in range(1, 21))
    values += "<note_03>3 号泵漏水</note_03><note_14>14 号风机异响</note_14>"
    values += "".join(f"<photo_{n:02d}>photo_{n:02d}.jpg</photo_{n:02d}>" for n in FAILED)
    return (f'<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" '
            f'id="{FORM_ID}" version="1">{values}<meta><instanceID>uuid:{instance_id}</instanceID></meta>'
            f'</data>').encode()


def multipart(photos):
    """One OpenRosa submission: the XML and each photo as a part named after its file."""
    boundary = uuid.uuid4().hex
    parts = [(b"xml_submission_file", b"submission.xml", b"text/xml", submission_xml(uuid.uuid4()))]
    parts += [(f"photo_{n:02d}.jpg".encode(),) * 2 + (b"image/jpeg", fresh_bytes(photos[i])) for n, i in FAILED.items()]
    out = []
    for name, filename, ctype, data in parts:
        out += [b"--", boundary.encode(), b'\r\nContent-Disposition: form-data; name="', name,
                b'"; filename="', filename, b'"\r\nContent-Type: ', ctype, b"\r\n\r\n", data, b"\r\n"]
    out += [b"--", boundary.encode(), b"--\r\n"]
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def _odk_loop(base, port, path, photos, _resumable, start_at, end_at, out):
    """One ODK Collect's share: submissions back to back on a kept-alive connection until end_at."""
    done, errors, times = 0, 0, []
    conn = None
    while time.time() < start_at:
        time.sleep(0.01)
    while time.time() < end_at:
        t0 = time.time()
        body, ctype = multipart(photos)
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            conn.request("POST", path, body=body, headers={
                "Content-Type": ctype, "X-OpenRosa-Version": "1.0", "User-Agent": "bench/odk.py (ODK Collect-like)"})
            r = conn.getresponse()
            r.read()
            assert r.status == 201, r.status
            done += 1
            times.append(time.time() - t0)
        except (AssertionError, OSError, http.client.HTTPException):
            errors += 1
            if conn is not None:
                conn.close()
            conn = None
    out.put((done, errors, times))


@contextlib.contextmanager
def _db(name):
    """A cursor on database ``name`` of the bench's PostgreSQL server (autocommit)."""
    import psycopg2

    conn, u = _pg()
    conn.close()
    conn = psycopg2.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres", dbname=name)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


# --- ODK Central's backend --------------------------------------------------------------------------

class OdkServer:
    """ODK Central's backend from ``tree``, run by ``node``, as Central ships it (pm2-runtime, N workers)."""

    name = "odk"

    def __init__(self, tree, node, workers=2):
        self.tree, self.node = tree, node
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_name = "odk_bench"
        shutil.rmtree(ODK_VAR, ignore_errors=True)
        os.makedirs(ODK_VAR)
        _conn, u = _pg()
        _conn.close()
        config = {"default": {
            "database": {"host": u.hostname, "port": u.port or 5432, "user": u.username or "postgres",
                         "password": "unused-with-trust", "database": self.db_name},
            "server": {"port": self.port},
            "env": {"domain": self.base},
            "external": {"analytics": {}, "mailingListOptIn": {}}}}
        self.env = dict(os.environ, NODE_CONFIG=json.dumps(config), WORKER_COUNT=str(workers),
                        PM2_HOME=os.path.join(ODK_VAR, "pm2"), PGAPPNAME="odkcentral",
                        PATH=os.path.dirname(node) + os.pathsep + os.environ.get("PATH", ""))
        self.log = open(os.path.join(ODK_VAR, "server.log"), "ab")
        self.proc = None
        self.submit_path = None

    def _node(self, *args, stdin=None):
        subprocess.run([self.node, *args], cwd=self.tree, env=self.env, check=True, input=stdin,
                       stdout=self.log, stderr=subprocess.STDOUT, timeout=600)

    def prepare(self):
        fresh_database(self.db_name)
        with _db(self.db_name) as cur:
            for ext in ("CITEXT", "pg_trgm", "pgrowlocks"):  # the README's manual database set-up
                cur.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
        self._node("lib/bin/run-migrations.js")
        self._node("lib/bin/cli.js", "-u", ODK_EMAIL, "user-create", stdin=(ODK_PASSWORD + "\n").encode())
        self._node("lib/bin/cli.js", "-u", ODK_EMAIL, "user-promote")
        return self

    def __enter__(self):
        self.proc = subprocess.Popen([self.node, "node_modules/pm2/bin/pm2-runtime", "pm2.config.js"],
                                     cwd=self.tree, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if self.request("GET", "/v1/users/current")[0] in (401, 403):
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError(f"ODK Central did not start; see {self.log.name}")
        self._setup_form()
        return self

    __exit__ = Server.__exit__  # SIGTERM to the process group (pm2 stops its workers), SIGKILL after 30 s

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def api(self, method, path, body=None, token=None, ctype="application/json"):
        headers = {"Content-Type": ctype}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if isinstance(body, dict):
            body = json.dumps(body)
        status, data = self.request(method, "/v1" + path, body, headers)
        assert status == 200, (method, path, status, data[:300])
        return json.loads(data)

    def _setup_form(self):
        """A project, the form published, an app user (ODK Collect's credential) allowed to submit to it."""
        token = self.api("POST", "/sessions", {"email": ODK_EMAIL, "password": ODK_PASSWORD})["token"]
        project = self.api("POST", "/projects", {"name": "patrol bench"}, token)["id"]
        self.api("POST", f"/projects/{project}/forms?publish=true", form_xml(), token, "application/xml")
        app_user = self.api("POST", f"/projects/{project}/app-users", {"displayName": "phone"}, token)
        self.api("POST", f"/projects/{project}/forms/{FORM_ID}/assignments/app-user/{app_user['id']}", b"", token)
        self.submit_path = f"/v1/key/{app_user['token']}/projects/{project}/submission"

    def login(self):
        return self.submit_path

    def settle(self, timeout=300):
        """Wait until Central's workers have processed every event they would (``lib/worker/worker.js``'s
        queue: unprocessed audits of an action with jobs; each submission is one, ``submission.create``).
        An idle worker loop backs off to 25 s between polls, so this can take that long."""
        actions = list(WORKER_ACTIONS)
        deadline = time.time() + timeout
        while time.time() < deadline:
            with _db(self.db_name) as cur:
                cur.execute("SELECT count(*) FROM audits WHERE processed IS NULL AND failures < 5 "
                            "AND action = ANY(%s)", (actions,))
                if cur.fetchone()[0] == 0:
                    return
            time.sleep(0.5)
        raise RuntimeError("ODK Central's workers did not finish their queue in time")

    # what the server spends: everything under pm2-runtime and this database's backends
    def worker_pids(self):
        parents = {}
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/stat") as fh:
                        parents[int(pid)] = int(fh.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    pass
        tree, grew = {self.proc.pid}, True
        while grew:
            more = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= more
            grew = bool(more)
        return sorted(tree)

    backend_pids = Server.backend_pids
    cpu = Server.cpu

    def peak_memory_mb(self):
        total = 0
        for pid in self.worker_pids():
            with open(f"/proc/{pid}/status") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
        return total / 1024

    def stored(self):
        """(submissions, attachments with their photo) in ODK's database."""
        with _db(self.db_name) as cur:
            cur.execute('SELECT count(*) FROM submissions WHERE "deletedAt" IS NULL')
            subs = cur.fetchone()[0]
            cur.execute('SELECT count(*) FROM submission_attachments WHERE "blobId" IS NOT NULL')
            return subs, cur.fetchone()[0]


def patrol_stored(server):
    """(inspections of the bench's checklist, photos) in patrol's database."""
    with _db(server.db_name) as cur:
        cur.execute("SELECT count(*) FROM inspection WHERE checklist_key = %s", (CHECKLIST,))
        subs = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM photo")
        return subs, cur.fetchone()[0]


class Tracked:
    """A server whose ``cpu()`` also remembers processes that ended since it started: Central's
    database pool closes a connection idle for 5 s, and a backend gone before the load ends would
    take its CPU out of the figure. Sampled every 0.5 s: a backend's CPU before it went idle and
    closed is all counted. Everything else is the server's own."""

    def __init__(self, server):
        import threading

        self.server, self.seen, self.backends = server, {}, set()
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def __getattr__(self, name):
        return getattr(self.server, name)

    def _sample(self):
        while not self.stop.wait(0.5):
            self.cpu()

    def backend_pids(self):
        pids = self.server.backend_pids()
        with self.lock:
            self.backends.update(pids)
            return sorted(self.backends)

    def cpu(self):
        now = Server.cpu(self)  # its workers' and every backend's seen so far (one query to PostgreSQL)
        with self.lock:
            self.seen.update(now)
            return dict(self.seen)


# --- the run --------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--odk", required=True, help="ODK Central backend's work tree (npm ci --omit=dev done)")
    ap.add_argument("--node", required=True, help="Node 24's node binary")
    ap.add_argument("--workers", type=int, default=2, help="workers for each server (pm2 / gunicorn)")
    ap.add_argument("--rounds", type=int, default=3, help="A B A B rounds (the order flips each round)")
    ap.add_argument("--seconds", type=float, default=12, help="seconds of load per figure")
    ap.add_argument("--clients", default="1,8,32")
    ap.add_argument("--warmup", type=float, default=6, help="seconds of 4-client load on each server first, not counted")
    args = ap.parse_args()
    os.environ["PATROL_WORKERS"] = str(args.workers)
    os.makedirs(VAR, exist_ok=True)
    started = datetime.now(timezone.utc)
    photos = [camera_jpeg(1, quality=62), camera_jpeg(2, quality=62)]
    patrol = Server("patrol_vs_odk").prepare()
    odk = OdkServer(args.odk, args.node, args.workers).prepare()
    clients = [int(c) for c in args.clients.split(",")]
    res = {(s, c): [] for s in ("patrol", "odk") for c in clients}
    accepted = {"patrol": 0, "odk": 0}
    with patrol, odk:
        tokens = {"patrol": patrol.login(), "odk": odk.login()}
        servers = {"patrol": Tracked(patrol), "odk": Tracked(odk)}
        counts = {"patrol": patrol_stored(patrol), "odk": odk.stored()}
        loops = {"patrol": {}, "odk": {"loop": _odk_loop}}
        for s in ("patrol", "odk"):  # warm-up, not counted: JIT, connection pools, page cache
            accepted[s] += load(servers[s], tokens[s], photos, 4, args.warmup, True, **loops[s])["done"]
        for rnd in range(args.rounds):
            order = ("patrol", "odk") if rnd % 2 == 0 else ("odk", "patrol")
            for c in clients:
                for s in order:
                    r = load(servers[s], tokens[s], photos, c, args.seconds, True, **loops[s])
                    res[(s, c)].append(r)
                    accepted[s] += r["done"]
                    print(f"round {rnd + 1}, {c} clients, {s}: {r['rate']:.1f}/s, CPU {r['cpu_ms']:.0f} ms "
                          f"(PostgreSQL {r['db_ms']:.0f}), p50 {1000 * (r['p50_s'] or 0):.0f} ms, "
                          f"{r['errors']} errors", flush=True)
        for tracked in servers.values():
            tracked.stop.set()
        memory = {"patrol": patrol.peak_memory_mb(), "odk": odk.peak_memory_mb()}
        stored = {s: tuple(b - a for a, b in zip(counts[s], now))
                  for s, now in (("patrol", patrol_stored(patrol)), ("odk", odk.stored()))}
    load_avg = os.getloadavg()

    def mean(s, c, key):
        vals = [r[key] for r in res[(s, c)] if r[key] is not None]
        return statistics.mean(vals) if vals else float("nan")

    rows = []
    for c in clients:
        cp, co = mean("patrol", c, "cpu_ms"), mean("odk", c, "cpu_ms")
        dp, do = mean("patrol", c, "db_ms"), mean("odk", c, "db_ms")
        rows.append((f"server CPU per full submission, {c} client{'s' if c > 1 else ''} (app + PostgreSQL)",
                     f"{cp:.0f} ms ({cp - dp:.0f} app + {dp:.0f} PG)",
                     f"{co:.0f} ms ({co - do:.0f} Node + {do:.0f} PG)", f"{cp / co:.2f}"))
    for c in clients:
        rp, ro = mean("patrol", c, "rate"), mean("odk", c, "rate")
        each = lambda s: "/".join(f"{r['rate']:.1f}" for r in res[(s, c)])  # noqa: E731
        rows.append((f"full submissions/s, {c} client{'s' if c > 1 else ''}", f"{rp:.1f}/s ({each('patrol')})",
                     f"{ro:.1f}/s ({each('odk')})", f"**{rp / ro:.2f}**" if ro else "—"))
    if 1 in clients:
        wp, wo = 1000 * mean("patrol", 1, "p50_s"), 1000 * mean("odk", 1, "p50_s")
        rows.append(("one submission, one client, wall time (median)", f"{wp:.0f} ms", f"{wo:.0f} ms",
                     f"{wp / wo:.2f}"))
    rows.append(("peak server memory (sum of VmHWM)", f"{memory['patrol']:.0f} MB", f"{memory['odk']:.0f} MB",
                 f"{memory['patrol'] / memory['odk']:.2f}"))
    errors = {s: sum(r["errors"] for c in clients for r in res[(s, c)]) for s in ("patrol", "odk")}
    shown = {s: f"{accepted[s]} / {stored[s][0]}, {stored[s][1]} photos ({errors[s]})" for s in stored}
    rows.append(("submissions accepted / stored, photos stored (errors)", shown["patrol"], shown["odk"], "—"))
    print(f"\nMeasured {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {args.workers} workers each, "
          f"{args.rounds} rounds of {args.seconds:.0f} s per figure (mean; each round in brackets), "
          f"load average at the end {load_avg[0]:.1f}\n")
    print("| figure | patrol | ODK Central | patrol / ODK |\n|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    ok = all(stored[s] == (accepted[s], 2 * accepted[s]) for s in stored)
    print("\nevery accepted submission stored once, with both photos:", "yes" if ok else "NO")


if __name__ == "__main__":
    main()
