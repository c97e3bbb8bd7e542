"""A departed guard's queue sent by a supervisor (issue #16): allowed once the guard is
deactivated or the entry has waited the policy's hours; stored as the guard's, and every audit row
names the supervisor who sent it."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from api.domain.errors import Forbidden, Invalid
from api.domain.queue_handover import handover_reason
from api.models import AuditLog, Inspection, User
from tests.factories import body_for

NOW = datetime(2026, 12, 1, 20, 0)


@pytest.mark.parametrize("role, active, shared, queued_hours_ago, outcome", [
    ("supervisor", False, True, 0, "deactivated"),
    ("manager", True, True, 12, "waited"),
    ("supervisor", True, True, 11.9, Forbidden),   # still the guard's own to send
    ("supervisor", True, True, None, Forbidden),   # no queued time: only a deactivated person's
    ("guard", False, True, 48, Forbidden),         # a colleague may not
    ("supervisor", False, False, 48, Forbidden),   # nor another site's supervisor
])
def test_who_may_send_whose_queue(role, active, shared, queued_hours_ago, outcome):
    queued = None if queued_hours_ago is None else NOW - timedelta(hours=queued_hours_ago)
    kw = dict(sender=SimpleNamespace(role=role, id=1), owner_active=active, shared_site=shared, same_person=False, queued_at=queued,
              now=NOW, after_hours=12)
    if isinstance(outcome, str):
        assert handover_reason(**kw) == outcome
    else:
        with pytest.raises(outcome):
            handover_reason(**kw)


def test_ones_own_entries_are_not_sent_on_ones_own_behalf():
    with pytest.raises(Invalid):
        handover_reason(sender=SimpleNamespace(role="supervisor", id=1), owner_active=True, shared_site=True, same_person=True,
                        queued_at=None, now=NOW, after_hours=12)


def _on_behalf(api, body, owner="guard1", queued_at=None):
    headers = {"X-On-Behalf-Of": owner}
    if queued_at is not None:
        headers["X-Queued-At"] = queued_at.isoformat()
    return api.post("/inspections", json=body, headers={**headers, "Idempotency-Key": body["id"]})


def test_a_deactivated_guards_round_is_sent_by_his_supervisor_as_his(login, org):
    supervisor = login("super1")
    User.update(active=False).where(User.username == "guard1").execute()
    body = body_for(code="LHY-LAMP-08")
    r = _on_behalf(supervisor, body)
    assert r.status_code == 201, r.get_json()
    row = Inspection.get_by_id(body["id"])
    assert row.inspector.username == "guard1"
    (entry,) = AuditLog.select().where(AuditLog.action == "inspection.submit")
    assert entry.user.username == "guard1"
    assert entry.after["sent_by"] == {"id": org["users"]["super1"].id, "username": "super1", "role": "supervisor",
                                      "reason": "deactivated"}
    assert _on_behalf(supervisor, body).status_code in (200, 201)  # the retry is the same round
    assert Inspection.select().where(Inspection.id == body["id"]).count() == 1


def test_an_active_guards_round_waits_the_policys_hours_before_a_supervisor_may_send_it(login, org):
    supervisor = login("super1")
    body = body_for(code="LHY-LAMP-08")
    fresh = _on_behalf(supervisor, body, queued_at=datetime.now(timezone.utc) - timedelta(hours=1))
    assert fresh.status_code == 403 and Inspection.select().count() == 0
    r = _on_behalf(supervisor, body, queued_at=datetime.now(timezone.utc) - timedelta(hours=13))
    assert r.status_code == 201, r.get_json()
    assert AuditLog.get(AuditLog.action == "inspection.submit").after["sent_by"]["reason"] == "waited"


@pytest.mark.parametrize("sender, owner, status", [("guard3", "guard1", 403), ("super3", "guard1", 403),
                                                   ("super1", "nobody", 422), ("super1", "super1", 422)])
def test_colleagues_other_sites_and_unknown_people_are_refused(login, org, sender, owner, status):
    User.update(active=False).where(User.username == "guard1").execute()
    r = _on_behalf(login(sender), body_for(code="LHY-LAMP-08"), owner=owner)
    assert r.status_code == status, r.get_json()
    assert Inspection.select().count() == 0 and AuditLog.select().where(AuditLog.action == "inspection.submit").count() == 0


def test_the_same_round_sent_eight_times_at_once_on_a_guards_behalf_is_stored_once(app, login, org):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    supervisor = login("super1")
    User.update(active=False).where(User.username == "guard1").execute()
    body = body_for(code="LHY-LAMP-08")
    barrier = threading.Barrier(8)

    def one(_i):
        client = app.test_client()
        barrier.wait(timeout=30)
        r = client.post("/api/v1/inspections", json=body, headers={
            "Authorization": f"Bearer {supervisor.token}", "X-On-Behalf-Of": "guard1", "Idempotency-Key": body["id"]})
        return r.status_code

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(one, range(8)))
    assert set(codes) <= {200, 201, 409} and codes.count(201) == 1, codes
    assert Inspection.select().where(Inspection.id == body["id"]).count() == 1
    assert AuditLog.select().where(AuditLog.action == "inspection.submit").count() == 1
