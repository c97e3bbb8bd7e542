"""Day one from the wheel alone: run with the python of a virtualenv that has only the wheel installed.

From an empty temporary folder: ``patrol init`` (data home ./var), import the example spreadsheets
(or, while ``patrol examples`` does not exist yet, ``patrol demo``), ``patrol serve`` on a free port,
log in as a guard of the imported site, fetch a checkpoint's checklist, post one inspection, post it
again (stored once), stop the server. Exits non-zero, saying which step failed, on any problem.

    .ci-wheel-venv/bin/python .ci/wheel_smoke.py
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

BIN = Path(sys.executable).parent
PATROL = str(BIN / "patrol")
PASSWORD = "smoke-Passw0rd"
KINDS = ["sites", "zones", "buildings", "units", "staff", "checkpoints", "schedules"]  # in this order
REQUIRED = KINDS[:6]


def step(title):
    print(f"-- {title}", flush=True)


def run(*args, cwd, check=True):
    r = subprocess.run([PATROL, *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    if check and r.returncode != 0:
        sys.exit(f"FAILED: patrol {' '.join(args)} (exit {r.returncode})\n{r.stdout}\n{r.stderr}")
    return r


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def staff_usernames(path):
    """The login names in the example staff workbook, guards first (columns 登录名/Username and 角色/Role;
    工号 when there is no login-name column)."""
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if any(c is not None for c in r)]
    header = [str(c or "").lower() for c in rows[0]]

    def column(*names):
        return next((i for n in names for i, h in enumerate(header) if n in h), None)

    name_col = column("登录名", "username", "账号", "工号")
    role_col = column("角色", "role")
    if name_col is None:
        sys.exit(f"FAILED: no 登录名/username column in {path}: {rows[0]}")
    body = [r for r in rows[1:] if r[name_col]]
    guards = [r for r in body if role_col is not None and str(r[role_col]).strip().lower() in ("guard", "保安", "秩序维护员")]
    return [str(r[name_col]).strip() for r in guards + [r for r in body if r not in guards]]


def login_as_guard(base, candidates, password):
    for name in candidates:
        r = requests.post(f"{base}/auth/login", json={"username": name, "password": password}, timeout=15)
        if r.status_code == 200 and r.json()["user"]["role"] == "guard":
            return name, r.json()["token"]
    sys.exit(f"FAILED: none of {candidates[:12]} logged in as a guard")


def main():
    home = Path(tempfile.mkdtemp(prefix="patrol-smoke-"))
    env_clean = {k: v for k, v in os.environ.items()
                 if not k.startswith("PATROL_") and k not in ("DATABASE_URL", "PYTHONPATH")}
    os.environ.clear()
    os.environ.update(env_clean)
    server = None
    try:
        step(f"patrol init in an empty folder {home}")
        print(run("init", cwd=home).stdout.strip())
        for needed in ("var/patrol.toml", "var/media", "var/checklists/policy.yaml"):
            if not (home / needed).exists():
                sys.exit(f"FAILED: patrol init did not create {needed}")
        again = run("init", cwd=home)  # idempotent
        print(again.stdout.strip().splitlines()[-1] if again.stdout.strip() else "")

        if run("examples", "--help", cwd=home, check=False).returncode == 0:
            step("import the example spreadsheets")
            run("examples", "examples", cwd=home)
            for kind in KINDS:
                f = home / "examples" / f"{kind}.xlsx"
                if not f.exists():
                    if kind in REQUIRED:
                        sys.exit(f"FAILED: patrol examples did not write {f.name}")
                    continue
                args = ["import", kind, str(f)] + (["--password", PASSWORD] if kind == "staff" else [])
                print(run(*args, cwd=home).stdout.strip().splitlines()[-1:])
            candidates = staff_usernames(home / "examples" / "staff.xlsx")
        else:
            step("patrol examples is not in this build yet: the demo organisation instead")
            run("demo", "--days", "1", "--password", PASSWORD, cwd=home)
            candidates = ["guard1"]

        port = free_port()
        step(f"patrol serve on 127.0.0.1:{port}")
        log = open(home / "serve.log", "w")
        server = subprocess.Popen([PATROL, "serve", "--port", str(port), "--workers", "1"], cwd=home,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}/api/v1"
        for _ in range(120):
            if server.poll() is not None:
                sys.exit("FAILED: the server stopped:\n" + (home / "serve.log").read_text())
            try:
                if requests.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        else:
            sys.exit("FAILED: the server did not answer in 60 s")

        step("a guard walks one checkpoint of the site over HTTP")
        username, token = login_as_guard(base, candidates, PASSWORD)
        guard = requests.Session()
        guard.headers["Authorization"] = f"Bearer {token}"
        points = guard.get(f"{base}/checkpoints", timeout=15)
        assert points.status_code == 200, points.text
        items = points.json()["items"] if isinstance(points.json(), dict) else points.json()
        point = next((p for p in items if p.get("checklists")), None)
        if point is None:
            sys.exit(f"FAILED: {username} sees no checkpoint with a checklist")
        key = point["checklists"][0]["key"]
        checklist = guard.get(f"{base}/checklists/{key}", timeout=15)
        assert checklist.status_code == 200, checklist.text
        checklist = checklist.json()
        started = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=3)
        body = {"id": str(uuid.uuid4()), "checkpoint_code": point["code"], "checklist_key": key,
                "checklist_version": checklist["version"], "started_at": started.isoformat(),
                "finished_at": (started + timedelta(minutes=2)).isoformat(),
                "results": [{"item_key": it["key"], "status": "pass"} for it in checklist["items"]]}
        first = guard.post(f"{base}/inspections", json=body, timeout=15)
        if first.status_code != 201:
            sys.exit(f"FAILED: inspection refused {first.status_code}: {first.text}")
        retry = guard.post(f"{base}/inspections", json=body, timeout=15)
        if retry.status_code != 200 or retry.json()["id"] != body["id"]:
            sys.exit(f"FAILED: the retried inspection answered {retry.status_code}: {retry.text}")
        for var in ("var", "var/media"):
            if not (home / var).is_dir():
                sys.exit(f"FAILED: no {var} in the working folder")
        print(f"{username} walked {point['code']} ({key}, {len(checklist['items'])} items): 201, retry 200")
        print("wheel smoke: OK")
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
