"""Start the real server (``patrol serve`` under gunicorn) on a free port for end-to-end tests.

On PostgreSQL (``DATABASE_URL`` set) each live server gets a database of its own.
"""
import os
import socket
import subprocess
import sys
import time
import uuid

import requests

PASSWORD = "test-pass-123"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database_url(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "postgres+pool://")):
        import psycopg2
        from urllib.parse import urlparse

        u = urlparse(url.replace("postgres+pool://", "postgresql://"))
        name = f"patrol_live_{uuid.uuid4().hex[:10]}"
        conn = psycopg2.connect(host=u.hostname or "127.0.0.1", port=u.port or 5432,
                                user=u.username or "postgres", dbname=u.path.lstrip("/") or "test")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        return f"postgresql://{u.username or 'postgres'}@{u.hostname or '127.0.0.1'}:{u.port or 5432}/{name}"
    return f"sqlite:///{tmp_path / 'live.db'}"


class LiveServer:
    def __init__(self, tmp_path, demo_days=2, workers=2, env=None, database_url=None, media_dir=None):
        self.tmp_path = tmp_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update({
            "DATABASE_URL": database_url or fresh_database_url(tmp_path),
            "PATROL_MEDIA_DIR": media_dir or str(tmp_path / "media"),
            "PATROL_VAR_DIR": str(tmp_path / "var"),
        })
        self.env.setdefault("PATROL_DEV", "1")  # the built-in secret key is fine for tests
        self.env.update(env or {})
        self.workers = workers
        self.demo_days = demo_days
        self.proc = None
        self.log = open(tmp_path / f"server-{self.port}.log", "ab")

    def build_demo(self):
        subprocess.run([sys.executable, "-m", "api.cli", "demo", "--password", PASSWORD,
                        "--days", str(self.demo_days)], env=self.env, check=True, stdout=self.log,
                       stderr=subprocess.STDOUT, timeout=600)

    def start(self, wait=60):
        self.proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1",
                                      "--port", str(self.port), "--workers", str(self.workers)],
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + wait
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if requests.get(self.url + "/api/v1/openapi.json", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not start in time")

    def kill(self, sig=9):
        """SIGKILL the whole process group (master and workers), as a crash would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()

    def login(self, username, password=PASSWORD):
        r = requests.post(self.url + "/api/v1/auth/login", json={"username": username, "password": password},
                          timeout=10)
        r.raise_for_status()
        return r.json()["token"]
