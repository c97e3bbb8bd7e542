"""Several API processes (each a gunicorn with its workers) on one database and one photo store.

On SQLite they share one WAL file; with DATABASE_URL pointing at PostgreSQL they share one
database through each worker's connection pool. Phones may reach any process on any request.
"""
import io
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.live import LiveServer, fresh_database_url
from tests.helpers import assert_error_shape

USE_PG = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "postgres+pool://"))


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """Two servers on different ports, the same database and the same media directory."""
    tmp = tmp_path_factory.mktemp("pair")
    url = fresh_database_url(tmp)
    media = str(tmp / "media")
    a = LiveServer(tmp_path_factory.mktemp("a"), demo_days=0, database_url=url, media_dir=media)
    b = LiveServer(tmp_path_factory.mktemp("b"), demo_days=0, database_url=url, media_dir=media)
    a.build_demo()
    a.start()
    b.start()
    yield a, b
    a.stop()
    b.stop()


def _h(token, **extra):
    return {"Authorization": f"Bearer {token}", **extra}


def test_a_token_issued_by_one_process_works_on_the_other(pair):
    a, b = pair
    token = a.login("guard1")
    me = requests.get(b.url + "/api/v1/me", headers=_h(token), timeout=10)
    assert me.status_code == 200
    assert me.json()["username"] == "guard1"


def test_logging_out_on_one_process_ends_the_session_on_both(pair):
    a, b = pair
    token = b.login("guard3")
    assert requests.post(a.url + "/api/v1/auth/logout", headers=_h(token), timeout=10).status_code == 204
    for server in (a, b):
        assert_error_shape(requests.get(server.url + "/api/v1/me", headers=_h(token), timeout=10), 401)


def test_concurrent_writes_through_both_processes_all_succeed(pair):
    """Logins write a token row each; 16 at once, alternating processes, none refused or lost."""
    a, b = pair
    servers = [a, b]
    users = ["guard1", "guard2", "cleaner1", "tech1", "super1", "manager1", "service1", "admin"]

    def one(i):
        s = servers[i % 2]
        r = requests.post(s.url + "/api/v1/auth/login",
                          json={"username": users[i % len(users)], "password": "test-pass-123"}, timeout=60)
        return r.status_code, (r.json().get("token") if r.ok else r.text)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(16)))
    assert [s for s, _ in results] == [200] * 16
    tokens = [t for _, t in results]
    assert len(set(tokens)) == 16
    # every token works on the process that did not issue it
    for i, t in enumerate(tokens[:6]):
        assert requests.get(servers[(i + 1) % 2].url + "/api/v1/me", headers=_h(t), timeout=10).status_code == 200


@pytest.mark.skipif(not USE_PG, reason="connection pooling is PostgreSQL's (SQLite keeps one file handle)")
def test_pooled_connections_go_back_after_every_request(pair):
    """Hundreds of requests, good and bad, give every pooled connection back: none busy, none leaked."""
    import psycopg2
    from urllib.parse import urlparse

    a, b = pair
    token = a.login("super1")
    paths = ["/api/v1/me", "/api/v1/sites", "/api/v1/sites/999999", "/api/v1/nowhere", "/api/v1/me?x=1"]

    def one(i):
        s = (a, b)[i % 2]
        headers = _h(token) if i % 7 else _h("not-a-token")
        return requests.get(s.url + paths[i % len(paths)], headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(one, range(400)))
    assert 500 not in codes
    u = urlparse(a.env["DATABASE_URL"])
    conn = psycopg2.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres", dbname="postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*), count(*) FILTER (WHERE state <> 'idle') FROM pg_stat_activity "
                        "WHERE datname = %s", (u.path.lstrip("/"),))
            total, busy = cur.fetchone()
    finally:
        conn.close()
    # a threaded worker process takes a pooled connection per request it has in flight and keeps it
    # for the next one: 8 clients are at most 8 in flight in any one of the 2 x 2 worker processes
    # (a leak would instead exhaust each process's pool of 16 and answer 500s), and none is left busy
    processes = a.workers + b.workers
    assert total <= 8 * processes
    assert busy == 0


def _jpeg(color=(30, 140, 60), size=(800, 600)):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def test_a_photo_uploaded_to_one_process_is_served_by_the_other(pair):
    a, b = pair
    token = a.login("guard1")
    data = _jpeg()
    up = requests.post(a.url + "/api/v1/photos", headers=_h(token), files={"file": ("lamp.jpg", data, "image/jpeg")},
                       timeout=30)
    assert up.status_code == 201, up.text
    pid = up.json()["id"]
    original = requests.get(f"{b.url}/api/v1/photos/{pid}", headers=_h(token), timeout=10)
    assert original.status_code == 200 and original.content == data
    for size in ("preview", "thumb"):
        r = requests.get(f"{b.url}/api/v1/photos/{pid}", params={"size": size}, headers=_h(token), timeout=10)
        assert r.status_code == 200 and r.headers["Content-Type"] == "image/jpeg"
    again = requests.post(b.url + "/api/v1/photos", headers=_h(token),
                          files={"file": ("lamp.jpg", data, "image/jpeg")}, timeout=30)
    assert again.status_code == 200 and again.json()["id"] == pid


def test_the_same_photo_sent_to_both_processes_at_once_is_stored_once(pair):
    a, b = pair
    token = a.login("guard1")
    data = _jpeg((200, 30, 30), (1200, 900))
    barrier = threading.Barrier(6)

    def send(i):
        barrier.wait()
        s = (a, b)[i % 2]
        return requests.post(s.url + "/api/v1/photos", headers=_h(token),
                             files={"file": ("x.jpg", data, "image/jpeg")}, timeout=60)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(send, range(6)))
    assert {r.status_code for r in answers} <= {200, 201}
    assert len({r.json()["id"] for r in answers}) == 1
    assert any(r.status_code == 201 for r in answers)


def _lamp_round(server, token, inspection_id, note=""):
    cl = requests.get(server.url + "/api/v1/checklists/road_lamps", headers=_h(token), timeout=10).json()
    return {"id": inspection_id, "checkpoint_code": "LHY-LAMP-01", "checklist_key": "road_lamps",
            "checklist_version": cl["version"], "started_at": "2026-03-16T22:01:00+08:00",
            "finished_at": "2026-03-16T22:03:00+08:00",
            "results": [{"item_key": it["key"], "status": "pass", "note": note} for it in cl["items"]]}


def test_retries_of_one_inspection_landing_on_different_processes_store_it_once(pair):
    """A phone on a flaky network resends the same round; the load balancer spreads the copies."""
    a, b = pair
    token = a.login("guard1")
    inspection_id = str(uuid.uuid4())
    body = _lamp_round(a, token, inspection_id)
    barrier = threading.Barrier(8)

    def send(i):
        barrier.wait()
        return requests.post((a, b)[i % 2].url + "/api/v1/inspections", json=body, headers=_h(token), timeout=60)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert sorted(r.status_code for r in answers) == [200] * 7 + [201], [r.text for r in answers]
    assert {r.json()["id"] for r in answers} == {inspection_id}
    # a late retry on either process gets the stored inspection back
    for server in (a, b):
        again = requests.post(server.url + "/api/v1/inspections", json=body, headers=_h(token), timeout=30)
        assert again.status_code == 200
    listed = requests.get(a.url + "/api/v1/inspections", params={"checklist_key": "road_lamps", "limit": 200},
                          headers=_h(token), timeout=10).json()["items"]
    assert [i["id"] for i in listed].count(inspection_id) == 1


def test_the_same_inspection_id_with_another_body_is_refused_on_the_other_process(pair):
    a, b = pair
    token = a.login("guard1")
    inspection_id = str(uuid.uuid4())
    assert requests.post(a.url + "/api/v1/inspections", json=_lamp_round(a, token, inspection_id),
                         headers=_h(token), timeout=30).status_code == 201
    other = _lamp_round(b, token, inspection_id, note="改过的")
    r = requests.post(b.url + "/api/v1/inspections", json=other, headers=_h(token), timeout=30)
    assert_error_shape(r, 409)
