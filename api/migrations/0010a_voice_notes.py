"""Voice notes (issue #16): the ``voice_note`` table, and ``photo_upload.kind`` (photo / voice), so
a voice note is sent in resumable chunks through the same uploads as photos."""
from peewee import BigIntegerField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField
from playhouse.migrate import migrate


def _models(db):
    class User(Model):  # only the key, for the foreign key
        id = IntegerField(primary_key=True)

        class Meta:
            database = db
            table_name = "user"

    class VoiceNote(Model):
        id = CharField(max_length=64, primary_key=True)
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        content_type = CharField(max_length=40)
        size_bytes = BigIntegerField()
        duration_ms = IntegerField()
        site_ids = TextField()
        created_at = DateTimeField()

        class Meta:
            database = db
            legacy_table_names = False

    return VoiceNote


def up(db, migrator):
    db.create_tables([_models(db)])
    migrate(migrator.add_column("photo_upload", "kind", CharField(max_length=8, default="photo")))


def down(db, migrator):
    migrate(migrator.drop_column("photo_upload", "kind"))
    db.drop_tables([_models(db)])
