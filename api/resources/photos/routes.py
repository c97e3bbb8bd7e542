"""Photos: upload evidence once (addressed by its SHA-256), in one request or resumably in chunks;
fetch it back at three sizes."""
import re

from flask import Response, current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError
from werkzeug.exceptions import ClientDisconnected

from api.audit import audit
from api.auth import declares, requires, site_ids
from api.domain.full_originals import attach_full_original
from api.domain.images import content_ext, derived_image, photo_ext, storage_key
from api.domain.photos import DECODE_TURNS, ingest_photo, photo_watermark
from api.domain.uploads import offset_of, put_photo, receive_chunk, start_upload, upload_dir, upload_of
from api.errors import Invalid, NotFound
from api.models import Photo, PhotoSite
from api.resources.photos.schemas import (PhotoOut, PhotoPutQuery, PhotoQuery, PhotoUpload, PhotoUploadForm,
                                          UploadOut, UploadStart)
from api.storage import current_storage

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")

blp = Blueprint("photos", __name__, url_prefix="/photos", description="Photos as evidence.")


@blp.route("")
class Photos(MethodView):
    @blp.arguments(PhotoUpload, location="files", content_type="multipart/form-data")
    @blp.response(201, PhotoOut)
    @blp.alt_response(200, schema=PhotoOut, description="These bytes were uploaded before: the same photo.")
    @blp.alt_response(413, description="Larger than the server accepts.")
    @requires("photo.upload")
    def post(self, files):
        """Upload a photo (multipart field ``file``); the same bytes again answer 200 with the same id."""
        try:
            form = PhotoUploadForm().load(request.form)
        except ValidationError as err:
            raise Invalid(err.messages, location="form")
        targets = _target_sites(form.get("site_id"), "form")
        upload = files["file"]
        data = upload.read()
        photo, created = ingest_photo(data, user=g.user, site_ids=targets, storage=current_storage(),
                                      max_pixels=current_app.config["PATROL_MAX_IMAGE_PIXELS"], audit_fn=audit)
        return photo, (201 if created else 200)


def _target_sites(site_id, location):
    mine = site_ids()
    if site_id is None:
        return mine
    if site_id not in mine:
        raise Invalid({"site_id": ["No such site among yours."]}, location=location)
    return [site_id]


_SILENCE_SECONDS = 60


def _reader(stream):
    """stream.read, with a dropped or silent connection read as the end of the body."""
    def read(n):
        try:
            return stream.read(n)
        except (ClientDisconnected, OSError):  # TimeoutError is an OSError
            return b""
    return read


# the OpenAPI description of a PATCH chunk (photos, voice notes)
CHUNK_DOC = dict(parameters=[{"in": "header", "name": "Upload-Offset", "required": True,
                              "schema": {"type": "integer", "minimum": 0}}],
                 requestBody={"required": True, "content": {"application/offset+octet-stream": {
                     "schema": {"type": "string", "format": "binary"}}}})


def chunk_request():
    """``(offset, length)`` of a PATCH chunk (photos, voice notes), its connection set to give up
    on a phone gone quiet mid-chunk (what came is kept, the thread freed)."""
    raw = request.headers.get("Upload-Offset", "")
    if not raw.isdigit() or len(raw) > 15:
        raise Invalid({"Upload-Offset": ["A whole number of bytes is required."]}, location="headers")
    length = request.content_length
    if not length:
        raise Invalid({"body": ["The chunk is empty."]}, location="body")
    sock = request.environ.get("gunicorn.socket")
    if sock is not None:
        sock.settimeout(_SILENCE_SECONDS)
    return int(raw), length


def _upload_answer(upload, photo):
    folder = upload_dir(current_app.config)
    return {"upload_id": upload.id if upload is not None else None,
            "offset": photo.size_bytes if photo is not None else offset_of(upload, folder),
            "size_bytes": photo.size_bytes if photo is not None else upload.size_bytes,
            "complete": photo is not None, "photo": photo}


@blp.route("/uploads")
class Uploads(MethodView):
    @blp.arguments(UploadStart)
    @blp.response(201, UploadOut)
    @blp.alt_response(200, schema=UploadOut, description="Resumed (offset > 0) or already stored (complete).")
    @requires("photo.upload")
    def post(self, args):
        """Start sending a photo in chunks (or resume: the same bytes again answer their upload, at the
        offset the server holds; bytes already stored answer ``complete`` with the photo)."""
        if args["size_bytes"] > current_app.config["MAX_CONTENT_LENGTH"]:
            raise Invalid({"size_bytes": ["Larger than the server accepts."]})
        targets = _target_sites(args.get("site_id"), "json")
        gps = (args["gps"]["lat"], args["gps"]["lon"]) if args.get("gps") else None
        upload, photo, created = start_upload(user=g.user, sha256=args["sha256"], size_bytes=args["size_bytes"],
                                              site_ids=targets, taken_at=args.get("taken_at"), gps=gps,
                                              seen_by=site_ids())
        return _upload_answer(upload, photo), (201 if created else 200)


@blp.route("/uploads/<string:upload_id>")
class UploadOne(MethodView):
    @blp.response(200, UploadOut)
    @blp.alt_response(404, description="No such upload of yours.")
    @requires("photo.upload")
    def get(self, upload_id):
        """Where an upload stands: the offset to resume from."""
        upload = upload_of(upload_id, g.user)
        photo = Photo.get_or_none(Photo.id == upload.photo_id) if upload.photo_id else None
        return _upload_answer(upload, photo)

    @blp.response(200, UploadOut)
    @blp.alt_response(409, description="The offset is not where the server is (header ``Upload-Offset``).")
    @blp.alt_response(404, description="No such upload of yours.")
    @blp.doc(**CHUNK_DOC)
    @requires("photo.upload")
    def patch(self, upload_id):
        """Send the next chunk (the raw body) at ``Upload-Offset``; the chunk that completes the bytes
        stores the photo and answers it (422, nothing stored, when they are not a photo we accept)."""
        upload = upload_of(upload_id, g.user)  # someone else's upload is "not found", whatever the request
        offset, length = chunk_request()
        upload, photo = receive_chunk(upload_id, user=g.user, offset=offset, length=length, upload=upload,
                                      read=_reader(request.stream), folder=upload_dir(current_app.config),
                                      storage=current_storage(),
                                      max_pixels=current_app.config["PATROL_MAX_IMAGE_PIXELS"], audit_fn=audit)
        return _upload_answer(upload, photo)


@blp.route("/<string:photo_id>")
class PhotoOne(MethodView):
    @blp.arguments(PhotoQuery, location="query")
    @blp.response(200, description="The image bytes (original as uploaded; preview and thumb as JPEG).",
                  content_type="image/*")
    @blp.alt_response(304, description="Not modified (If-None-Match).")
    @blp.alt_response(404, description="No such photo on your sites.")
    @requires("photo.view")
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
        if size == "full":
            if not photo.full_sha256:
                raise NotFound("This photo's full original has not been sent.")
            key = storage_key(photo.full_sha256, "original", content_ext(photo.full_content_type))
        else:
            key = storage_key(photo.id, size, photo_ext(photo))
        try:
            data = storage.get(key)
        except FileNotFoundError:
            if size in ("original", "full"):
                raise NotFound("The photo's file is missing from storage.")
            data = _derive_and_keep(storage, photo, size)
        mimetype = {"original": photo.content_type, "full": photo.full_content_type}.get(size, "image/jpeg")
        return Response(data, mimetype=mimetype, headers=headers)

    @blp.arguments(PhotoPutQuery, location="query")
    @blp.response(201, PhotoOut)
    @blp.alt_response(200, schema=PhotoOut, description="Already stored (and seen by one of your sites), or "
                                                       "stored before: the same photo.")
    @blp.alt_response(413, description="Larger than the server accepts.")
    @blp.doc(requestBody={"required": True, "content": {"application/octet-stream": {
        "schema": {"type": "string", "format": "binary"}}}})
    @requires("photo.upload")
    def put(self, args, photo_id):
        """Upload a photo's bytes whole, named by their SHA-256 (the raw body): one request on a good
        signal. A body cut short is kept as a resumable upload (``POST /photos/uploads``); the same
        checks as ``POST /photos`` apply and a refused photo leaves nothing stored."""
        if not _SHA256.match(photo_id):
            raise Invalid({"photo_id": ["Not a SHA-256 (64 hex digits)."]}, location="path")
        targets = _target_sites(args.get("site_id"), "query")
        sock = request.environ.get("gunicorn.socket")
        if sock is not None:
            sock.settimeout(_SILENCE_SECONDS)
        photo, created = put_photo(photo_id, user=g.user, site_ids=targets, seen_by=site_ids(),
                                   length=request.content_length or 0, read=_reader(request.stream),
                                   folder=upload_dir(current_app.config), storage=current_storage(),
                                   max_pixels=current_app.config["PATROL_MAX_IMAGE_PIXELS"], audit_fn=audit)
        return photo, (201 if created else 200)


@blp.route("/<string:photo_id>/full")
class PhotoFull(MethodView):
    @blp.response(201, PhotoOut)
    @blp.alt_response(200, schema=PhotoOut, description="These bytes were attached before: the same photo.")
    @blp.alt_response(409, description="The photo already has another full original.")
    @blp.alt_response(413, description="Larger than the server accepts.")
    @blp.doc(requestBody={"required": True, "content": {"application/octet-stream": {
        "schema": {"type": "string", "format": "binary"}}}})
    @declares("photo.attach_original")
    def put(self, photo_id):
        """Attach the camera's full original (the raw body) to a photo you sent downscaled: the phone
        sends it later, on Wi-Fi, when the policy asks (``photos.send_originals_on_wifi``). Checked
        like any upload; kept byte for byte beside the photo."""
        if not _SHA256.match(photo_id):
            raise NotFound("No such photo.")
        sock = request.environ.get("gunicorn.socket")
        if sock is not None:
            sock.settimeout(_SILENCE_SECONDS)
        photo, created = attach_full_original(
            photo_id, user=g.user, seen_by=site_ids(), length=request.content_length or 0,
            read=_reader(request.stream), folder=upload_dir(current_app.config), storage=current_storage(),
            max_pixels=current_app.config["PATROL_MAX_IMAGE_PIXELS"], audit_fn=audit)
        return photo, (201 if created else 200)


def _derive_and_keep(storage, photo, size):
    """A preview is made on its first view (an upload does not pay for it), and a lost thumbnail
    is made again; both from the original, then kept. Two viewers at once write the same bytes."""
    try:
        original = storage.get(storage_key(photo.id, "original", photo_ext(photo)))
    except FileNotFoundError:
        raise NotFound("The photo's file is missing from storage.")
    with DECODE_TURNS:
        data = derived_image(original, size, photo_watermark(photo),
                             max_pixels=current_app.config["PATROL_MAX_IMAGE_PIXELS"])
    storage.put(storage_key(photo.id, size), data, durable=False)
    return data
