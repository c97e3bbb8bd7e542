"""Day one from an empty folder: ``patrol init`` makes the data home, the server refuses to start on
broken settings, checklists or policy (saying file:line) or on a database newer than its code, and
``patrol up`` takes its children down with it."""
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent.parent


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATROL_") and k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def patrol(cwd, *args, timeout=180, **env):
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=cwd, env=_env(**env),
                          capture_output=True, text=True, timeout=timeout)


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_init_makes_the_data_home_in_var_and_never_overwrites(tmp_path):
    first = patrol(tmp_path, "init")
    assert first.returncode == 0, first.stderr
    home = tmp_path / "var"
    for part in ("patrol.toml", "secret_key", "patrol.db", "media", "checklists/policy.yaml",
                 "checklists/road_lamps.yaml", "checklists/schedules.yaml"):
        assert (home / part).exists(), part
    assert oct((home / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert len((home / "secret_key").read_text().strip()) >= 40
    assert "0001_initial" in first.stdout and "0002_policy_versions" in first.stdout
    assert "checklists stored:" in first.stdout and "road_lamps" in first.stdout  # ready for checkpoints

    (home / "checklists" / "lobby.yaml").write_text((home / "checklists" / "lobby.yaml").read_text(encoding="utf-8")
                                                   + "\n# our own note\n", encoding="utf-8")
    key = (home / "secret_key").read_text()
    again = patrol(tmp_path, "init")
    assert again.returncode == 0 and "nothing to do" in again.stdout, again.stdout
    assert "# our own note" in (home / "checklists" / "lobby.yaml").read_text(encoding="utf-8")
    assert (home / "secret_key").read_text() == key


def test_the_data_home_follows_patrol_home_and_its_settings(tmp_path):
    from api.config import Config

    home = tmp_path / "company"
    assert patrol(tmp_path, "init", PATROL_HOME=str(home)).returncode == 0
    assert not (tmp_path / "var").exists()
    old = dict(os.environ)
    try:
        for k in [k for k in os.environ if k.startswith("PATROL_") or k == "DATABASE_URL"]:
            del os.environ[k]
        os.environ["PATROL_HOME"] = str(home)
        cfg = Config()
        assert cfg.DATABASE_URL == f"sqlite:///{home / 'patrol.db'}"
        assert cfg.PATROL_MEDIA_DIR == str(home / "media")
        assert cfg.PATROL_CHECKLISTS_DIR == str(home / "checklists")
        assert cfg.SECRET_KEY == (home / "secret_key").read_text().strip()
        os.environ["PATROL_SECRET_KEY"] = "from-the-environment"
        assert Config().SECRET_KEY == "from-the-environment"
        (home / "patrol.toml").write_text('media_dir = "photos"\nmax_upload_mb = 5\n', encoding="utf-8")
        cfg = Config()
        assert cfg.PATROL_MEDIA_DIR == str(home / "photos") and cfg.PATROL_MAX_UPLOAD_MB == 5
        assert "site-packages" not in cfg.DATABASE_URL
    finally:
        os.environ.clear()
        os.environ.update(old)


@pytest.mark.parametrize("file, text, expect", [
    ("checklists/policy.yaml", None, "policy.yaml:5: deductions.yuan_per_point"),
    ("patrol.toml", 'timezone = "Asia/Shanghai"\nmax_upload_mb = "lots"\nlanguage = "zh"\n',
     "patrol.toml:2: max_upload_mb must be a whole number"),
    ("checklists/road_lamps.yaml", "key: road_lamps\nitems: [\n", "road_lamps.yaml:"),
])
def test_the_server_refuses_to_start_and_says_which_file_and_line(tmp_path, file, text, expect):
    assert patrol(tmp_path, "init").returncode == 0
    path = tmp_path / "var" / file
    if text is None:  # a negative fine per point in the company's copy of the policy
        lines = path.read_text(encoding="utf-8").splitlines()
        n = next(i for i, ln in enumerate(lines) if "yuan_per_point" in ln)
        lines[n] = '  yuan_per_point: "-5.00"'
        text = "\n".join(lines) + "\n"
        expect = f"policy.yaml:{n + 1}: deductions.yuan_per_point"
    path.write_text(text, encoding="utf-8")
    r = patrol(tmp_path, "serve", "--port", str(_port()), timeout=60)
    assert r.returncode == 1, r.stdout + r.stderr
    assert expect in r.stderr and "cannot start" in r.stderr, r.stderr
    if file == "patrol.toml":
        assert "patrol.toml:3: unknown setting 'language'" in r.stderr


def test_serve_refuses_a_database_migrated_by_a_newer_patrol(tmp_path):
    assert patrol(tmp_path, "init").returncode == 0
    with sqlite3.connect(tmp_path / "var" / "patrol.db") as conn:
        conn.execute("INSERT INTO patrol_migrations (name, applied_at) VALUES ('0042_from_the_future', '2030-01-01')")
    r = patrol(tmp_path, "serve", "--port", str(_port()), timeout=60)
    assert r.returncode == 1
    assert "0042_from_the_future" in r.stderr and "newer patrol" in r.stderr, r.stderr


def test_a_policy_the_server_cannot_read_is_a_503_without_a_path(app, login, org, monkeypatch):
    from api.domain import policy as pol
    from api.models import PolicyVersion

    PolicyVersion.delete().execute()
    pol.invalidate()
    monkeypatch.setattr(pol, "policy_path", lambda: "/srv/secret/place/policy.yaml")
    r = login("super1").get("/policy")
    assert r.status_code == 503
    assert "/srv" not in r.get_data(as_text=True) and "policy.yaml" not in r.get_data(as_text=True)


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            kids = [int(x) for x in fh.read().split()]
    except OSError:
        return []
    return kids + [g for k in kids for g in _children(k)]


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_patrol_up_stops_the_api_and_the_console_on_a_signal(tmp_path, sig):
    port, console = _port(), _port()
    up = subprocess.Popen([sys.executable, "-m", "api.cli", "up", "--no-demo", "--port", str(port),
                           "--console-port", str(console)], cwd=tmp_path, env=_env(PATROL_WORKERS="1"),
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or slow on a loaded box
                time.sleep(0.5)
        else:
            pytest.fail("the API of patrol up did not answer in 120 s")
        kids = _children(up.pid)
        assert len(kids) >= 3, kids  # serve (gunicorn master + a worker) and the console
        up.send_signal(sig)
        assert up.wait(timeout=40) == 0
        time.sleep(0.5)
        assert [k for k in kids if _alive(k)] == []
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGKILL)
