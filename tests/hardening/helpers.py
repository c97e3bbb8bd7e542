"""Helpers for the hardening suite: real images, photo rows made the way uploads make them,
and the API's routes as the app knows them."""
import hashlib
import io
import random

from PIL import Image, ImageDraw

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def jpeg_bytes(seed=0, size=(320, 240), exif=None, quality=85):
    """A small real JPEG whose bytes differ by seed."""
    rnd = random.Random(seed)
    img = Image.new("RGB", size, (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    draw = ImageDraw.Draw(img)
    for _ in range(8):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        draw.rectangle([x, y, x + 30, y + 20], fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    draw.text((10, 10), f"photo {seed}", fill=(255, 255, 255))
    out = io.BytesIO()
    kw = {"quality": quality}
    if exif is not None:
        kw["exif"] = exif
    img.save(out, "JPEG", **kw)
    return out.getvalue()


def photo_keys(photo_id, ext="jpg"):
    """Storage keys of a photo's original, preview and thumbnail (team B's layout)."""
    return {"original": f"originals/{photo_id[:2]}/{photo_id}.{ext}",
            "preview": f"previews/{photo_id[:2]}/{photo_id}.jpg",
            "thumb": f"thumbs/{photo_id[:2]}/{photo_id}.jpg"}


def gen_stored_photo(storage, user=None, seed=0):
    """Files first, then the row: the order uploads use. Returns the Photo."""
    from api.models import Photo, PhotoSite, UserSite

    data = jpeg_bytes(seed)
    pid = hashlib.sha256(data).hexdigest()
    keys = photo_keys(pid)
    storage.put(keys["original"], data)
    small = jpeg_bytes(seed, size=(64, 48))
    storage.put(keys["preview"], small)
    storage.put(keys["thumb"], small)
    photo = Photo.create(id=pid, uploaded_by=user, content_type="image/jpeg", size_bytes=len(data),
                         width=320, height=240)
    if user is not None:
        for us in UserSite.select().where(UserSite.user == user):
            PhotoSite.create(photo=photo, site=us.site_id)
    return photo


def api_routes(app):
    """(method, rule) for every API operation the app serves (HEAD/OPTIONS aside)."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.startswith("/api/v1/openapi"):
            continue
        for method in sorted(rule.methods & set(HTTP_METHODS)):
            out.append((method, rule.rule))
    return sorted(out, key=lambda mr: (mr[1], mr[0]))


def has_route(app, method, rule):
    return (method, rule) in api_routes(app)
