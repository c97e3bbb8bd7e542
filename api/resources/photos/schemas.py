"""Photo upload and its answer."""
from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from api.resources.common import OutSchema, QuerySchema, StrictSchema


class PhotoUpload(QuerySchema):
    """The multipart body. ``site_id`` is documented here and read from the form by PhotoUploadForm:
    flask-smorest documents only one request body per view (two made an invalid OpenAPI document)."""

    file = Upload(required=True, metadata={"description": "The photo: JPEG, PNG, WebP or HEIC, as taken."})
    site_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2 ** 31 - 1), metadata={
        "description": "The site the photo is for; default: every site of the uploader."})


class PhotoUploadForm(QuerySchema):
    site_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2 ** 31 - 1), metadata={
        "description": "The site the photo is for; default: every site of the uploader."})


class PhotoPutQuery(QuerySchema):
    site_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2 ** 31 - 1), metadata={
        "description": "The site the photo is for; default: every site of the uploader."})


class PhotoQuery(QuerySchema):
    size = fields.String(load_default="original", validate=validate.OneOf(["original", "preview", "thumb", "full"]),
                         metadata={"description": "full: the camera's full original, when it was sent later."})


class GpsIn(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))


class GpsOut(OutSchema):
    lat = fields.Float()
    lon = fields.Float()


class PhotoOut(OutSchema):
    id = fields.String(metadata={"description": "SHA-256 of the original bytes."})
    content_type = fields.String()
    size_bytes = fields.Integer()
    width = fields.Integer(metadata={"description": "As displayed (EXIF orientation applied)."})
    height = fields.Integer()
    taken_at = fields.Method("get_taken_at", metadata={
        "description": "EXIF DateTimeOriginal as the camera wrote it (its local clock, no zone)."})
    gps = fields.Method("get_gps")
    device = fields.String()
    created_at = fields.Method("get_created_at")
    full = fields.Method("get_full", metadata={
        "description": "The camera's full original sent later on Wi-Fi (the photo itself was downscaled), or null."})
    urls = fields.Method("get_urls")

    def get_taken_at(self, photo):
        return photo.taken_at.isoformat(timespec="seconds") if photo.taken_at else None

    def get_gps(self, photo):
        if photo.gps_lat is None or photo.gps_lon is None:
            return None
        return {"lat": photo.gps_lat, "lon": photo.gps_lon}

    def get_created_at(self, photo):
        return photo.created_at.isoformat(timespec="seconds") + "Z" if photo.created_at else None

    def get_full(self, photo):
        if not getattr(photo, "full_sha256", None):
            return None
        return {"sha256": photo.full_sha256, "size_bytes": photo.full_size_bytes,
                "content_type": photo.full_content_type}

    def get_urls(self, photo):
        base = url_for("photos.PhotoOne", photo_id=photo.id)
        urls = {"original": base + "?size=original", "preview": base + "?size=preview", "thumb": base + "?size=thumb"}
        if getattr(photo, "full_sha256", None):
            urls["full"] = base + "?size=full"
        return urls


class UploadStart(StrictSchema):
    """Start (or resume) sending a photo in chunks."""

    sha256 = fields.String(required=True, validate=[validate.Length(equal=64), validate.Regexp(r"^[0-9a-fA-F]{64}$")], metadata={
        "description": "SHA-256 of the bytes to be sent: the photo's id once stored."})
    size_bytes = fields.Integer(required=True, validate=validate.Range(min=1, max=2 ** 40))
    site_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2 ** 31 - 1), metadata={
        "description": "The site the photo is for; default: every site of the uploader."})
    # the camera's own clock has no zone: a naive time on purpose (not the API's zoned date-time)
    taken_at = fields.NaiveDateTime(load_default=None, metadata={
        "format": "naive-date-time",
        "description": "The camera's EXIF time (its local clock, no zone), read on the phone before it "
                       "downscaled the photo; used when the bytes carry none."})
    gps = fields.Nested(GpsIn, load_default=None, metadata={
        "description": "The camera's EXIF position, as for taken_at."})


class UploadOut(OutSchema):
    id = fields.String(attribute="upload_id", allow_none=True, metadata={
        "description": "The upload's id for PATCH; null when the photo is already stored."})
    offset = fields.Integer(metadata={"description": "Bytes the server holds: send the next chunk from here."})
    size_bytes = fields.Integer()
    complete = fields.Boolean()
    photo = fields.Nested(PhotoOut, allow_none=True, metadata={"description": "The stored photo once complete."})
