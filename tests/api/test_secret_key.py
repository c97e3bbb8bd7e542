"""The built-in secret key (in the source for everyone to read) is never used in production:
``patrol serve`` refuses to start on it unless PATROL_DEV=1; PATROL_SECRET_KEY or a ``secret_key``
file in the data home (PATROL_HOME) is used instead, and ``patrol secret-key`` makes that file."""
import os
import stat

import pytest
from click.testing import CliRunner

from api import cli as cli_module
from api.config import DEV_SECRET_KEY, Config, ensure_secret_key


@pytest.fixture
def started(monkeypatch):
    calls = []
    monkeypatch.setattr(cli_module, "_gunicorn", lambda *a, **k: calls.append(a))
    return calls


def _serve(env, database_url):
    base = {"DATABASE_URL": database_url, "PATROL_SECRET_KEY": "", "PATROL_DEV": ""}
    base.update(env)
    return CliRunner().invoke(cli_module.cli, ["serve", "--port", "8141"], env=base)


def test_serve_refuses_the_built_in_key(database_url, tmp_path, started):
    r = _serve({"PATROL_HOME": str(tmp_path / "home")}, database_url)
    assert r.exit_code != 0 and "PATROL_SECRET_KEY" in r.output and "patrol secret-key" in r.output
    assert started == []


def test_serve_runs_on_the_built_in_key_only_in_development(database_url, tmp_path, started):
    r = _serve({"PATROL_HOME": str(tmp_path / "home"), "PATROL_DEV": "1"}, database_url)
    assert r.exit_code == 0, r.output
    assert len(started) == 1


def test_serve_uses_the_key_in_the_data_home(database_url, tmp_path, started, monkeypatch):
    home = tmp_path / "home"
    r = CliRunner().invoke(cli_module.cli, ["secret-key"], env={"PATROL_HOME": str(home)})
    assert r.exit_code == 0 and str(home / "secret_key") in r.output
    assert _serve({"PATROL_HOME": str(home)}, database_url).exit_code == 0
    monkeypatch.setenv("PATROL_HOME", str(home))
    monkeypatch.delenv("PATROL_SECRET_KEY", raising=False)
    key = Config().SECRET_KEY
    assert key != DEV_SECRET_KEY and len(key) >= 48 and key == (home / "secret_key").read_text().strip()


def test_the_environment_wins_over_the_file(tmp_path, monkeypatch):
    ensure_secret_key(tmp_path)
    monkeypatch.setenv("PATROL_HOME", str(tmp_path))
    monkeypatch.setenv("PATROL_SECRET_KEY", "from-the-environment")
    assert Config().SECRET_KEY == "from-the-environment"


def test_the_key_file_is_made_once_and_readable_by_its_owner_only(tmp_path):
    path = ensure_secret_key(tmp_path)
    first = path.read_text()
    assert ensure_secret_key(tmp_path) == path and path.read_text() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_cursor_forged_with_the_built_in_key_is_refused(app, login):
    """With the real key, a cursor signed with the one in the source is a 400."""
    from api.pagination import cursor_serializer

    app.config["SECRET_KEY"] = "the-installations-own-key"
    cursor = cursor_serializer(DEV_SECRET_KEY).dumps(5)
    r = login("manager1").get("/work-orders", query_string={"cursor": cursor})
    assert r.status_code == 400


def test_a_cursor_is_signed_with_the_installations_key(app, login):
    """A cursor the API wrote pages on; the same value signed with another key, or another salt, is a 400."""
    from itsdangerous import URLSafeSerializer

    from api.pagination import cursor_serializer

    mgr = login("manager1")
    first = mgr.get("/zones", query_string={"limit": 1}).get_json()
    assert first["next_cursor"]
    assert mgr.get("/zones", query_string={"limit": 1, "cursor": first["next_cursor"]}).status_code == 200
    value = cursor_serializer(app.config["SECRET_KEY"]).loads(first["next_cursor"])
    unsalted = URLSafeSerializer(app.config["SECRET_KEY"]).dumps(value)
    for cursor in (cursor_serializer("another-key").dumps(value), unsalted):
        r = mgr.get("/zones", query_string={"limit": 1, "cursor": cursor})
        assert r.status_code == 400 and r.get_json()["errors"]["query"]["cursor"]
