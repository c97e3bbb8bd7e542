"""The organisation as data: 工号, department and post on staff; NFC tag ids on checkpoints; active flags on
sites and zones (nothing referenced is deleted); buildings (楼栋) and their units (房号).

New columns are added with plain ``ALTER TABLE ... ADD COLUMN`` carrying their default, which both SQLite and
PostgreSQL do in place: peewee's ``add_not_null`` would rebuild an SQLite table, and rebuilding ``user``
would cascade-delete the rows that refer to it. The two new tables are frozen here as small model classes.
"""
from peewee import AutoField, BooleanField, CharField, ForeignKeyField, IntegerField, Model
from playhouse.migrate import migrate

# (table, column, SQL type and constraint) — each with its default so existing rows are filled in place
_COLUMNS = [
    ("user", "employee_no", "VARCHAR(32)"),
    ("user", "department", "VARCHAR(120) NOT NULL DEFAULT ''"),
    ("user", "post", "VARCHAR(120) NOT NULL DEFAULT ''"),
    ("checkpoint", "nfc_tag_id", "VARCHAR(64)"),
    ("site", "active", "{bool} NOT NULL DEFAULT {true}"),
    ("zone", "active", "{bool} NOT NULL DEFAULT {true}"),
]
# unique where set: NULLs never collide in a unique index on SQLite or PostgreSQL
_UNIQUE = [("user", "employee_no"), ("checkpoint", "nfc_tag_id")]


def _frozen(db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Site(Base):
        id = AutoField()

        class Meta:
            table_name = "site"

    class Zone(Base):
        id = AutoField()

        class Meta:
            table_name = "zone"

    class Building(Base):
        id = AutoField()
        site = ForeignKeyField(Site, on_delete="CASCADE")
        zone = ForeignKeyField(Zone, null=True, on_delete="SET NULL")
        code = CharField(max_length=40)
        name = CharField(max_length=120)
        name_en = CharField(max_length=120, default="")
        active = BooleanField(default=True)

        class Meta:
            table_name = "building"
            indexes = ((("site", "code"), True),)

    class Unit(Base):
        id = AutoField()
        building = ForeignKeyField(Building, on_delete="CASCADE")
        code = CharField(max_length=40)
        floor = IntegerField(null=True)
        active = BooleanField(default=True)

        class Meta:
            table_name = "unit"
            indexes = ((("building", "code"), True),)

    return Building, Unit


def up(db, migrator):
    from api.db import is_postgres

    pg = is_postgres()
    for table, column, sqltype in _COLUMNS:
        sqltype = sqltype.format(bool="BOOLEAN" if pg else "INTEGER", true="TRUE" if pg else "1")
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {sqltype}')
    migrate(*[migrator.add_index(table, (column,), True) for table, column in _UNIQUE])
    db.create_tables(list(_frozen(db)))


def down(db, migrator):
    db.drop_tables(list(reversed(_frozen(db))))
    migrate(*[migrator.drop_index(table, f"{table}_{column}") for table, column in _UNIQUE])
    migrate(*[migrator.drop_column(table, column) for table, column, _ in reversed(_COLUMNS)])
