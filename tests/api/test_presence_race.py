"""A phone that sends its round twice at once (the outbox's loop and Background Sync's, or a retry
racing the lost answer), on PostgreSQL: the inspection with its proof of presence is stored once,
and so is a 一键报警. (SQLite's BEGIN IMMEDIATE already serialises writers.)"""
import os
import threading
import uuid

import pytest

from api.db import db
from api.models import Finding, Inspection
from tests.factories import body_for
from tests.conftest import ApiClient

USE_PG = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "postgres+pool://"))


def _twice(app, token, path, body):
    answers = []
    barrier = threading.Barrier(2)

    def run():
        api = ApiClient(app.test_client(), token)
        barrier.wait()
        try:
            answers.append(api.post(path, json=body).status_code)
        finally:
            db.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(answers)


@pytest.mark.skipif(not USE_PG, reason="needs PostgreSQL for real concurrency")
def test_the_same_round_sent_twice_at_once_is_stored_once_with_its_presence(app, login):
    guard = login("guard1")
    for _ in range(5):
        body = body_for(presence={"method": "typed", "reason": "标签被遮挡"})
        assert _twice(app, guard.token, "/inspections", body) == [200, 201]
        stored = Inspection.get(Inspection.id == body["id"])
        assert (stored.presence_method, stored.presence_flag) == ("typed", "typed_code")


@pytest.mark.skipif(not USE_PG, reason="needs PostgreSQL for real concurrency")
def test_an_emergency_sent_twice_at_once_is_raised_once(app, login):
    guard = login("guard1")
    for _ in range(5):
        body = {"client_id": str(uuid.uuid4()), "checkpoint_code": "LHY-LAMP-01", "note": "一键报警",
                "trade": "security", "emergency": True, "location": {"lat": 31.22, "lon": 121.546, "accuracy_m": 9}}
        assert _twice(app, guard.token, "/findings", body) == [200, 201]
        assert Finding.select().where(Finding.client_id == body["client_id"]).count() == 1
