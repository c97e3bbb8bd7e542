"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL when DATABASE_URL says so),
the app, its test client and logged-in clients for the demo roles."""
import os
import shutil

import pytest

from api.app import create_app
from api.db import db, make_database
from tests import factories

PG_URL = os.environ.get("DATABASE_URL", "")
USE_PG = PG_URL.startswith(("postgres://", "postgresql://", "postgres+pool://"))
SHIPPED_CHECKLISTS_DIR = factories.SHIPPED_CHECKLISTS_DIR
# what every test app (and live server, and subprocess) reads: the shipped checklists with the
# test-owned policy (tests/fixtures/policy.yaml) as their policy.yaml
CHECKLISTS_DIR = factories.fixture_checklists_dir()
os.environ["PATROL_CHECKLISTS_DIR"] = CHECKLISTS_DIR


def _pg_admin_conn():
    import psycopg2
    from urllib.parse import urlparse

    u = urlparse(PG_URL.replace("postgres+pool://", "postgresql://"))
    conn = psycopg2.connect(host=u.hostname or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                            password=u.password, dbname=u.path.lstrip("/") or "test")
    conn.autocommit = True
    return conn, u


@pytest.fixture(scope="session")
def template_db(tmp_path_factory, worker_id):
    """A migrated, empty database made once per worker, through the same migrations production
    uses. SQLite: each test gets a copy of the file. PostgreSQL: each test uses the worker's
    database and its tables are emptied afterwards (TRUNCATE is ~50x cheaper than CREATE DATABASE)."""
    from api.db import init_db
    from api.migrations import migrate_up

    if USE_PG:
        import psycopg2

        conn, u = _pg_admin_conn()
        tpl = f"patrol_tpl_{worker_id}_{os.getpid()}"  # pristine: suites copy it (no one connects)
        name = f"patrol_w_{worker_id}_{os.getpid()}"  # the one each test uses, emptied after it
        base = f"postgresql://{u.username or 'postgres'}@{u.hostname or '127.0.0.1'}:{u.port or 5432}/"
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{tpl}"')
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{tpl}"')
        init_db(base + tpl)
        db.connect(reuse_if_open=True)
        migrate_up()
        db.close()
        db.obj.close_all() if hasattr(db.obj, "close_all") else None
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"')
        url = base + name
        own = psycopg2.connect(host=u.hostname or "127.0.0.1", port=u.port or 5432,
                               user=u.username or "postgres", dbname=name)
        own.autocommit = True
        with own.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'patrol_migrations'")
            tables = [r[0] for r in cur.fetchall()]
        org_dump = _build_org_snapshot_pg(url, own, tables, tmp_path_factory)
        yield {"kind": "pg", "name": tpl, "worker_db": name, "url": url, "u": u, "conn": conn, "own": own,
               "tables": tables, "org_dump": org_dump}
        own.close()
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'DROP DATABASE IF EXISTS "{tpl}" WITH (FORCE)')
        return
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    init_db(f"sqlite:///{path}")
    db.connect(reuse_if_open=True)
    migrate_up()
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    org_path = path.parent / "template_org.db"
    shutil.copy(path, org_path)
    _build_org(f"sqlite:///{org_path}", tmp_path_factory)
    yield {"kind": "sqlite", "path": str(path), "org_path": str(org_path)}


def _build_org(url, tmp_path_factory):
    """The demo organisation and checklists, built once per worker (tests that ask for ``org``
    start from a copy of it instead of building it again: it took a second a test)."""
    app = create_app({"TESTING": True, "DATABASE_URL": url,
                      "PATROL_MEDIA_DIR": str(tmp_path_factory.mktemp("orgmedia")),
                      "PATROL_CHECKLISTS_DIR": CHECKLISTS_DIR})
    with app.app_context():
        db.connect(reuse_if_open=True)
        factories.gen_org()
        if not USE_PG:
            db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        if hasattr(db.obj, "close_all"):
            db.obj.close_all()


def _build_org_snapshot_pg(url, own, tables, tmp_path_factory):
    import io

    _build_org(url, tmp_path_factory)
    dump = {}
    with own.cursor() as cur:
        for t in tables:
            buf = io.BytesIO()
            cur.copy_expert(f'COPY "{t}" TO STDOUT', buf)
            if buf.tell():
                dump[t] = buf.getvalue()
        cur.execute(f"TRUNCATE {', '.join(chr(34) + t + chr(34) for t in tables)} RESTART IDENTITY CASCADE")
    return dump


def _restore_org_pg(template_db):
    import io

    with template_db["own"].cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # rows as dumped: skip FK triggers
        try:
            for t, data in template_db["org_dump"].items():
                cur.copy_expert(f'COPY "{t}" FROM STDIN', io.BytesIO(data))
                cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{t}\"', 'id'), "
                            f"(SELECT MAX(id) FROM \"{t}\")) WHERE pg_get_serial_sequence('\"{t}\"', 'id') "
                            f"IS NOT NULL")
        finally:
            cur.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def database_url(template_db, tmp_path, request):
    wants_org = "org" in request.fixturenames
    if template_db["kind"] == "pg":
        if wants_org:
            _restore_org_pg(template_db)
        yield template_db["url"]
        if not db.is_closed():
            db.close()
        if hasattr(db.obj, "close_all"):
            db.obj.close_all()
        own = template_db["own"]
        with own.cursor() as cur:
            # connections a test left behind (threads, servers) must not block the reset
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()", (template_db["worker_db"],))
            tables = ", ".join(f'"{t}"' for t in template_db["tables"])
            cur.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        return
    path = tmp_path / "patrol.db"
    shutil.copy(template_db["org_path" if wants_org else "path"], path)
    yield f"sqlite:///{path}"
    if not db.is_closed():
        db.close()


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "PATROL_MEDIA_DIR": str(tmp_path / "media"),
        "PATROL_CHECKLISTS_DIR": CHECKLISTS_DIR,
    })
    with app.app_context():
        db.connect(reuse_if_open=True)
        yield app
        if not db.is_closed():
            db.close()


@pytest.fixture
def client(app):
    return app.test_client()


class ApiClient:
    """A logged-in test client: ``api.get('/me')`` prefixes /api/v1 and sends the token."""

    def __init__(self, client, token=None, user=None):
        self.client = client
        self.token = token
        self.user = user

    def _headers(self, headers):
        h = dict(headers or {})
        if self.token:
            h.setdefault("Authorization", f"Bearer {self.token}")
        return h

    def _url(self, path):
        return path if path.startswith("/api/") or path.startswith("/m/") else "/api/v1" + path

    def get(self, path, headers=None, **kw):
        return self.client.get(self._url(path), headers=self._headers(headers), **kw)

    def post(self, path, json=None, headers=None, **kw):
        return self.client.post(self._url(path), json=json, headers=self._headers(headers), **kw)

    def put(self, path, json=None, headers=None, **kw):
        return self.client.put(self._url(path), json=json, headers=self._headers(headers), **kw)

    def patch(self, path, json=None, headers=None, **kw):
        return self.client.patch(self._url(path), json=json, headers=self._headers(headers), **kw)

    def delete(self, path, headers=None, **kw):
        return self.client.delete(self._url(path), headers=self._headers(headers), **kw)


@pytest.fixture
def org(app):
    """Two sites with zones, staff and checkpoints (the demo organisation), and checklists:
    already in the test's database (copied from the worker's snapshot); this names its rows."""
    from api.models import Site, User, Zone

    if not User.select().exists():
        return factories.gen_org()
    return {
        "password": factories.PASSWORD, "echo": lambda *a, **k: None, "days": 0, "seed": 1,
        "sites": {s.code: s for s in Site.select()},
        "zones": {(z.site.code, z.code): z for z in Zone.select(Zone, Site).join(Site)},
        "users": {u.username: u for u in User.select()},
    }


@pytest.fixture
def login(client, org):
    """``login('guard1')`` -> an ApiClient logged in as that demo user."""

    def _login(username):
        r = client.post("/api/v1/auth/login", json={"username": username, "password": factories.PASSWORD})
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        return ApiClient(client, body["token"], body["user"])

    return _login


@pytest.fixture
def anon(client):
    return ApiClient(client)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The real server under gunicorn with two days of demo data, shared by a test module."""
    from tests.live import LiveServer

    server = LiveServer(tmp_path_factory.mktemp("live"))
    server.build_demo()
    server.start()
    yield server
    server.stop()
