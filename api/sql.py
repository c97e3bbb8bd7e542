"""Pre-written SQL for the hot paths: each statement's text is made once per database kind and
shape, then run with fresh values.

On a submission that writes some thirty rows, building the statements with peewee's query builder
cost several times what running them did. These helpers write plain SQL from the models' own
table and column names and convert values with the fields' own ``db_value``/``python_value``, so
what is stored and read back is exactly what peewee would store and read. The SQL is the common
subset of SQLite (3.35+, for RETURNING) and PostgreSQL.
"""
from datetime import datetime

from peewee import DateTimeField

from api.db import db

_TEXT = {}  # (name, database class, shape...) -> SQL text


def statement(key, make):
    """The SQL text for ``key`` on the bound database, made by ``make(param)`` the first time."""
    key = (type(db.obj),) + tuple(key)
    sql = _TEXT.get(key)
    if sql is None:
        if len(_TEXT) > 2000:  # shapes vary with row counts: keep the memo bounded
            _TEXT.clear()
        sql = _TEXT[key] = make(db.param)
    return sql


def table(model):
    return f'"{model._meta.table_name}"'


def columns(fields, prefix=""):
    return ", ".join(f'{prefix}"{f.column_name}"' for f in fields)


def marks(n, param):
    return ", ".join([param] * n)


def python_value(field, value):
    # SQLite hands back times as ISO text: fromisoformat reads it many times faster than strptime
    if isinstance(value, str) and isinstance(field, DateTimeField):
        return datetime.fromisoformat(value)
    return field.python_value(value)


def model_from_row(model, fields, row):
    """A model instance from a row of ``fields``, clean as peewee leaves a row it read."""
    obj = model(__no_default__=1, **{f.name: python_value(f, v) for f, v in zip(fields, row)})
    obj._dirty.clear()  # save() then writes only what changes, as after a peewee read
    return obj


def get_where(model, field, value):
    """The one row of ``model`` whose ``field`` equals ``value`` (a unique column), or None."""
    fields = model._meta.sorted_fields
    sql = statement(("get", model, field.name), lambda p: (
        f"SELECT {columns(fields)} FROM {table(model)} WHERE \"{field.column_name}\" = {p} LIMIT 1"))
    row = db.execute_sql(sql, (field.db_value(value),)).fetchone()
    return None if row is None else model_from_row(model, fields, row)


def insert(model, fields, rows, returning=(), ignore_conflicts=False):
    """INSERT ``rows`` (tuples of Python values in ``fields`` order) in one statement. With
    ``returning`` fields, the inserted rows' values of those (in no guaranteed order)."""
    if not rows:
        return []
    fields, returning = tuple(fields), tuple(returning)

    def make(p):
        one = f"({marks(len(fields), p)})"
        sql = f"INSERT INTO {table(model)} ({columns(fields)}) VALUES {', '.join([one] * len(rows))}"
        if ignore_conflicts:
            sql += " ON CONFLICT DO NOTHING"
        if returning:
            sql += f" RETURNING {columns(returning)}"
        return sql

    sql = statement(("insert", model, fields, len(rows), returning, ignore_conflicts), make)
    cursor = db.execute_sql(sql, [f.db_value(v) for row in rows for f, v in zip(fields, row)])
    if not returning:
        return []
    return [tuple(python_value(f, v) for f, v in zip(returning, row)) for row in cursor.fetchall()]


def chunks(rows, width, limit=900):
    """Slices of ``rows`` whose bound parameters (``width`` per row) stay under ``limit`` — well
    under what either database accepts in one statement — so row counts, and thus the number of
    statement shapes kept, stay small."""
    size = max(1, limit // max(1, width))
    return [rows[i:i + size] for i in range(0, len(rows), size)]
