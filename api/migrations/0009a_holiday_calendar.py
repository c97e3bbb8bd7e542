"""seedrules: the holiday calendar (holiday_calendar): a year's official schedule entered or imported."""
from peewee import AutoField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model


def _models(db):
    class User(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "user"

    class HolidayDay(Model):
        id = AutoField()
        year = IntegerField(index=True)
        day = DateField(unique=True)
        kind = CharField(max_length=10)
        name = CharField(max_length=60, default="")
        entered_by = ForeignKeyField(User, null=True, on_delete="SET NULL", column_name="entered_by_id")
        entered_at = DateTimeField()

        class Meta:
            database = db
            table_name = "holiday_calendar"
            legacy_table_names = False

    return HolidayDay


def up(db, migrator):
    db.create_tables([_models(db)], safe=True)


def down(db, migrator):
    db.drop_tables([_models(db)], safe=True)
