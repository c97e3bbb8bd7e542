"""Photos picked in a console form: each goes to ``POST /photos`` first, then the form's create sends their ids.

No Streamlit here, so the pages' upload logic is testable with a plain client. Retrying is safe end to end:
a photo's id is the SHA-256 of its bytes (the same photo uploaded again is the same photo), and the create
carries its own ``client_id``.
"""
from console.client import ApiError, ValidationError


def _parts(upload):
    """(name, bytes, content type) of a Streamlit ``UploadedFile`` or a ``(name, bytes, type)`` tuple."""
    if isinstance(upload, (tuple, list)):
        name, content, content_type = upload
        return name, content, content_type
    return upload.name, upload.getvalue(), getattr(upload, "type", None)


def upload_photos(client, uploads, site_id=None):
    """Upload the picked photos in order and return their ids (a photo picked twice counts once).

    A refused photo (not an image, too large) stops here as a :class:`ValidationError` on ``photo_ids`` that
    names the file, so the form shows it under the uploader and nothing is created.
    """
    ids = []
    for upload in uploads or ():
        name, content, content_type = _parts(upload)
        try:
            photo = client.upload_photo(content, name, content_type, site_id=site_id)
        except ValidationError as exc:
            why = " ".join(m for msgs in exc.fields.values() for m in msgs) or exc.message
            raise ValidationError(exc.status, exc.message, {"photo_ids": [f"{name}: {why}"]}, exc.body) from exc
        except ApiError as exc:
            if exc.status != 413:  # too large for the server: the person can pick a smaller photo
                raise
            raise ValidationError(exc.status, exc.message, {"photo_ids": [f"{name}: {exc.message}"]},
                                  exc.body) from exc
        if photo["id"] not in ids:
            ids.append(photo["id"])
    return ids


def create_with_photos(create, body, client, uploads, site_id=None):
    """Upload ``uploads``, then ``create(body + photo_ids)``; e.g. a service-desk call with its photos."""
    ids = upload_photos(client, uploads, site_id)
    return create(dict(body, photo_ids=ids))
