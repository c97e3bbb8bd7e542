"""Photos, inspections, item results and the findings failed items open."""
from peewee import (AutoField, BigIntegerField, BooleanField, CharField, DateTimeField, DoubleField,
                    FloatField, ForeignKeyField, IntegerField, TextField)

from api.models.base import BaseModel, JSONField, utcnow
from api.models.checklists import ChecklistVersion, Task
from api.models.org import Checkpoint, Site, User, Zone

from api.domain.vocabulary import PRIORITIES  # noqa: F401 - the one source


class Photo(BaseModel):
    """An uploaded original (evidence, unaltered); id is the SHA-256 of its bytes."""

    id = CharField(max_length=64, primary_key=True)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    content_type = CharField(max_length=40)
    size_bytes = BigIntegerField()
    width = IntegerField()
    height = IntegerField()
    taken_at = DateTimeField(null=True)  # EXIF DateTimeOriginal, as the camera wrote it
    # double precision: PostgreSQL's REAL (FloatField) keeps ~7 digits, about a metre of a position
    gps_lat = DoubleField(null=True)
    gps_lon = DoubleField(null=True)
    device = CharField(max_length=120, default="")
    created_at = DateTimeField(default=utcnow)
    # the camera's full original, sent later on Wi-Fi when the photo above was a downscaled copy
    # (policy photos.send_originals_on_wifi); stored byte for byte under its own SHA-256
    full_sha256 = CharField(max_length=64, null=True)
    full_size_bytes = BigIntegerField(null=True)
    full_content_type = CharField(max_length=40, null=True)
    full_received_at = DateTimeField(null=True)


class PhotoSite(BaseModel):
    """Which sites may see a photo (the uploader's sites, and where it is used as evidence)."""

    id = AutoField()
    photo = ForeignKeyField(Photo, backref="site_links", on_delete="CASCADE")
    site = ForeignKeyField(Site, on_delete="CASCADE")

    class Meta:
        indexes = ((("photo", "site"), True),)


class Inspection(BaseModel):
    id = CharField(max_length=36, primary_key=True)  # client-made UUID: retries are idempotent
    site = ForeignKeyField(Site, on_delete="CASCADE")
    zone = ForeignKeyField(Zone, on_delete="CASCADE")
    checkpoint = ForeignKeyField(Checkpoint, on_delete="CASCADE")
    checklist_version = ForeignKeyField(ChecklistVersion, on_delete="RESTRICT")
    checklist_key = CharField(max_length=64)
    inspector = ForeignKeyField(User, on_delete="RESTRICT")
    task = ForeignKeyField(Task, null=True, on_delete="SET NULL")
    started_at = DateTimeField()  # device clock, UTC
    finished_at = DateTimeField()  # device clock, UTC
    received_at = DateTimeField(default=utcnow, index=True)  # server clock
    clock_suspect = BooleanField(default=False)  # device time too far from server time
    lat = DoubleField(null=True)
    lon = DoubleField(null=True)
    accuracy_m = FloatField(null=True)
    body_hash = CharField(max_length=64)
    failed_count = IntegerField(default=0)
    item_count = IntegerField(default=0)
    # proof of presence (migration 0007): qr / nfc / gps / typed, and what a supervisor should look at
    presence_method = CharField(max_length=8, null=True)
    presence_accuracy_m = FloatField(null=True)
    presence_distance_m = FloatField(null=True)
    presence_reason = TextField(default="")
    presence_flag = CharField(max_length=24, null=True)

    class Meta:
        # every list filter has an index that also gives the newest-first order
        indexes = ((("site", "received_at"), False), (("zone", "received_at"), False),
                   (("checkpoint", "received_at"), False), (("inspector", "received_at"), False),
                   (("checklist_key", "received_at"), False))


class ItemResult(BaseModel):
    id = AutoField()
    inspection = ForeignKeyField(Inspection, backref="results", on_delete="CASCADE")
    item_key = CharField(max_length=64)
    status = CharField(max_length=4)  # pass / fail / na
    note = TextField(default="")

    class Meta:
        indexes = ((("inspection", "item_key"), True),)


class ItemResultPhoto(BaseModel):
    id = AutoField()
    result = ForeignKeyField(ItemResult, backref="photo_links", on_delete="CASCADE")
    photo = ForeignKeyField(Photo, on_delete="RESTRICT")

    class Meta:
        indexes = ((("result", "photo"), True),)


class Finding(BaseModel):
    """A failed item (or an ad-hoc report): what is wrong, where, for which trade."""

    id = AutoField()
    site = ForeignKeyField(Site, on_delete="CASCADE")
    zone = ForeignKeyField(Zone, on_delete="CASCADE")
    checkpoint = ForeignKeyField(Checkpoint, null=True, on_delete="SET NULL")
    inspection = ForeignKeyField(Inspection, null=True, backref="findings", on_delete="CASCADE")
    item_result = ForeignKeyField(ItemResult, null=True, on_delete="CASCADE")
    checklist_key = CharField(max_length=64, null=True)
    item_key = CharField(max_length=64, null=True)
    title = CharField(max_length=255)
    title_en = CharField(max_length=255, default="")
    note = TextField(default="")
    trade = CharField(max_length=20)
    priority = CharField(max_length=10, default="normal")
    points = IntegerField(default=0)  # default deduction points from the checklist item
    status = CharField(max_length=12, default="open")  # open / in_work / resolved / dismissed
    source = CharField(max_length=12, default="inspection")  # inspection / adhoc
    reported_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    client_id = CharField(max_length=36, null=True, unique=True)  # ad-hoc reports' retry key
    extra = JSONField(null=True)

    class Meta:
        indexes = ((("site", "created_at"), False), (("site", "status", "id"), False), (("site", "id"), False),
                   (("zone", "id"), False), (("reported_by", "id"), False))


class FindingPhoto(BaseModel):
    id = AutoField()
    finding = ForeignKeyField(Finding, backref="photo_links", on_delete="CASCADE")
    photo = ForeignKeyField(Photo, on_delete="RESTRICT")

    class Meta:
        indexes = ((("finding", "photo"), True),)
