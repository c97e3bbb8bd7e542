"""A schema that evolves: the migrations build exactly the schema the models describe, and a database
made by the release before this work (f0d91a5, with its demo data) upgrades with every row and photo kept.

Engine as the suite's (DATABASE_URL): SQLite by default, PostgreSQL when it points there."""
import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from api.db import db, init_db, make_database
from api.migrations import AppliedMigration, available, migrate_up
from api.models import ALL_MODELS
from tests.conftest import USE_PG, _pg_admin_conn

ROOT = Path(__file__).resolve().parent.parent.parent
RELEASE = "f0d91a5"  # the release before the frozen initial migration
IGNORED_TABLES = {AppliedMigration._meta.table_name}


# --- the migrated schema is the models' schema ---------------------------------------------------

def _fresh_url(tmp_path, name):
    if not USE_PG:
        return f"sqlite:///{tmp_path / name}.db", None
    conn, u = _pg_admin_conn()
    dbname = f"patrol_schema_{name}_{uuid.uuid4().hex[:8]}"
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{dbname}"')
    return f"postgresql://{u.username or 'postgres'}@{u.hostname or '127.0.0.1'}:{u.port or 5432}/{dbname}", \
        (conn, dbname)


def _drop(handle):
    if handle:
        conn, dbname = handle
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.close()


def _close(database):
    if not database.is_closed():
        database.close()
    if hasattr(database, "close_all"):
        database.close_all()


def _norm_type(data_type):
    t = data_type.lower()
    return {"int": "integer", "int4": "integer", "bool": "boolean"}.get(t, t)


def describe(url):
    """{table: {"columns": {name: (type, null, pk)}, "indexes": {(columns, unique, name)}, "fks": {...}}}"""
    database = make_database(url)
    database.connect()
    try:
        out = {}
        for table in sorted(set(database.get_tables()) - IGNORED_TABLES):
            cols = {c.name: (_norm_type(c.data_type), c.null, c.primary_key) for c in database.get_columns(table)}
            idx = set()
            for i in database.get_indexes(table):
                if i.name.endswith("_pkey") or i.name.startswith("sqlite_autoindex"):
                    continue
                idx.add((tuple(i.columns), bool(i.unique), i.name))
            fks = {(f.column, f.dest_table, f.dest_column) for f in database.get_foreign_keys(table)}
            out[table] = {"columns": cols, "indexes": idx, "fks": fks}
        return out
    finally:
        _close(database)


def differences(migrated, models):
    """Readable lines: which table, column, index or foreign key differs, and how."""
    lines = []
    for table in sorted(set(migrated) | set(models)):
        if table not in migrated:
            lines.append(f"table {table}: in the models, but no migration creates it")
            continue
        if table not in models:
            lines.append(f"table {table}: created by a migration, but no model has it")
            continue
        a, b = migrated[table], models[table]
        for col in sorted(set(a["columns"]) | set(b["columns"])):
            ca, cb = a["columns"].get(col), b["columns"].get(col)
            if ca != cb:
                def show(c):
                    return "missing" if c is None else f"{c[0]} {'NULL' if c[1] else 'NOT NULL'}" + (" PK" if c[2] else "")
                lines.append(f"{table}.{col}: migrations give {show(ca)}, the models say {show(cb)}")
        for cols, unique, name in sorted(a["indexes"] - b["indexes"]):
            lines.append(f"{table}: index {name} {'UNIQUE ' if unique else ''}({', '.join(cols)}) only in the "
                         f"migrated schema")
        for cols, unique, name in sorted(b["indexes"] - a["indexes"]):
            lines.append(f"{table}: index {name} {'UNIQUE ' if unique else ''}({', '.join(cols)}) in the models, "
                         f"but no migration makes it")
        for fk in sorted(a["fks"] ^ b["fks"]):
            side = "migrations" if fk in a["fks"] else "models"
            lines.append(f"{table}: foreign key {fk[0]} -> {fk[1]}.{fk[2]} only in the {side}")
    return lines


def test_the_migrations_build_exactly_the_schema_of_the_models(tmp_path):
    migrated_url, h1 = _fresh_url(tmp_path, "migrated")
    models_url, h2 = _fresh_url(tmp_path, "models")
    try:
        init_db(migrated_url)
        db.connect(reuse_if_open=True)
        applied = migrate_up()
        assert applied == available()
        _close(db.obj)

        plain = make_database(models_url)
        with plain.bind_ctx(ALL_MODELS):
            plain.create_tables(ALL_MODELS)
        _close(plain)

        problems = differences(describe(migrated_url), describe(models_url))
        assert not problems, ("the migrated schema differs from the models' schema — add a migration "
                              "(api/migrations/NNNN_*.py) for:\n  " + "\n  ".join(problems))
    finally:
        _drop(h1)
        _drop(h2)


def test_the_comparison_names_the_column_that_differs():
    migrated = {"site": {"columns": {"id": ("integer", False, True), "code": ("varchar(40)", False, False)},
                         "indexes": {(("code",), True, "site_code")}, "fks": set()}}
    models = {"site": {"columns": {"id": ("integer", False, True), "code": ("varchar(40)", False, False),
                                   "region": ("varchar(40)", True, False)},
                       "indexes": {(("code",), True, "site_code"), (("region",), False, "site_region")},
                       "fks": set()}}
    assert differences(migrated, models) == [
        "site.region: migrations give missing, the models say varchar(40) NULL",
        "site: index site_region (region) in the models, but no migration makes it",
    ]


# --- a database of the previous release upgrades with every row and photo kept --------------------

def _release_tree(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("no git checkout here: the previous release's code comes from git history")
    probe = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{RELEASE}^{{commit}}"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"git history without {RELEASE} (a shallow clone?): cannot build the old database")
    tree = tmp_path / "release"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", RELEASE],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def _counts(url):
    """Rows per table, on either engine."""
    database = make_database(url)
    database.connect()
    try:
        return {t: database.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in database.get_tables()}
    finally:
        _close(database)


def _files(media):
    return {str(p.relative_to(media)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(media.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_a_database_of_the_previous_release_upgrades_with_every_row_and_photo_kept(tmp_path):
    """On the suite's engine: a SQLite file, or (DATABASE_URL on PostgreSQL) a PostgreSQL database of its own
    that the old release's ``patrol demo`` fills and the current code migrates."""
    tree = _release_tree(tmp_path)
    (tmp_path / "old").mkdir()
    old_url, handle = _fresh_url(tmp_path / "old", "release")
    try:
        _upgrade_the_previous_release(tmp_path, tree, old_url)
    finally:
        _drop(handle)


def _upgrade_the_previous_release(tmp_path, tree, old_url):
    media = tmp_path / "old" / "media"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATROL_") and k != "DATABASE_URL"}
    env.update(PYTHONPATH=str(tree), DATABASE_URL=old_url, PATROL_MEDIA_DIR=str(media),
               PATROL_CHECKLISTS_DIR=str(tree / "checklists"), PATROL_VAR_DIR=str(tmp_path / "old"))
    built = subprocess.run([sys.executable, "-m", "api.cli", "demo", "--days", "2", "--password", "old-pass-1"],
                           cwd=tree, env=env, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    before = _counts(old_url)
    photos_before = _files(media)
    assert before["inspection"] > 0 and before["photo"] > 0 and photos_before, before
    shutil.rmtree(tree)  # from here on only the current code

    from api.app import create_app
    from api.domain.photos import photo_ext, storage_key
    from api.models import Photo, PolicyVersion, User

    app = create_app({"TESTING": True, "DATABASE_URL": old_url, "PATROL_MEDIA_DIR": str(media)})
    with app.app_context():
        db.connect(reuse_if_open=True)
        applied = migrate_up()
        assert applied and "0001_initial" not in applied, applied  # 0001 is what the old release had
        assert set(available()) == {m.name for m in AppliedMigration.select()}
        storage = app.extensions["patrol_storage"]
        for photo in Photo.select():  # every photo row still finds its original, preview and thumbnail
            for size in ("original", "preview", "thumb"):
                assert storage.exists(storage_key(photo.id, size, photo_ext(photo))), (photo.id, size)
        client = app.test_client()
        r = client.post("/api/v1/auth/login", json={"username": "guard1", "password": "old-pass-1"})
        assert r.status_code == 200, r.get_json()
        headers = {"Authorization": f"Bearer {r.get_json()['token']}"}
        assert client.get("/api/v1/policy", headers=headers).get_json()["deductions"]["yuan_per_point"] == "5.00"
        assert client.get("/api/v1/checkpoints", headers=headers).status_code == 200
        assert PolicyVersion.select().count() == 1 and User.select().count() == before["user"]
        _close(db.obj)

    after = _counts(old_url)
    kept = {t: (n, after.get(t)) for t, n in before.items() if t != "patrol_migrations"}
    # the login above wrote a token and an audit row; everything else is exactly as it was
    changed = {t: v for t, v in kept.items() if v[0] != v[1] and t not in ("api_token", "audit_log")}
    assert not changed, f"rows lost or added by the upgrade (table: before, after): {changed}"
    assert after["api_token"] == before["api_token"] + 1
    assert _files(media) == photos_before
