"""Fixtures of the hardening suite: the media store and fresh databases to restore into."""
import uuid

import pytest


@pytest.fixture
def storage(app):
    return app.extensions["patrol_storage"]


@pytest.fixture
def fresh_database_url(template_db, tmp_path):
    """An empty database (no tables) to restore into, on the suite's engine."""
    if template_db["kind"] == "pg":
        conn, u = template_db["conn"], template_db["u"]
        name = f"patrol_restore_{uuid.uuid4().hex[:10]}"
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql://{u.username or 'postgres'}@{u.hostname or '127.0.0.1'}:{u.port or 5432}/{name}"
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    yield f"sqlite:///{tmp_path / 'restored' / 'patrol.db'}"



class Shared:
    """One app, database and demo organisation shared by a whole test module (for suites of many
    small refusals that change nothing), with logged-in clients by username."""

    def __init__(self, app, org):
        self.app = app
        self.org = org
        self.client = app.test_client()
        self._clients = {}

    def login(self, username):
        from tests.conftest import ApiClient
        from tests.factories import PASSWORD

        if username not in self._clients:
            r = self.client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.get_json()
            body = r.get_json()
            self._clients[username] = ApiClient(self.client, body["token"], body["user"])
        return self._clients[username]


@pytest.fixture(scope="module")
def shared(template_db, tmp_path_factory):
    import shutil

    from api.app import create_app
    from api.db import db
    from tests import factories
    from tests.conftest import CHECKLISTS_DIR

    tmp = tmp_path_factory.mktemp("shared")
    if template_db["kind"] == "pg":
        conn, u = template_db["conn"], template_db["u"]
        name = f"patrol_sh_{uuid.uuid4().hex[:10]}"
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db["name"]}"')
        url = f"postgresql://{u.username or 'postgres'}@{u.hostname or '127.0.0.1'}:{u.port or 5432}/{name}"
    else:
        shutil.copy(template_db["path"], tmp / "patrol.db")
        url = f"sqlite:///{tmp / 'patrol.db'}"
    app = create_app({
        "TESTING": True, "DATABASE_URL": url, "PATROL_MEDIA_DIR": str(tmp / "media"),
        "PATROL_CHECKLISTS_DIR": CHECKLISTS_DIR,
    })
    ctx = app.app_context()
    ctx.push()
    db.connect(reuse_if_open=True)
    try:
        yield Shared(app, factories.gen_org())
    finally:
        if not db.is_closed():
            db.close()
        if hasattr(db.obj, "close_all"):
            db.obj.close_all()
        ctx.pop()
        if template_db["kind"] == "pg":
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
