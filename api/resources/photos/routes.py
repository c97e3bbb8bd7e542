"""Photos: upload evidence once (addressed by its SHA-256), fetch it back at three sizes."""
import re

from flask import Response, current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from api.audit import audit
from api.auth import site_ids
from api.domain.photos import derived_image, ingest_photo, photo_ext, photo_watermark, storage_key
from api.errors import Invalid, NotFound
from api.models import Photo, PhotoSite
from api.resources.photos.schemas import PhotoOut, PhotoQuery, PhotoUpload, PhotoUploadForm
from api.storage import current_storage

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")

blp = Blueprint("photos", __name__, url_prefix="/photos", description="Photos as evidence.")


@blp.route("")
class Photos(MethodView):
    @blp.arguments(PhotoUpload, location="files", content_type="multipart/form-data")
    @blp.response(201, PhotoOut)
    @blp.alt_response(200, schema=PhotoOut, description="These bytes were uploaded before: the same photo.")
    @blp.alt_response(413, description="Larger than the server accepts.")
    def post(self, files):
        """Upload a photo (multipart field ``file``); the same bytes again answer 200 with the same id."""
        try:
            form = PhotoUploadForm().load(request.form)
        except ValidationError as err:
            raise Invalid(err.messages, location="form")
        mine = site_ids()
        if form.get("site_id") is not None:
            if form["site_id"] not in mine:
                raise Invalid({"site_id": ["No such site among yours."]}, location="form")
            targets = [form["site_id"]]
        else:
            targets = mine
        upload = files["file"]
        data = upload.read()
        photo, created = ingest_photo(data, user=g.user, site_ids=targets, storage=current_storage(),
                                      max_pixels=current_app.config["PATROL_MAX_IMAGE_PIXELS"], audit_fn=audit)
        return photo, (201 if created else 200)


@blp.route("/<string:photo_id>")
class PhotoOne(MethodView):
    @blp.arguments(PhotoQuery, location="query")
    @blp.response(200, description="The image bytes (original as uploaded; preview and thumb as JPEG).",
                  content_type="image/*")
    @blp.alt_response(304, description="Not modified (If-None-Match).")
    @blp.alt_response(404, description="No such photo on your sites.")
    def get(self, args, photo_id):
        """One photo's bytes at ``size`` original, preview (~1280 px) or thumb (~320 px)."""
        photo = Photo.get_or_none(Photo.id == photo_id.lower()) if _SHA256.match(photo_id) else None
        if photo is None or not (PhotoSite.select().where((PhotoSite.photo == photo.id)
                                                          & PhotoSite.site.in_(site_ids())).exists()):
            raise NotFound("No such photo.")
        size = args["size"]
        etag = f'"{photo.id}"'
        headers = {"ETag": etag, "Cache-Control": "private, max-age=86400",
                   "Vary": "Authorization"}
        if etag in request.headers.get("If-None-Match", "") or request.headers.get("If-None-Match") == "*":
            return Response(status=304, headers=headers)
        storage = current_storage()
        key = storage_key(photo.id, size, photo_ext(photo))
        try:
            data = storage.get(key)
        except FileNotFoundError:
            if size == "original":
                raise NotFound("The photo's file is missing from storage.")
            data = _derive_and_keep(storage, photo, size)
        mimetype = photo.content_type if size == "original" else "image/jpeg"
        return Response(data, mimetype=mimetype, headers=headers)


def _derive_and_keep(storage, photo, size):
    """A preview is made on its first view (an upload does not pay for it), and a lost thumbnail
    is made again; both from the original, then kept. Two viewers at once write the same bytes."""
    try:
        original = storage.get(storage_key(photo.id, "original", photo_ext(photo)))
    except FileNotFoundError:
        raise NotFound("The photo's file is missing from storage.")
    data = derived_image(original, size, photo_watermark(photo),
                         max_pixels=current_app.config["PATROL_MAX_IMAGE_PIXELS"])
    storage.put(storage_key(photo.id, size), data, durable=False)
    return data
