"""Uploads in progress (photos, voice notes): sent in chunks, resumed from the byte the server last kept."""
from peewee import BigIntegerField, CharField, DateTimeField, DoubleField, ForeignKeyField, IntegerField

from api.models.base import BaseModel, JSONField, utcnow
from api.models.org import User


class PhotoUpload(BaseModel):
    """One phone's upload of one photo's bytes (named by their SHA-256), ``received`` bytes so far."""

    id = CharField(max_length=32, primary_key=True)  # random hex: the upload's URL
    user = ForeignKeyField(User, on_delete="CASCADE")
    sha256 = CharField(max_length=64)
    size_bytes = BigIntegerField()
    received = BigIntegerField(default=0)
    site_ids = JSONField()
    taken_at = DateTimeField(null=True)  # the camera's EXIF time, read on the phone before downscaling
    gps_lat = DoubleField(null=True)
    gps_lon = DoubleField(null=True)
    photo_id = CharField(max_length=64, null=True)  # set once the bytes became a Photo (or a VoiceNote)
    kind = CharField(max_length=8, default="photo")  # photo / voice: what the bytes become
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("user", "sha256"), True), (("updated_at",), False))


class VoiceNote(BaseModel):
    """A short voice recording (一键报警, a failed item's note); id is the SHA-256 of its bytes,
    kept as recorded (WebM/Ogg Opus, MP4/AAC), checked by parsing the container before storing."""

    id = CharField(max_length=64, primary_key=True)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    content_type = CharField(max_length=40)
    size_bytes = BigIntegerField()
    duration_ms = IntegerField()
    site_ids = JSONField()  # the sites that may hear it (the uploader's, as photos)
    created_at = DateTimeField(default=utcnow)
