"""The console's form drafts (form_draft): unsent input kept per user across a refresh."""
from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, Model, TextField


def _models(db):
    class User(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "user"

    class FormDraft(Model):
        id = AutoField()
        user = ForeignKeyField(User, on_delete="CASCADE", column_name="user_id")
        form = CharField(max_length=80)
        values = TextField()
        updated_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "form_draft"
            legacy_table_names = False
            indexes = ((("user", "form"), True),)

    return FormDraft


def up(db, migrator):
    db.create_tables([_models(db)], safe=True)


def down(db, migrator):
    db.drop_tables([_models(db)], safe=True)
