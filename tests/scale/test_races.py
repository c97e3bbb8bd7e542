"""Concurrent requests at one state change: exactly one wins, the others are told 409 (or get the
winner's answer back), and the change is recorded once — one event, one audit row, one ledger effect.

Each burst is 8 requests released together by a barrier, from 8 threads, each with its own test
client and its own database connection (on PostgreSQL, its own pooled connection: the row locks
``SELECT ... FOR UPDATE`` decide; on SQLite ``BEGIN IMMEDIATE`` does). Run with DATABASE_URL
pointing at PostgreSQL to exercise the row locks.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.models import (Appeal, AuditLog, Deduction, LedgerMonth, RequestEvent, ServiceRequest,
                        WorkOrder, WorkOrderEvent)
from tests import factories

N = 8


def burst(app, tokens, path, json=None, headers=None, n=N):
    """``n`` POSTs to ``path`` released at the same instant; returns [(status, body)] in order."""
    barrier = threading.Barrier(n)

    def one(i):
        client = app.test_client()
        h = {"Authorization": f"Bearer {tokens[i % len(tokens)]}", **(headers or {})}
        barrier.wait(timeout=30)
        r = client.post(path, json=json, headers=h)
        return r.status_code, r.get_json()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def codes(results):
    return sorted(s for s, _ in results)


def one_winner(results, ok=200):
    assert codes(results) == [ok] + [409] * (N - 1), [(s, (b or {}).get("message")) for s, b in results]


def audits(action, object_id=None):
    q = AuditLog.select().where(AuditLog.action == action)
    if object_id is not None:
        q = q.where(AuditLog.object_id == str(object_id))
    return q.count()


def gen_photo(org, seed):
    return factories.gen_photo(org, seed=seed)


def new_order(sup, org):
    r = sup.post("/work-orders", json={"site_id": org["sites"]["LHY"].id, "zone_id": org["zones"][("LHY", "A")].id,
                                       "trade": "engineering", "title": "1 号楼大堂灯管更换", "priority": "normal"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def move(api, order_id, action, **kw):
    r = api.post(f"/work-orders/{order_id}/transitions", json={"action": action, **kw})
    assert r.status_code == 200, r.get_json()


def order_events(order_id, action):
    return WorkOrderEvent.select().where((WorkOrderEvent.work_order == order_id)
                                         & (WorkOrderEvent.action == action)).count()


# --- work orders ---------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["accept", "start", "finish", "verify", "reopen", "cancel"])
def test_each_work_order_move_made_eight_times_at_once_happens_once(app, login, org, action):
    sup, tech = login("super1"), login("tech1")
    oid = new_order(sup, org)  # assigned to tech1, the zone's engineer
    pid = gen_photo(org, "race-after")
    ladder = ["accept", "start", "finish", "verify"]
    steps = {"accept": [], "start": ["accept"], "finish": ["accept", "start"], "verify": ["accept", "finish"],
             "reopen": ["accept", "finish"], "cancel": []}[action]
    for step in steps:
        move(tech if step in ladder[:3] else sup, oid, step, **({"photo_ids": [pid]} if step == "finish" else {}))
    body = {"action": action}
    if action == "finish":
        body["photo_ids"] = [pid]
    if action == "verify":
        body["satisfied"] = True
    if action == "reopen":
        body["note"] = "返修"
    who = tech if action in ("accept", "start", "finish") else sup
    tokens = [who.token] if who is tech else [sup.token, login("manager1").token, login("admin").token]
    results = burst(app, tokens, f"/api/v1/work-orders/{oid}/transitions", json=body)
    one_winner(results)
    assert order_events(oid, action) == 1
    assert audits(f"work_order.{action}", oid) == 1
    order = WorkOrder.get_by_id(oid)
    if action == "reopen":
        assert order.reopen_count == 1


def test_one_idempotency_key_sent_eight_times_at_once_moves_the_order_once(app, login, org):
    """A phone's retries racing each other all get the first answer back."""
    oid = new_order(login("super1"), org)
    tech = login("tech1")
    results = burst(app, [tech.token], f"/api/v1/work-orders/{oid}/transitions", json={"action": "accept"},
                    headers={"Idempotency-Key": "phone-retry-0001"})
    assert codes(results) == [200] * N
    assert {b["status"] for _, b in results} == {"accepted"}
    assert order_events(oid, "accept") == 1 and audits("work_order.accept", oid) == 1


def test_one_client_id_sent_eight_times_at_once_makes_one_work_order(app, login, org):
    sup = login("super1")
    body = {"site_id": org["sites"]["LHY"].id, "zone_id": org["zones"][("LHY", "A")].id, "trade": "engineering",
            "title": "2 号楼电梯异响", "client_id": "race-order-0001"}
    results = burst(app, [sup.token], "/api/v1/work-orders", json=body)
    assert codes(results) == [200] * (N - 1) + [201]
    assert len({b["id"] for _, b in results}) == 1
    assert WorkOrder.select().where(WorkOrder.client_id == "race-order-0001").count() == 1
    assert audits("work_order.create") == 1


# --- service requests ----------------------------------------------------------------------

def new_request(desk, org, **over):
    body = {"site_id": org["sites"]["LHY"].id, "kind": "complaint", "channel": "phone", "category": "noise",
            "owner_name": "张三丰", "owner_phone": "13800135678", "building": "3", "unit": "2", "room": "1201",
            "description": "楼上装修，晚上九点后还在电钻"}
    body.update(over)
    r = desk.post("/requests", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def req_act(api, rid, action, **kw):
    r = api.post(f"/requests/{rid}/transitions", json={"action": action, **kw})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def req_events(rid, action):
    return RequestEvent.select().where((RequestEvent.request == rid) & (RequestEvent.action == action)).count()


@pytest.mark.parametrize("action", ["handle", "complete", "cancel", "transfer", "reopen"])
def test_each_request_move_made_eight_times_at_once_happens_once(app, login, org, action):
    desk = login("service1")
    rid = new_request(desk, org)
    if action in ("complete", "reopen"):
        req_act(desk, rid, "handle")
    if action == "reopen":
        req_act(desk, rid, "complete", note="已劝止施工")
    body = {"action": action}
    if action in ("complete", "cancel", "reopen"):
        body["note"] = "已处理"
    if action == "transfer":
        body["trade"] = "engineering"
    tokens = [desk.token, login("super1").token, login("manager1").token]
    results = burst(app, tokens, f"/api/v1/requests/{rid}/transitions", json=body)
    one_winner(results)
    assert req_events(rid, action) == 1
    assert audits(f"request.{action}", rid) == 1
    if action == "transfer":  # one work order, not eight
        assert WorkOrder.select().where(WorkOrder.request_id == rid).count() == 1


@pytest.mark.parametrize("satisfied", [True, False])
def test_a_revisit_recorded_eight_times_at_once_counts_once(app, login, org, satisfied):
    desk = login("service1")
    rid = new_request(desk, org)
    req_act(desk, rid, "handle")
    req_act(desk, rid, "complete", note="已劝止施工")
    tokens = [desk.token, login("super1").token]
    results = burst(app, tokens, f"/api/v1/requests/{rid}/revisit",
                    json={"satisfied": satisfied, "note": "业主认为仍有噪音"})
    one_winner(results)
    assert req_events(rid, "revisit") == 1 and audits("request.revisit", rid) == 1
    req = ServiceRequest.get_by_id(rid)
    assert req.reopen_count == (0 if satisfied else 1)


def test_a_revisit_that_reopens_the_order_reopens_it_once(app, login, org):
    desk, sup, tech = login("service1"), login("super1"), login("tech1")
    rid = new_request(desk, org, zone_id=org["zones"][("LHY", "A")].id)
    oid = req_act(desk, rid, "transfer", trade="engineering")["work_order_id"]
    move(tech, oid, "accept")
    move(tech, oid, "finish", photo_ids=[gen_photo(org, "race-revisit")])
    move(sup, oid, "verify", satisfied=True)
    desk.post("/requests/escalate")  # the request follows its verified order to "done"
    assert ServiceRequest.get_by_id(rid).status == "done"
    results = burst(app, [desk.token, sup.token], f"/api/v1/requests/{rid}/revisit",
                    json={"satisfied": False, "note": "还是漏水"})
    one_winner(results)
    assert order_events(oid, "reopen") == 1 and WorkOrder.get_by_id(oid).reopen_count == 1


def test_one_fault_client_id_sent_eight_times_at_once_makes_one_notice(app, login, org):
    desk = login("service1")
    rid = new_request(desk, org)
    sup = login("super1")
    results = burst(app, [sup.token], f"/api/v1/requests/{rid}/faults",
                    json={"staff_id": org["users"]["service1"].id, "fault": "hidden", "points": 2,
                          "client_id": "race-fault-0001"})
    assert codes(results) == [200] * (N - 1) + [201], results
    assert Deduction.select().where(Deduction.request_id == rid).count() == 1
    assert req_events(rid, "fault") == 1 and audits("deduction.create") == 1


# --- fault notices, appeals and the month ---------------------------------------------------

def notice(sup, org, **over):
    return factories.notice(sup, org, **{"points": 3, **over})


def test_one_notice_client_id_sent_eight_times_at_once_makes_one_notice(app, login, org):
    sup = login("super1")
    body = {"site_id": org["sites"]["LHY"].id, "staff_id": org["users"]["guard1"].id, "points": 3,
            "reason": "脱岗", "problem_key": "post:absent", "occurred_at": "2026-03-10T09:00:00+08:00",
            "client_id": "race-notice-0001"}
    results = burst(app, [sup.token], "/api/v1/deductions", json=body)
    assert codes(results) == [200] * (N - 1) + [201], results
    assert Deduction.select().count() == 1 and audits("deduction.create") == 1


def test_an_appeal_filed_eight_times_at_once_is_filed_once(app, login, org):
    d = notice(login("super1"), org).get_json()
    results = burst(app, [login("guard1").token, login("super1").token], f"/api/v1/deductions/{d['id']}/appeal",
                    json={"reason": "当时我在另一岗位"})
    assert codes(results) == [201] + [409] * (N - 1), results
    assert Appeal.select().count() == 1 and audits("deduction.appeal", d["id"]) == 1


@pytest.mark.parametrize("closed", [False, True])
def test_an_appeal_decided_eight_times_at_once_is_decided_and_refunded_once(app, login, org, closed):
    """The finding that started this: on PostgreSQL a closed month's notice was reversed 2–4 times."""
    site = org["sites"]["LHY"].id
    mgr, admin = login("manager1"), login("admin")
    d = notice(login("super1"), org).get_json()
    assert login("guard1").post(f"/deductions/{d['id']}/appeal", json={"reason": "非本人责任"}).status_code == 201
    if closed:
        assert mgr.post(f"/ledger/2026-03/close?site_id={site}").status_code == 200
    results = burst(app, [mgr.token, admin.token], f"/api/v1/deductions/{d['id']}/appeal/decision",
                    json={"upheld": True, "reason": "核实不属实"})
    one_winner(results)
    assert audits("deduction.appeal_decision", d["id"]) == 1
    reversals = Deduction.select().where(Deduction.reverses == d["id"]).count()
    assert reversals == (1 if closed else 0)
    assert audits("deduction.reverse") == reversals
    if closed:
        april = mgr.get(f"/ledger/2026-04?site_id={site}").get_json()
        assert april["totals"]["total"] == "-15.00"  # refunded once
    else:
        assert Deduction.get_by_id(d["id"]).status == "voided"


def test_a_month_closed_eight_times_at_once_is_closed_once(app, login, org):
    site = org["sites"]["LHY"].id
    assert notice(login("super1"), org).status_code == 201
    results = burst(app, [login("manager1").token, login("admin").token], f"/api/v1/ledger/2026-03/close?site_id={site}")
    one_winner(results)
    assert LedgerMonth.select().count() == 1 and audits("ledger.close") == 1


# --- the same through a real multi-worker server ------------------------------------------

@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory):
    """``patrol serve`` with three worker processes: concurrent requests land in different processes,
    each with its own database connections (on PostgreSQL: the row locks decide across processes)."""
    from tests.live import LiveServer

    s = LiveServer(tmp_path_factory.mktemp("races"), demo_days=0, workers=3)
    s.build_demo()
    s.start()
    yield s
    s.stop()


def http_burst(url, tokens, json):
    import requests

    barrier = threading.Barrier(N)

    def one(i):
        barrier.wait(timeout=30)
        r = requests.post(url, json=json, headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"}, timeout=60)
        return r.status_code, r.json()

    with ThreadPoolExecutor(N) as pool:
        return list(pool.map(one, range(N)))


def _logins(api, *users):
    import requests

    from tests.factories import PASSWORD

    out = {}
    for u in users:
        r = requests.post(api + "/auth/login", json={"username": u, "password": PASSWORD}, timeout=30)
        assert r.status_code == 200, r.text
        out[u] = r.json()
    return out


def _h(body):
    return {"Authorization": f"Bearer {body['token']}"}


def test_over_http_an_appeal_of_a_closed_month_is_refunded_once(gunicorn_server):
    """The original finding, reproduced the way it was found: 8 decisions from manager1 and admin
    through several server processes, on a notice whose month is closed."""
    import requests

    api = gunicorn_server.url + "/api/v1"
    who = _logins(api, "super1", "guard1", "manager1", "admin")
    site, staff = who["guard1"]["user"]["site_ids"][0], who["guard1"]["user"]["id"]
    r = requests.post(api + "/deductions", headers=_h(who["super1"]), timeout=30, json={
        "site_id": site, "staff_id": staff, "points": 3, "reason": "脱岗", "problem_key": "post:absent-http",
        "occurred_at": "2026-02-10T09:00:00+08:00"})
    assert r.status_code == 201, r.text
    d = r.json()
    assert requests.post(api + f"/deductions/{d['id']}/appeal", headers=_h(who["guard1"]), json={"reason": "排班有误"},
                         timeout=30).status_code == 201
    assert requests.post(api + "/ledger/2026-02/close", params={"site_id": site}, headers=_h(who["manager1"]),
                         timeout=60).status_code == 200
    results = http_burst(api + f"/deductions/{d['id']}/appeal/decision",
                         [who["manager1"]["token"], who["admin"]["token"]], {"upheld": True, "reason": "核实不属实"})
    one_winner(results)
    items = requests.get(api + "/deductions", headers=_h(who["manager1"]), timeout=30,
                         params={"site_id": site, "staff_id": staff, "limit": 200}).json()["items"]
    reversals = [x for x in items if x.get("reverses_id") == d["id"]]
    assert len(reversals) == 1 and reversals[0]["points"] == -3


def test_over_http_a_work_order_accepted_eight_times_at_once_is_accepted_once(gunicorn_server):
    import requests

    api = gunicorn_server.url + "/api/v1"
    who = _logins(api, "super1", "tech1")
    site, tech = who["tech1"]["user"]["site_ids"][0], who["tech1"]["user"]["id"]
    r = requests.post(api + "/work-orders", headers=_h(who["super1"]), timeout=30, json={
        "site_id": site, "trade": "engineering", "title": "3 号楼消防门闭门器", "assignee_id": tech})
    assert r.status_code == 201, r.text
    oid = r.json()["id"]
    results = http_burst(api + f"/work-orders/{oid}/transitions", [who["tech1"]["token"]], {"action": "accept"})
    one_winner(results)
    events = requests.get(api + f"/work-orders/{oid}", headers=_h(who["super1"]), timeout=30).json()["events"]
    assert [e["action"] for e in events].count("accept") == 1
