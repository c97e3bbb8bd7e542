"""0003_org: staff get 工号/department/post, checkpoints an NFC tag id, sites and zones an active flag, and
buildings/units appear — on a database that already holds the previous release's rows, which stay."""
import pytest

from api.db import db, init_db
from api.migrations import applied, migrate_down, migrate_up
from api.models import ALL_MODELS, Building, Checkpoint, Site, Unit, User, Zone
from tests.conftest import PG_URL, USE_PG


def _wipe(url):
    if url.startswith("postgres"):
        db.execute_sql("DROP SCHEMA public CASCADE")
        db.execute_sql("CREATE SCHEMA public")


MINE = ("site", "zone", "user", "checkpoint", "building", "unit")


def _schema():
    out = {}
    for m in ALL_MODELS:
        if m._meta.table_name not in MINE:
            continue  # the other tables are other migrations' business (and day one's schema test's)
        t = m._meta.table_name
        cols = sorted((c.name, c.data_type.upper().split("(")[0], c.null) for c in db.get_columns(t))
        idx = sorted((i.name, tuple(i.columns), i.unique) for i in db.get_indexes(t))
        out[t] = (cols, idx)
    return out


@pytest.fixture
def bare_db(tmp_path):
    if USE_PG:
        import psycopg2
        from urllib.parse import urlparse

        u = urlparse(PG_URL)
        conn = psycopg2.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres",
                                dbname=u.path.lstrip("/") or "test")
        conn.autocommit = True
        name = "patrol_org_mig"
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql://{u.username or 'postgres'}@{u.hostname}:{u.port or 5432}/{name}"
    else:
        url = f"sqlite:///{tmp_path / 'mig.db'}"
    init_db(url)
    db.connect(reuse_if_open=True)
    yield url
    db.close()


def test_rows_of_the_previous_release_survive_and_get_the_defaults(bare_db):
    migrate_up(target="0001")
    db.execute_sql("INSERT INTO site (code, name, name_en, kind, timezone, address) "
                   "VALUES ('S1', '一号苑', '', 'residential', 'Asia/Shanghai', '')")
    db.execute_sql("INSERT INTO zone (site_id, code, name, name_en) VALUES (1, 'Z1', '北区', '')")
    db.execute_sql("INSERT INTO \"user\" (username, name, role, password_hash, phone, active, created_at) "
                   "VALUES ('g1', '王保安', 'guard', 'x', '', %s, '2026-01-01 00:00:00')"
                   .replace("%s", "TRUE" if bare_db.startswith("postgres") else "1"))
    db.execute_sql("INSERT INTO user_site (user_id, site_id) VALUES (1, 1)")
    db.execute_sql("INSERT INTO checkpoint (site_id, zone_id, code, name, name_en, kind, checklist_keys, active, "
                   "sort_order, note) VALUES (1, 1, 'CP1', '大堂', '', 'lobby', '[]', %s, 0, '')"
                   .replace("%s", "TRUE" if bare_db.startswith("postgres") else "1"))
    migrate_up()
    u = User.get(User.username == "g1")
    assert (u.employee_no, u.department, u.post, u.name) == (None, "", "", "王保安")
    assert Site.get().active and Zone.get().active
    assert Checkpoint.get().nfc_tag_id is None and Checkpoint.get().name == "大堂"
    assert db.execute_sql("SELECT COUNT(*) FROM user_site").fetchone()[0] == 1
    b = Building.create(site=1, zone=1, code="1", name="1栋")
    Unit.create(building=b, code="1-1201", floor=12)
    assert Unit.get().building.zone.code == "Z1"


def test_the_migrated_schema_is_the_models_schema(bare_db):
    migrate_up()
    migrated = _schema()
    _wipe(bare_db)
    if not bare_db.startswith("postgres"):
        db.close()
        import os
        os.remove(bare_db[len("sqlite:///"):])
        db.connect()
    db.create_tables(ALL_MODELS)
    assert _schema() == migrated


def test_employee_numbers_and_tags_are_unique_where_set_and_the_step_can_be_undone(bare_db):
    migrate_up()
    for i in range(2):
        User.create(username=f"u{i}", name="x", role="guard", password_hash="x")  # both without 工号
    User.update(employee_no="A001").where(User.username == "u0").execute()
    with pytest.raises(Exception), db.atomic():
        User.update(employee_no="A001").where(User.username == "u1").execute()
    # later migrations (of other work) are undone first, then this one
    from api.migrations import applied
    later = [n for n in applied() if n > "0003_org"]
    assert migrate_down(len(later) + 1)[-1] == "0003_org"
    assert "building" not in db.get_tables() and "employee_no" not in [c.name for c in db.get_columns("user")]
    assert migrate_up() == ["0003_org"] + later
