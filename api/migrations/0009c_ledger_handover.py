"""seedrules: the ledger's hand-over to finance (ledger_handover), seed 004 4.1.5."""
from peewee import AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField, Model, TextField


def _models(db):
    class Site(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "site"

    class User(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "user"

    class LedgerHandover(Model):
        id = AutoField()
        site = ForeignKeyField(Site, on_delete="CASCADE", column_name="site_id")
        month = CharField(max_length=7)
        sent_by = ForeignKeyField(User, on_delete="RESTRICT", column_name="sent_by_id")
        sent_at = DateTimeField()
        sent_to = CharField(max_length=120)
        note = TextField(default="")
        on_time = BooleanField()
        totals = TextField(null=True)

        class Meta:
            database = db
            table_name = "ledger_handover"
            legacy_table_names = False
            indexes = ((("site", "month"), True),)

    return LedgerHandover


def up(db, migrator):
    db.create_tables([_models(db)], safe=True)


def down(db, migrator):
    db.drop_tables([_models(db)], safe=True)
