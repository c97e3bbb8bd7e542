"""One database proxy for the whole app, bound from DATABASE_URL at start."""
import os
from contextlib import contextmanager

from peewee import DatabaseProxy, SqliteDatabase, PostgresqlDatabase
from playhouse.db_url import connect

db = DatabaseProxy()


def make_database(url, sqlite_synchronous="NORMAL"):
    """Build a peewee database from a URL; PostgreSQL URLs get a connection pool."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return SqliteDatabase(
            path,
            pragmas={
                "journal_mode": "wal",
                "synchronous": sqlite_synchronous,
                "foreign_keys": 1,
                # a busy database answers slowly, never "database is locked"
                "busy_timeout": 30000,
                "cache_size": -16000,
            },
            timeout=30,
        )
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            url = "postgres+pool://" + url[len(plain):]
    kwargs = {}
    if url.startswith("postgres+pool://"):
        kwargs = {"max_connections": 16, "stale_timeout": 300}
    return connect(url, **kwargs)


def init_db(url, sqlite_synchronous="NORMAL"):
    database = make_database(url, sqlite_synchronous)
    db.initialize(database)
    return database


def is_sqlite():
    return isinstance(db.obj, SqliteDatabase)


def is_postgres():
    return isinstance(db.obj, PostgresqlDatabase)


@contextmanager
def write_tx():
    """A short write transaction. SQLite takes the write lock at BEGIN (IMMEDIATE):
    deferred BEGIN that reads then writes fails with 'database is locked' under two writers."""
    if is_sqlite():
        with db.atomic("IMMEDIATE") as tx:
            yield tx
    else:
        with db.atomic() as tx:
            yield tx


def locked(model, *where):
    """The one row matching ``where`` (or None), locked for the rest of the write transaction.

    Call inside ``write_tx()`` BEFORE checking the row's state: PostgreSQL takes the row lock
    (``SELECT ... FOR UPDATE``), so a concurrent change waits and then sees the committed state;
    SQLite's ``BEGIN IMMEDIATE`` already serialises writers. Check-then-save without this lets
    concurrent requests all pass the check."""
    query = model.select().where(*where)
    if is_postgres():
        query = query.for_update()
    return query.get_or_none()


def relock(instance):
    """``instance`` reloaded from the database under a row lock (see ``locked``); None if gone."""
    cls = type(instance)
    return locked(cls, cls._meta.primary_key == instance.get_id())


def lock_key(name):
    """Hold a lock on a string key (e.g. a client_id) until the write transaction ends, so that
    "look for an earlier row with this key, else create it" runs one at a time per key.
    PostgreSQL: a transaction-scoped advisory lock on the key's 64-bit hash (its own key space,
    apart from the two-integer locks of the ledger); SQLite's ``BEGIN IMMEDIATE`` already
    serialises writers."""
    if is_postgres():
        db.execute_sql("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (str(name),))
