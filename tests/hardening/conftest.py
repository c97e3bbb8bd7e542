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

