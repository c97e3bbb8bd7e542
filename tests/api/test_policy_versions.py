"""Policy versions: a manager changes amounts, thresholds and limits from a date; the past stays.

Seed 004 4.2.1: "違規責任人每被扣1分,罰款人民幣伍圓" — five yuan a point is the shipped first version;
a company that pays ten from next month changes it once, and this month's ledger does not move."""
import os
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from api.db import db
from api.models import AuditLog, PolicyVersion
from tests.factories import notice
from tests.conftest import ApiClient
from tests.helpers import assert_error_shape

USE_PG = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "postgres+pool://"))
TZ8 = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=TZ8)  # inside the month the deduction tests use


def _edited(api, **deductions):
    versions = api.get("/policy/versions").get_json()
    newest = max(v["id"] for v in versions)
    policy = api.get("/policy").get_json()
    policy["deductions"].update(deductions)
    return newest, policy


def test_the_shipped_policy_is_the_first_version_and_in_force(login, org):
    versions = login("guard1").get("/policy/versions").get_json()
    assert len(versions) == 1 and versions[0]["in_force"] and versions[0]["note"] == "initial: policy.yaml"
    assert versions[0]["policy"]["deductions"]["yuan_per_point"] == "5.00"


def test_a_fine_per_point_changed_from_next_month_leaves_this_months_ledger_unchanged(login, org):
    site = org["sites"]["LHY"].id
    with time_machine.travel(NOW, tick=False):
        sup, mgr = login("super1"), login("manager1")
        assert notice(sup, org, staff="guard1", points=6).status_code == 201
        before = sup.get(f"/ledger/2026-03?site_id={site}").get_json()
        assert {ln["username"]: ln["amount"] for ln in before["lines"]}["guard1"] == "30.00"

        based_on, policy = _edited(mgr, yuan_per_point="10.00")
        policy["deductions"]["tiers"][0]["extra_fine"] = "50.00"
        r = mgr.post("/policy/versions", json={"effective_from": "2026-04-01", "based_on": based_on,
                                               "note": "每分十元 / ten yuan a point from April", "policy": policy})
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["in_force"] is False and r.get_json()["created_by_name"]

        assert sup.get("/policy").get_json()["deductions"]["yuan_per_point"] == "5.00"
        after = sup.get(f"/ledger/2026-03?site_id={site}").get_json()
        assert after["lines"] == before["lines"] and after["totals"] == before["totals"]

    with time_machine.travel(datetime(2026, 4, 2, 10, 0, tzinfo=TZ8), tick=False):
        sup = login("super1")
        assert sup.get("/policy").get_json()["deductions"]["yuan_per_point"] == "10.00"
        r = notice(sup, org, staff="guard1", points=6, occurred_at="2026-04-01T09:00:00+08:00")
        assert r.status_code == 201 and r.get_json()["amount"] == "60.00", r.get_json()
        april = sup.get(f"/ledger/2026-04?site_id={site}").get_json()
        line = {ln["username"]: ln for ln in april["lines"]}["guard1"]
        assert line["amount"] == "60.00" and line["extra_fine"] == "50.00"
        march = sup.get(f"/ledger/2026-03?site_id={site}").get_json()
        assert march["lines"] == before["lines"]  # still five yuan a point, twenty extra


def test_a_version_is_audited_with_before_and_after(login, org):
    mgr = login("manager1")
    based_on, policy = _edited(mgr, yuan_per_point="8.00")
    day = (date.today() + timedelta(days=40)).isoformat()
    r = mgr.post("/policy/versions", json={"effective_from": day, "based_on": based_on, "policy": policy})
    assert r.status_code == 201, r.get_json()
    entry = AuditLog.get((AuditLog.action == "policy.version_added") & (AuditLog.object_id == str(r.get_json()["id"])))
    assert entry.before["deductions"]["yuan_per_point"] == "5.00"
    assert entry.after["deductions"]["yuan_per_point"] == "8.00" and entry.after["effective_from"] == day


def test_the_same_change_sent_twice_is_stored_once(login, org):
    mgr = login("manager1")
    based_on, policy = _edited(mgr, yuan_per_point="6.00")
    body = {"effective_from": (date.today() + timedelta(days=3)).isoformat(), "based_on": based_on, "policy": policy}
    first = mgr.post("/policy/versions", json=body)
    again = mgr.post("/policy/versions", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"] and PolicyVersion.select().count() == 2


def test_a_change_based_on_an_older_version_is_refused(login, org):
    mgr, admin = login("manager1"), login("admin")
    based_on, policy = _edited(mgr, yuan_per_point="6.00")
    day = (date.today() + timedelta(days=3)).isoformat()
    assert admin.post("/policy/versions", json={"effective_from": day, "based_on": based_on,
                                                "policy": dict(policy, timezone="Asia/Shanghai")}).status_code == 201
    policy["deductions"]["yuan_per_point"] = "7.00"
    stale = mgr.post("/policy/versions", json={"effective_from": day, "based_on": based_on, "policy": policy})
    assert_error_shape(stale, 409)
    assert "reload" in stale.get_json()["message"]


def test_a_wrong_policy_gets_field_errors_and_changes_nothing(login, org):
    mgr = login("manager1")
    based_on, policy = _edited(mgr, yuan_per_point="-1")
    policy["deductions"]["tiers"][1]["min_points"] = 2  # below the first tier's 5
    r = mgr.post("/policy/versions", json={"effective_from": (date.today() + timedelta(days=1)).isoformat(),
                                           "based_on": based_on, "policy": policy})
    assert_error_shape(r, 422)
    errors = r.get_json()["errors"]["json"]["policy"]["deductions"]
    assert "yuan_per_point" in errors and "tiers" in errors
    past = mgr.post("/policy/versions", json={"effective_from": "2020-01-01", "based_on": based_on,
                                              "policy": _edited(mgr)[1]})
    assert_error_shape(past, 422, field="effective_from")
    assert PolicyVersion.select().count() == 1


def test_only_a_manager_or_admin_changes_the_policy(login, org):
    sup = login("super1")
    based_on, policy = _edited(sup)
    r = sup.post("/policy/versions", json={"effective_from": (date.today() + timedelta(days=1)).isoformat(),
                                           "based_on": based_on, "policy": policy})
    assert_error_shape(r, 403)
    assert PolicyVersion.select().count() == 1


def test_another_process_sees_a_new_version_within_a_second(login, org, monkeypatch):
    """Every API process reads the same versions: a process's cache asks the database's version
    counter again after CHECK_SECONDS, so a version stored by another process is seen."""
    from api.domain import policy as pol

    mgr = login("manager1")
    assert pol.current_policy().yuan_per_point == 5
    based_on, policy = _edited(mgr, yuan_per_point="9.00")
    # stored as another process would: straight into the database, this process's cache untouched
    PolicyVersion.create(effective_from=date(2001, 1, 1), body=policy | {"zone_ranking": policy["zone_ranking"]},
                         note="elsewhere", based_on=based_on)
    monkeypatch.setattr(pol, "CHECK_SECONDS", 0)
    assert str(pol.current_policy().yuan_per_point) == "9.00"


@pytest.mark.skipif(not USE_PG, reason="SQLite's BEGIN IMMEDIATE already serialises the writers")
def test_two_managers_posting_at_once_store_one_version_on_postgresql(app, login, org):
    mgr, admin = login("manager1"), login("admin")
    for round_ in range(5):
        based_on, policy = _edited(mgr, yuan_per_point=f"{6 + round_}.00")
        barrier = threading.Barrier(2)
        answers = []

        def post(token, fine):
            api = ApiClient(app.test_client(), token)
            body = {"effective_from": (date.today() + timedelta(days=1)).isoformat(), "based_on": based_on,
                    "policy": dict(policy, deductions=dict(policy["deductions"], yuan_per_point=fine))}
            barrier.wait()
            try:
                answers.append(api.post("/policy/versions", json=body).status_code)
            finally:
                db.close()

        threads = [threading.Thread(target=post, args=(mgr.token, "11.00")),
                   threading.Thread(target=post, args=(admin.token, "12.00"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(answers) == [201, 409], answers
    assert PolicyVersion.select().count() == 6
