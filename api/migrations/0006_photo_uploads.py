"""Resumable photo uploads (issue #15): the ``photo_upload`` table."""
from peewee import (BigIntegerField, CharField, DateTimeField, DoubleField, ForeignKeyField, IntegerField,
                    Model, TextField)


def _models(db):
    class User(Model):  # only the key, for the foreign key
        id = IntegerField(primary_key=True)

        class Meta:
            database = db
            table_name = "user"

    class PhotoUpload(Model):
        id = CharField(max_length=32, primary_key=True)
        user = ForeignKeyField(User, on_delete="CASCADE")
        sha256 = CharField(max_length=64)
        size_bytes = BigIntegerField()
        received = BigIntegerField(default=0)
        site_ids = TextField()
        taken_at = DateTimeField(null=True)
        gps_lat = DoubleField(null=True)
        gps_lon = DoubleField(null=True)
        photo_id = CharField(max_length=64, null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            legacy_table_names = False  # as the live model: table "photo_upload", indexes "photoupload_..."
            indexes = ((("user", "sha256"), True), (("updated_at",), False))

    return PhotoUpload


def up(db, migrator):
    db.create_tables([_models(db)])


def down(db, migrator):
    db.drop_tables([_models(db)])
