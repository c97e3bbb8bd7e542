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
    """Storage keys of a photo's original, preview and thumbnail (the storage layout)."""
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


# --- the OpenAPI document -----------------------------------------------------------------

def resolve(spec, node):
    """Follow $ref (and a single allOf) until a plain schema."""
    while isinstance(node, dict) and ("$ref" in node or len(node.get("allOf", [])) == 1):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            node = spec["components"]["schemas"][name]
        else:
            node = node["allOf"][0]
    return node


def operations(spec):
    """(METHOD, openapi path, operation, path-level parameters) for every documented operation."""
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, op, item.get("parameters", [])


def json_body_schema(spec, op):
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return resolve(spec, content["application/json"]["schema"])


def query_params(op, path_params=()):
    return [p for p in list(path_params) + op.get("parameters", []) if p.get("in") == "query"]


def walk_properties(spec, schema, prefix=""):
    """(dotted name, resolved property schema) for every property, nested objects included."""
    schema = resolve(spec, schema)
    for name, prop in (schema.get("properties") or {}).items():
        prop = resolve(spec, prop)
        if prop.get("readOnly"):
            continue
        yield prefix + name, prop
        if prop.get("type") == "object" or "properties" in prop:
            yield from walk_properties(spec, prop, prefix + name + ".")
        if prop.get("type") == "array":
            items = resolve(spec, prop.get("items", {}))
            if "properties" in items:
                yield from walk_properties(spec, items, prefix + name + ".N.")


def fill_path(path, value="999999"):
    """A concrete URL for an OpenAPI path: every path parameter set to ``value``."""
    import re

    return re.sub(r"\{[^}]+\}", value, path)


_SPEC = {}


def collected_spec():
    """The app's OpenAPI document, built once at collection time to parametrise tests by operation
    (an app with no database connection: generating the document touches no table)."""
    if not _SPEC:
        from api.app import create_app
        from api.db import db

        bound = db.obj  # create_app binds the database proxy: put back whatever a fixture bound
        app = create_app({"TESTING": True, "DATABASE_URL": "sqlite:///:memory:"})
        _SPEC.update(app.test_client().get("/api/v1/openapi.json").get_json())
        _SPEC["__routes__"] = api_routes(app)
        if bound is not None:
            db.initialize(bound)
    return _SPEC


def op_id(method, path):
    return f"{method} {path[len('/api/v1'):]}"
