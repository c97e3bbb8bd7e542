"""Originals later on Wi-Fi (issue #15): a photo sent downscaled may get the camera's full original
attached afterwards (policy ``photos.send_originals_on_wifi``). Its SHA-256, size, type and when
it arrived; the bytes are stored unaltered beside the downscaled ones. Columns only, all nullable."""
from peewee import BigIntegerField, CharField, DateTimeField
from playhouse.migrate import migrate

COLUMNS = {
    "full_sha256": CharField(max_length=64, null=True),
    "full_size_bytes": BigIntegerField(null=True),
    "full_content_type": CharField(max_length=40, null=True),
    "full_received_at": DateTimeField(null=True),
}


def up(db, migrator):
    migrate(*[migrator.add_column("photo", name, field) for name, field in COLUMNS.items()])


def down(db, migrator):
    migrate(*[migrator.drop_column("photo", name) for name in COLUMNS])
