"""Hot statements built by peewee's query builder once per process and database kind, then run with
fresh values (building a query costs more than running a small one).

A query is written as usual with ``slot("name")`` wherever a value changes from call to call::

    done = compiled(("task_done",), lambda: Task.select(Task.id).where(Task.inspection_id == slot("insp")))
    row = done.execute(insp=str(inspection.id)).fetchone()

Constants in the query (``Task.status != "done"``) keep the value peewee bound when it compiled it;
a slot given a field (``slot("at", Task.due_at)``) converts its value with that field's ``db_value``,
as peewee would. ``rows(model)`` reads through ``Model.raw``, so rows come back as peewee reads them.
"""
from peewee import Value

from api.db import db


class Slot:
    """A named hole where a value goes in a compiled statement."""

    __slots__ = ("name", "field")

    def __init__(self, name, field=None):
        self.name, self.field = name, field

    def __repr__(self):
        return f"slot({self.name!r})"


def slot(name, field=None):
    """A value to be given when the compiled statement runs (unconverted by peewee at build time)."""
    return Value(Slot(name, field), converter=False)


class Compiled:
    """The SQL text of one query and, per parameter, the slot that fills it or the constant it keeps."""

    __slots__ = ("sql", "plan")

    def __init__(self, sql, params):
        self.sql = sql
        self.plan = tuple((p.name, p.field, None) if isinstance(p, Slot) else (None, None, p) for p in params)

    def params(self, values):
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
        """Run a SELECT of ``model``'s columns; model instances as peewee reads them."""
        return model.raw(self.sql, *self.params(values))


_compiled = {}  # (database class, key...) -> Compiled


def compiled(key, build):
    """The query ``build()`` makes, compiled once per database kind for ``key`` (a tuple)."""
    cache_key = (type(db.obj),) + tuple(key)
    hit = _compiled.get(cache_key)
    if hit is None:
        if len(_compiled) > 1000:  # keys are a handful of fixed shapes; bounded all the same
            _compiled.clear()
        hit = _compiled[cache_key] = Compiled(*build().sql())
    return hit
