"""Two creates or imports of the same code at the same moment make one row (PostgreSQL: an advisory lock
serialises organisation writes; SQLite: BEGIN IMMEDIATE)."""
import threading

from api.db import db
from api.domain import workbooks
from api.domain.org import Actor
from api.models import AuditLog, Building, Zone


def _together(n, fn):
    barrier = threading.Barrier(n)
    out, errors = [None] * n, []

    def run(i):
        try:
            barrier.wait()
            out[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            if not db.is_closed():
                db.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return out


def test_two_creates_of_the_same_zone_make_one_row(app, login, org):
    token = login("manager1").token
    body = {"site_code": "LHY", "code": "RACE", "name": "并发区"}

    def create(_):
        with app.test_client() as c:
            return c.post("/api/v1/zones", json=body, headers={"Authorization": f"Bearer {token}"}).status_code

    assert sorted(_together(2, create)) == [200, 201]
    assert Zone.select().where(Zone.code == "RACE").count() == 1
    assert AuditLog.select().where(AuditLog.action == "zone.created").count() == 1


def test_two_imports_of_the_same_file_make_one_row_each(app, org):
    rows = [{"site_code": "LHY", "code": f"R{i}", "name": f"R{i}栋", "zone_code": "A", "active": True}
            for i in range(30)]
    data = workbooks.write_workbook("buildings", rows)

    def imp(_):
        with app.app_context():
            db.connect(reuse_if_open=True)
            return workbooks.import_workbook("buildings", data, Actor.command_line())

    results = _together(2, imp)
    assert sorted((r["created"], r["unchanged"]) for r in results) == [(0, 30), (30, 0)]
    assert Building.select().where(Building.code.startswith("R")).count() == 30
