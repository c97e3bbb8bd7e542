"""The first schema, frozen: the tables and indexes exactly as release f0d91a5 created them.

Written out as SQL (generated once from that release's models) so that later changes to the
models never change what this migration does; every change since is a later migration. The statements
live beside it, one data module per database (``_0001_sqlite.py``, ``_0001_postgres.py``).
"""
from api.migrations._0001_postgres import POSTGRES
from api.migrations._0001_sqlite import SQLITE


def _table_names(stmts):
    names = []
    for s in stmts:
        if s.startswith('CREATE TABLE "'):
            names.append(s.split('"')[1])
    return names


def up(db, migrator):
    from api.db import is_postgres

    for sql in (POSTGRES if is_postgres() else SQLITE):
        db.execute_sql(sql)


def down(db, migrator):
    from api.db import is_postgres

    for name in reversed(_table_names(SQLITE)):
        db.execute_sql(f'DROP TABLE IF EXISTS "{name}"' + (" CASCADE" if is_postgres() else ""))
