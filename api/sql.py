"""Hot statements: built by peewee's query builder once per database kind and shape, then run with
fresh values (the technique of ``checklists.find_version``, generalised).

On a submission that writes some thirty rows, building the statements with the query builder each
time cost several times what running them did. Here a statement is still written with the query
builder, with a ``slot`` wherever a value goes; ``compiled`` has peewee turn it into SQL once, and
each run fills the slots with values converted by the fields' own ``db_value``. Rows come back as
model instances or tuples whose values the fields' own ``python_value`` read, so what is stored and
read is exactly what peewee would store and read.
"""
from datetime import datetime

from peewee import DateTimeField, ForeignKeyField, Value

from api.db import db

_COMPILED = {}  # (database class, name, shape...) -> (sql, params)


class Slot:
    """Where a value goes in a compiled statement: its name, and the field that converts it."""

    __slots__ = ("name", "field")

    def __init__(self, name, field=None):
        self.name, self.field = name, field

    def __repr__(self):
        return f"Slot({self.name!r})"


def slot(name, field=None):
    """A placeholder for the value ``name`` in a query given to ``compiled`` (peewee leaves it alone:
    ``field.db_value`` converts the value at each run instead)."""
    return Value(Slot(name, field), converter=False)


def compiled(key, build):
    """(sql, params) of the query ``build()`` returns, built on the bound database the first time
    ``key`` is asked for. Each param is a ``Slot`` to fill, or a constant the query holds."""
    key = (type(db.obj),) + tuple(key)
    hit = _COMPILED.get(key)
    if hit is None:
        if len(_COMPILED) > 2000:  # shapes vary with row counts: keep the memo bounded
            _COMPILED.clear()
        sql, params = build().sql()
        hit = _COMPILED[key] = (sql, tuple(params))
    return hit


def fill(params, values):
    """The compiled ``params`` with each slot's value from ``values`` (converted by its field)."""
    out = []
    for p in params:
        if isinstance(p, Slot):
            v = values[p.name]
            out.append(p.field.db_value(v) if p.field is not None else v)
        else:
            out.append(p)
    return out


def execute(key, build, values=()):
    """Run a compiled statement with ``values`` ({slot name: value}); returns the cursor."""
    sql, params = compiled(key, build)
    return db.execute_sql(sql, fill(params, dict(values)))


def objects(model, key, build, values=()):
    """Model instances of a compiled SELECT of ``model``'s columns, each value read by its field's
    ``python_value`` (a third of what ``Model.raw`` costs: this runs on every request)."""
    sql, params = compiled(key, build)
    cursor = db.execute_sql(sql, fill(params, dict(values)))
    fields = [model._meta.columns[d[0]] for d in cursor.description]
    return [model(**{f.name: python_value(f, v) for f, v in zip(fields, row)}) for row in cursor.fetchall()]


def python_value(field, value):
    # SQLite hands back times as ISO text: fromisoformat reads it many times faster than strptime
    if isinstance(value, str) and isinstance(field, DateTimeField):
        return datetime.fromisoformat(value)
    return field.python_value(value)


def get_where(model, field, value):
    """The one row of ``model`` whose ``field`` equals ``value`` (a unique column), or None."""
    found = objects(model, ("get", model, field.name),
                    lambda: model.select().where(field == slot("v", field)).limit(1), {"v": value})
    return found[0] if found else None


def insert(model, fields, rows, returning=(), ignore_conflicts=False):
    """INSERT ``rows`` (tuples of Python values in ``fields`` order) in one statement, fields with a
    default not given taking it as peewee would. With ``returning`` fields, the inserted rows'
    values of those (in no guaranteed order)."""
    if not rows:
        return []
    defaults = [(f, d) for f, d in model._meta.defaults.items() if not any(f is g for g in fields)]
    fields, returning = tuple(fields) + tuple(f for f, _d in defaults), tuple(returning)
    width = len(fields)

    def build():
        q = model.insert_many([[slot(f"{i}.{j}", f) for j, f in enumerate(fields)] for i in range(len(rows))],
                              fields=list(fields))
        if ignore_conflicts:
            q = q.on_conflict_ignore()
        return q.returning(*returning)  # none at all when none is asked for (not even the id)

    extra = tuple(d() if callable(d) else d for _f, d in defaults)
    values = {f"{i}.{j}": v for i, row in enumerate(rows) for j, v in enumerate(tuple(row) + extra)}
    assert all(len(tuple(r)) + len(extra) == width for r in rows)
    cursor = execute(("insert", model, fields, len(rows), returning, ignore_conflicts), build, values)
    if not returning:
        return []
    return [tuple(python_value(f, v) for f, v in zip(returning, row)) for row in cursor.fetchall()]


def values_of(obj, fields):
    """The values of ``fields`` a model instance holds, as ``insert`` takes them (a foreign key's id,
    never its row: nothing is loaded)."""
    return tuple(getattr(obj, f.object_id_name if isinstance(f, ForeignKeyField) else f.name) for f in fields)


def chunks(rows, width, limit=900):
    """Slices of ``rows`` whose bound parameters (``width`` per row) stay under ``limit`` — well
    under what either database accepts in one statement — so row counts, and thus the number of
    statement shapes kept, stay small."""
    size = max(1, limit // max(1, width))
    return [rows[i:i + size] for i in range(0, len(rows), size)]


# --- text written by hand: only api.domain.schedules still uses these ------------------------------

_TEXT = {}


def statement(key, make):
    """The SQL text for ``key`` on the bound database, made by ``make(param)`` the first time."""
    key = (type(db.obj),) + tuple(key)
    sql = _TEXT.get(key)
    if sql is None:
        sql = _TEXT[key] = make(db.param)
    return sql


def table(model):
    return f'"{model._meta.table_name}"'


def columns(fields, prefix=""):
    return ", ".join(f'{prefix}"{f.column_name}"' for f in fields)


def model_from_row(model, fields, row):
    """A model instance from a row of ``fields``."""
    return model(**{f.name: python_value(f, v) for f, v in zip(fields, row)})
