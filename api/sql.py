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

class Slot:
    """Where a value goes in a compiled statement: its name, and the field that converts it."""

    __slots__ = ("name", "field")

    def __init__(self, name, field=None):
        self.name, self.field = name, field

    def __repr__(self):
        return f"slot({self.name!r})"


def slot(name, field=None):
    """A placeholder for the value ``name`` in a query given to ``compiled`` (peewee leaves it alone:
    ``field.db_value`` converts the value at each run instead)."""
    return Value(Slot(name, field), converter=False)


class Compiled:
    """The SQL text of one query and, per parameter, the slot that fills it or the constant it keeps."""

    __slots__ = ("sql", "plan")

    def __init__(self, sql, params):
        self.sql = sql
        self.plan = tuple((p.name, p.field, None) if isinstance(p, Slot) else (None, None, p) for p in params)

    def params(self, values):
        """The statement's parameters with each slot's value from ``values`` (converted by its field)."""
        out = []
        for name, field, constant in self.plan:
            if name is None:
                out.append(constant)
            else:
                value = values[name]
                out.append(field.db_value(value) if field is not None else value)
        return out

    def execute(self, **values):
        """Run it on the bound database; the driver's cursor."""
        return db.execute_sql(self.sql, self.params(values))

    def rows(self, model, **values):
        """Run a SELECT of ``model``'s columns; model instances as peewee reads them (``Model.raw``)."""
        return model.raw(self.sql, *self.params(values))

    def objects(self, model, **values):
        """Like ``rows``, a third of the cost: each value read by its field's ``python_value`` (for
        statements that run on every request)."""
        cursor = self.execute(**values)
        fields = [model._meta.columns[d[0]] for d in cursor.description]
        return [model(**{f.name: python_value(f, v) for f, v in zip(fields, row)}) for row in cursor.fetchall()]


_COMPILED = {}  # (database class, key...) -> Compiled


def compiled(key, build):
    """The query ``build()`` makes, compiled once per database kind for ``key`` (a tuple naming its
    shape)."""
    cache_key = (type(db.obj),) + tuple(key)
    hit = _COMPILED.get(cache_key)
    if hit is None:
        if len(_COMPILED) > 2000:  # shapes vary with row counts: keep the memo bounded
            _COMPILED.clear()
        hit = _COMPILED[cache_key] = Compiled(*build().sql())
    return hit


def execute(key, build, values=()):
    """Run a compiled statement with ``values`` ({slot name: value}); returns the cursor."""
    return compiled(key, build).execute(**dict(values))


def objects(model, key, build, values=()):
    """Model instances of a compiled SELECT of ``model``'s columns (see ``Compiled.objects``)."""
    return compiled(key, build).objects(model, **dict(values))


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


def model_from_row(model, fields, row):
    """A model instance from a row of ``fields``."""
    return model(**{f.name: python_value(f, v) for f, v in zip(fields, row)})
