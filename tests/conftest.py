"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL when DATABASE_URL says so),
the app, its test client and logged-in clients for the demo roles."""
import os
import shutil
import uuid

import pytest

from api.app import create_app
from api.db import db, make_database
from tests import factories  # noqa: F401  (gen_* helpers)

PG_URL = os.environ.get("DATABASE_URL", "")
USE_PG = PG_URL.startswith(("postgres://", "postgresql://", "postgres+pool://"))


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
    """A migrated, empty database made once per worker; each test gets a copy of it."""
    from api.db import init_db
    from api.migrations import migrate_up

    if USE_PG:
        conn, u = _pg_admin_conn()
        name = f"patrol_tpl_{worker_id}_{os.getpid()}"
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql://{u.username or 'postgres'}@{u.hostname or '127.0.0.1'}:{u.port or 5432}/{name}"
        init_db(url)
        db.connect(reuse_if_open=True)
        migrate_up()
        db.close()
        db.obj.close_all() if hasattr(db.obj, "close_all") else None
        yield {"kind": "pg", "name": name, "conn": conn, "u": u}
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    init_db(f"sqlite:///{path}")
    db.connect(reuse_if_open=True)
    migrate_up()
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    yield {"kind": "sqlite", "path": str(path)}


@pytest.fixture
def database_url(template_db, tmp_path):
    if template_db["kind"] == "pg":
        conn, u = template_db["conn"], template_db["u"]
        name = f"patrol_t_{uuid.uuid4().hex[:12]}"
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db["name"]}"')
        yield f"postgresql://{u.username or 'postgres'}@{u.hostname or '127.0.0.1'}:{u.port or 5432}/{name}"
        if not db.is_closed():
            db.close()
        if hasattr(db.obj, "close_all"):
            db.obj.close_all()
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    path = tmp_path / "patrol.db"
    shutil.copy(template_db["path"], path)
    yield f"sqlite:///{path}"
    if not db.is_closed():
        db.close()


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "PATROL_MEDIA_DIR": str(tmp_path / "media"),
        "PATROL_CHECKLISTS_DIR": os.path.join(os.path.dirname(os.path.dirname(__file__)), "checklists"),
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
    """Two sites with zones, staff and checkpoints (the demo organisation), and checklists."""
    return factories.gen_org()


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
