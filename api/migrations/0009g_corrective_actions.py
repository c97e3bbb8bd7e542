"""seedrules: root causes and corrective/preventive actions (corrective_action), seed 004 4.1.6."""
from peewee import AutoField, CharField, DateField, DateTimeField, ForeignKeyField, Model, TextField


def _models(db):
    def ref(name):
        class Meta:
            database = db
            table_name = name

        return type(name.title(), (Model,), {"id": AutoField(), "Meta": Meta})

    Site, User = ref("site"), ref("user")

    class CorrectiveAction(Model):
        id = AutoField()
        site = ForeignKeyField(Site, on_delete="CASCADE", column_name="site_id")
        month = CharField(max_length=7)
        source_kind = CharField(max_length=16)
        source_ref = CharField(max_length=120)
        root_cause = TextField()
        action = TextField()
        kind = CharField(max_length=12)
        owner = ForeignKeyField(User, on_delete="RESTRICT", column_name="owner_id")
        due_date = DateField()
        status = CharField(max_length=10, default="open")
        done_at = DateTimeField(null=True)
        done_note = TextField(default="")
        verified_by = ForeignKeyField(User, null=True, on_delete="SET NULL", column_name="verified_by_id")
        verified_at = DateTimeField(null=True)
        verified_note = TextField(default="")
        created_by = ForeignKeyField(User, on_delete="RESTRICT", column_name="created_by_id")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "corrective_action"
            legacy_table_names = False
            indexes = ((("site", "month"), False),)

    return [CorrectiveAction]


def up(db, migrator):
    db.create_tables(_models(db), safe=True)


def down(db, migrator):
    db.drop_tables(_models(db), safe=True)
