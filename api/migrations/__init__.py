"""Schema migrations: ``NNNN_name.py`` modules with ``up(db, migrator)`` / ``down(db, migrator)``.

Each module is applied once, in order, and recorded in ``patrol_migrations``. ``migrator`` is
peewee's ``playhouse.migrate`` SchemaMigrator for the bound database, so column changes are
``migrate(migrator.add_column(...))``. Several processes starting at once are safe: the run holds
a database lock (PostgreSQL advisory lock, SQLite write lock).
"""
import importlib
import pkgutil
from datetime import datetime, timezone

from peewee import CharField, DateTimeField, Model
from playhouse.migrate import SchemaMigrator

from api.db import db, is_postgres, is_sqlite

_LOCK_ID = 7301_2026


class AppliedMigration(Model):
    name = CharField(max_length=120, primary_key=True)
    applied_at = DateTimeField()

    class Meta:
        database = db
        table_name = "patrol_migrations"


def available():
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name[:4].isdigit()]
    return sorted(names)


def applied():
    if not db.table_exists("patrol_migrations"):
        return []
    return [m.name for m in AppliedMigration.select().order_by(AppliedMigration.name)]


def unknown_applied():
    """Applied migrations this code does not have: the database is newer than the code."""
    known = set(available())
    return [n for n in applied() if n not in known]


def pending():
    done = set(applied())
    return [n for n in available() if n not in done]


def migrate_up(target=None):
    """Apply every pending migration (up to ``target``); returns the names applied."""
    db.connect(reuse_if_open=True)
    if is_sqlite():
        with _sqlite_foreign_keys_off():
            return _migrate_up(target)
    return _migrate_up(target)


class _sqlite_foreign_keys_off:
    """SQLite changes a column by rebuilding its table (copy, DROP, rename): with foreign keys on,
    that DROP cascades into every child table (an added NOT NULL column on ``inspection`` emptied
    item_result, finding, ...). As SQLite's ALTER TABLE guide says: keys off outside the
    transaction, then ``PRAGMA foreign_key_check`` before they go back on."""

    def __enter__(self):
        self.was_on = bool(db.execute_sql("PRAGMA foreign_keys").fetchone()[0])
        db.execute_sql("PRAGMA foreign_keys = OFF")

    def __exit__(self, *exc):
        try:
            if exc[0] is None:
                broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"a migration left {len(broken)} row(s) whose foreign keys point nowhere: "
                                       f"{broken[:5]}")
        finally:
            if self.was_on:
                db.execute_sql("PRAGMA foreign_keys = ON")
        return False


def _migrate_up(target=None):
    migrator = SchemaMigrator.from_database(db.obj)
    done_now = []
    if is_sqlite():
        ctx = db.atomic("IMMEDIATE")
    else:
        ctx = db.atomic()
    with ctx:
        if is_postgres():
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
        db.create_tables([AppliedMigration], safe=True)
        done = set(applied())
        for name in available():
            if name in done:
                continue
            module = importlib.import_module(f"{__name__}.{name}")
            module.up(db, migrator)
            AppliedMigration.create(name=name, applied_at=datetime.now(timezone.utc).replace(tzinfo=None))
            done_now.append(name)
            if target and name.startswith(target):
                break
    return done_now


def migrate_down(steps=1):
    db.connect(reuse_if_open=True)
    if is_sqlite():
        with _sqlite_foreign_keys_off():
            return _migrate_down(steps)
    return _migrate_down(steps)


def _migrate_down(steps=1):
    migrator = SchemaMigrator.from_database(db.obj)
    undone = []
    with db.atomic():
        for name in list(reversed(applied()))[:steps]:
            module = importlib.import_module(f"{__name__}.{name}")
            module.down(db, migrator)
            AppliedMigration.delete().where(AppliedMigration.name == name).execute()
            undone.append(name)
    return undone
