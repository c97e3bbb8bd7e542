"""seedrules: the performance-scoring scheme of seed 004 (performance_entry, performance_month)."""
from peewee import AutoField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


def _models(db):
    def ref(name):
        class Meta:
            database = db
            table_name = name

        return type(name.title(), (Model,), {"id": AutoField(), "Meta": Meta})

    Site, User = ref("site"), ref("user")

    class PerformanceEntry(Model):
        id = AutoField()
        site = ForeignKeyField(Site, on_delete="CASCADE", column_name="site_id")
        staff = ForeignKeyField(User, on_delete="RESTRICT", column_name="staff_id")
        month = CharField(max_length=7)
        period = CharField(max_length=8)
        day = DateField()
        category = CharField(max_length=24)
        points = IntegerField()
        note = TextField()
        entered_by = ForeignKeyField(User, on_delete="RESTRICT", column_name="entered_by_id")
        entered_at = DateTimeField()

        class Meta:
            database = db
            table_name = "performance_entry"
            legacy_table_names = False
            indexes = ((("site", "month", "staff"), False),)

    class PerformanceMonth(Model):
        id = AutoField()
        site = ForeignKeyField(Site, on_delete="CASCADE", column_name="site_id")
        month = CharField(max_length=7)
        published_by = ForeignKeyField(User, on_delete="RESTRICT", column_name="published_by_id")
        published_at = DateTimeField()
        results = TextField(null=True)

        class Meta:
            database = db
            table_name = "performance_month"
            legacy_table_names = False
            indexes = ((("site", "month"), True),)

    return [PerformanceEntry, PerformanceMonth]


def up(db, migrator):
    db.create_tables(_models(db), safe=True)


def down(db, migrator):
    db.drop_tables(_models(db), safe=True)
