"""The appeal chain of seed 004 4.3 over the API: department head, office director, office manager;
a rejected appeal goes up a level; an appeal about an inspector's retaliation; upheld at any level voids
the notice (in a closed month: the reversal, once)."""
import os
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from api.db import db
from api.models import Appeal, AppealStep, AuditLog, Deduction
from tests import factories
from tests.conftest import ApiClient
from tests.helpers import assert_error_shape

SH = ZoneInfo("Asia/Shanghai")
USE_PG = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "postgres+pool://"))


def notice(api, org, points=2, occurred=None, staff="guard1"):
    r = factories.notice(api, org, staff=staff, points=points, reason="岗亭无人值守", problem_key="post.unattended",
                         occurred_at=(occurred or datetime.now(SH)).isoformat())
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def decide(api, did, upheld, reason="复核"):
    return api.post(f"/deductions/{did}/appeal/decision", json={"upheld": upheld, "reason": reason})


def up(api, did, reason="处理不公"):
    return api.post(f"/deductions/{did}/appeal/escalate", json={"reason": reason})


def test_rejected_by_the_department_head_and_upheld_by_the_office_manager_voids_the_notice(login, org):
    """Seed 004 4.3.2 若部門主管做出不公正處理，可向管理主任提出申訴; 4.3.3 若管理處主任做出不公正處理，可向管理處經理提出申訴."""
    head, director, office_manager, guard = login("super1"), login("manager1"), login("admin"), login("guard1")
    did = notice(head, org)
    assert guard.post(f"/deductions/{did}/appeal", json={"reason": "当时在巡楼，有记录"}).status_code == 201
    # the office director cannot jump the queue: the department head decides first
    r = decide(head, did, False, "岗亭确实无人")
    assert r.status_code == 200 and r.get_json()["status"] == "rejected" and r.get_json()["level_key"] == "department_head"
    r = up(guard, did, "主管未看巡更记录")
    assert r.status_code == 200 and r.get_json()["status"] == "pending" and r.get_json()["level"] == 2
    assert_error_shape(decide(head, did, True), 403)  # a department head does not decide at the director's level
    assert decide(director, did, False, "维持").get_json()["level_key"] == "office_director"
    assert up(guard, did, "请经理复核巡更记录").get_json()["level_key"] == "office_manager"
    r = decide(office_manager, did, True, "巡更记录证实当时在 3 号楼")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "upheld" and body["deduction"]["status"] == "voided"
    assert [(s["level_key"], s["action"], s["upheld"]) for s in body["steps"]] == [
        ("department_head", "filed", None), ("department_head", "decided", False),
        ("office_director", "escalated", None), ("office_director", "decided", False),
        ("office_manager", "escalated", None), ("office_manager", "decided", True)]
    assert_error_shape(up(guard, did), 409)  # upheld: nothing to take further
    ledger = head.get(f"/ledger/{datetime.now(SH):%Y-%m}?site_id={org['sites']['LHY'].id}").get_json()
    assert all(ln["points"] == 0 for ln in ledger["lines"] if ln["staff_id"] == org["users"]["guard1"].id)
    assert AuditLog.select().where(AuditLog.action == "deduction.appeal_escalate").count() == 2


def test_upheld_by_the_office_director_voids_it_too(login, org):
    """Seed 004 4.3.2: the office director may set right the department head's decision."""
    head, director, guard = login("super1"), login("manager1"), login("guard1")
    did = notice(head, org)
    guard.post(f"/deductions/{did}/appeal", json={"reason": "不是我的班"})
    decide(head, did, False)
    up(guard, did)
    assert decide(director, did, True, "排班表证实").get_json()["deduction"]["status"] == "voided"


def test_nobody_decides_one_appeal_at_two_levels_and_the_top_is_the_top(login, org):
    """Seed 004 4.3.3: the appeal goes to someone above the one who decided unfairly."""
    mgr, admin, guard = login("manager1"), login("admin"), login("guard1")
    did = notice(login("super1"), org)
    guard.post(f"/deductions/{did}/appeal", json={"reason": "不是我"})
    assert decide(mgr, did, False).status_code == 200  # a manager may sit as the department head
    up(guard, did)
    r = decide(mgr, did, True)
    assert_error_shape(r, 403)
    assert "lower level" in r.get_json()["message"]
    assert decide(admin, did, False).status_code == 200
    up(guard, did)
    assert_error_shape(decide(mgr, did, False), 403)  # decided level 1 already
    assert_error_shape(decide(login("super1"), did, False), 403)  # not the office manager's role
    assert Appeal.get(Appeal.deduction == did).status == "pending"


def test_only_the_penalised_person_takes_it_up_and_only_when_rejected(login, org):
    head, guard = login("super1"), login("guard1")
    did = notice(head, org)
    guard.post(f"/deductions/{did}/appeal", json={"reason": "不是我"})
    assert_error_shape(up(guard, did), 409)  # still pending at the department head
    decide(head, did, False)
    assert_error_shape(up(login("guard3"), did), 404)  # someone else's notice is not theirs to see
    assert_error_shape(up(guard, did, ""), 422)
    assert Appeal.get(Appeal.deduction == did).level == 1


def test_an_appeal_about_retaliation_is_never_decided_by_the_inspector(login, org):
    """Seed 004 4.3.1 若相關檢查考核人員採取不正當的手段對員工進行打擊報復，受罰人員可向相關部門提出申訴."""
    inspector, guard = login("manager1"), login("guard1")
    did = notice(inspector, org, points=6)
    r = guard.post(f"/deductions/{did}/appeal", json={"reason": "上周我投诉过他，这是报复", "kind": "retaliation"})
    assert r.status_code == 201, r.get_json()
    got = r.get_json()
    assert got["kind"] == "retaliation" and got["against_id"] == org["users"]["manager1"].id
    assert got["level_key"] == "office_director"  # above the inspector's own department
    r = decide(inspector, did, False, "没有报复")
    assert_error_shape(r, 403)
    assert "retaliation" in r.get_json()["message"]
    assert_error_shape(decide(login("super1"), did, True), 403)  # a department head is below this level
    assert decide(login("admin"), did, True, "查实存在报复").get_json()["deduction"]["status"] == "voided"


def test_upheld_at_the_top_after_the_month_closed_books_the_reversal_once(login, org):
    """Seed 004 4.3 with 4.1.5 (每月1-5日……報送公司財務部): a closed month is never edited; the upheld
    appeal's money comes back in the next open month."""
    head, mgr, admin, guard = login("super1"), login("manager1"), login("admin"), login("guard1")
    site = org["sites"]["LHY"].id
    last_month = datetime.now(SH).replace(day=1) - timedelta(days=2)
    did = notice(head, org, points=3, occurred=last_month)
    guard.post(f"/deductions/{did}/appeal", json={"reason": "非本人"})
    decide(head, did, False)
    assert mgr.post(f"/ledger/{last_month:%Y-%m}/close?site_id={site}").status_code == 200
    up(guard, did)
    r = decide(mgr, did, True, "核实非本人")
    assert r.status_code == 200
    rev = r.get_json()["reversal"]
    assert rev["points"] == -3 and rev["reverses_id"] == did and rev["amount"] == "-15.00"
    assert Deduction.get_by_id(did).status == "active"
    assert_error_shape(decide(admin, did, True), 409)
    assert Deduction.select().where(Deduction.reverses == did).count() == 1


@pytest.mark.skipif(not USE_PG, reason="SQLite's BEGIN IMMEDIATE already serialises writers")
def test_two_deciders_at_once_make_one_decision_and_one_reversal(app, login, org):
    head, mgr, admin, guard = login("super1"), login("manager1"), login("admin"), login("guard1")
    site = org["sites"]["LHY"].id
    last_month = datetime.now(SH).replace(day=1) - timedelta(days=2)
    ids = [notice(head, org, points=2, occurred=last_month) for _ in range(4)]
    for did in ids:
        assert guard.post(f"/deductions/{did}/appeal", json={"reason": "非本人"}).status_code == 201
    assert mgr.post(f"/ledger/{last_month:%Y-%m}/close?site_id={site}").status_code == 200
    answers = []

    def run(token, did, upheld, barrier):
        api = ApiClient(app.test_client(), token)
        barrier.wait()
        try:
            answers.append((did, decide(api, did, upheld, "并发复核").status_code))
        finally:
            db.close()

    for did in ids:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=run, args=(mgr.token, did, True, barrier)),
                   threading.Thread(target=run, args=(admin.token, did, True, barrier))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    for did in ids:
        codes = sorted(code for d, code in answers if d == did)
        assert codes == [200, 409], (did, codes)
        assert Deduction.select().where(Deduction.reverses == did).count() == 1
        assert AppealStep.select().join(Appeal).where((Appeal.deduction == did)
                                                      & (AppealStep.action == "decided")).count() == 1
