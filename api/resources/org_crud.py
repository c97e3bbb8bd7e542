"""What the organisation's resources (sites, zones, buildings, units, checkpoints, schedules, users) share:
list one page, create (a retry of the same body answers the stored row), update (PATCH), deactivate —
all through ``api.domain.org`` with the kind's one row schema, audited with before and after."""
from flask import g
from flask.views import MethodView
from marshmallow import ValidationError, fields, validate

from api.audit import audit
from api.auth import requires, site_ids, sites_in_scope
from api.db import write_tx
from api.domain.org import Actor, RowError, lock_org, save_row
from api.domain.org_read import MODELS, find_existing, same_as, site_of, to_rows
from api.domain.orgrows import SCHEMAS
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.pagination import paginate_by_id
from api.resources.common import OutSchema, QuerySchema


class OrgListArgs(QuerySchema):
    site_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2 ** 31 - 1))
    include_inactive = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


def page_schema(item_schema, name):
    return type(name, (OutSchema,), {"items": fields.List(fields.Nested(item_schema)),
                                     "next_cursor": fields.String(allow_none=True)})


def actor():
    g.pop("_site_ids", None)  # fresh: a site made a moment ago in this context counts
    return Actor.of(g.user, site_ids())


def http_error(exc):
    """A RowError as the API's error; it carries its own Chinese, used when the caller reads Chinese."""
    from api.i18n import request_language

    field = exc.field or "_schema"
    if request_language() == "zh":
        exc.en = exc.zh
    if exc.status == 403:
        return Forbidden(exc.en)
    if exc.status == 404:
        return NotFound(exc.en)
    if exc.status == 409:
        return Conflict(exc.en, errors={"json": {field: [exc.en]}})
    return Invalid({field: [exc.en]})


def _audit(action, object_type, object_id, site_id, before, after):
    audit(action, object_type, object_id, site_id=site_id, before=before, after=after)


def out_rows(kind, objs):
    """Rows as their schema shows them, with the ids a client needs."""
    objs = list(objs)
    rows = to_rows(kind, objs, actor())
    for obj, row in zip(objs, rows):
        row["id"] = obj.id
        if hasattr(obj, "site_id"):
            row["site_id"] = obj.site_id
        if kind == "units":
            row["building_id"] = obj.building_id
            row["site_id"] = obj.building.site_id
        if kind == "zones":
            row["responsible"] = {r.trade: {"id": r.user_id, "name": r.user.name, "employee_no": r.user.employee_no}
                                  for r in obj.responsibles}
        if kind == "checkpoints":
            row["checklist_keys"] = list(obj.checklist_keys or [])
        if kind == "staff":
            row["site_ids"] = [s for s in obj.site_ids if s in site_ids()]
        if kind in ("buildings", "checkpoints", "schedules"):
            row["zone_id"] = obj.zone_id
    return rows


def listing(kind, query, site_field, args):
    sites = sites_in_scope(args.get("site_id"))
    model = MODELS[kind]
    query = query.where(site_field.in_(sites))
    if not args.get("include_inactive"):
        query = query.where(model.active == True)  # noqa: E712
    rows, cursor = paginate_by_id(query, model.id, args["limit"], args.get("cursor"), newest_first=False)
    return {"items": out_rows(kind, rows), "next_cursor": cursor}


_MISSING = {"sites": "No such site.", "zones": "No such zone.", "buildings": "No such building.",
            "units": "No such unit.", "checkpoints": "No such checkpoint.", "schedules": "No such schedule.",
            "staff": "No such staff member."}


def get_one(kind, pk):
    model = MODELS[kind]
    obj = model.get_or_none(model.id == pk)
    if obj is None or not set(site_of(kind, obj)) & set(site_ids()):
        raise NotFound(_MISSING[kind])
    return obj


def create(kind, body):
    """Create a row; the same body again (a retry) answers the stored row with 200."""
    who = actor()
    with write_tx():
        lock_org()
        existing = find_existing(kind, body, who)
        if existing is not None:
            if same_as(kind, existing, body, who):
                return out_rows(kind, [existing])[0], 200
            raise Conflict("It exists already (same code); change it with PATCH.",
                           errors={"json": {SCHEMAS[kind].KEY[-1]: ["Already used."]}})
        try:
            _, obj = save_row(kind, body, who, audit_fn=_audit)
        except RowError as exc:
            raise http_error(exc)
    return out_rows(kind, [obj])[0], 201


def update(kind, pk, patch):
    """PATCH: the stored row with the given fields changed, checked again as a whole row."""
    who = actor()
    with write_tx():
        lock_org()
        obj = get_one(kind, pk)
        current = to_rows(kind, [obj], who)[0]
        merged = {k: v for k, v in {**current, **patch}.items() if v is not None or k in patch}
        try:
            row = SCHEMAS[kind]().load(merged)
        except ValidationError as exc:
            raise Invalid(exc.messages)
        try:
            save_row(kind, row, who, target=obj, audit_fn=_audit)
        except RowError as exc:
            raise http_error(exc)
        obj = MODELS[kind].get_by_id(obj.id)
    return out_rows(kind, [obj])[0]


def deactivate(kind, pk):
    """Nothing referenced is deleted: the row is made inactive (PATCH active=true brings it back)."""
    return update(kind, pk, {"active": False})



_DOCS = {
    "list": "{Nouns} of the caller's sites (or of one, ``site_id``), one page at a time; active ones unless "
            "``include_inactive``.",
    "create": "Create one (manager of its site, or admin); the same body again answers the stored one (200).",
    "get": "One of the caller's sites' {nouns}; another site's answers 404 like a missing one.",
    "patch": "Change some fields (audited with before and after).",
    "deactivate": "Make it inactive: nothing referenced is deleted (PATCH ``active: true`` brings it back).",
}


def _documented(fn, doc):
    fn.__doc__ = doc
    return fn


def register_crud(blp, kind, *, body, patch, row_out, nouns, collection="", id_name="item_id", docs=None,
                  list_args=None, page=None, list_query=None, site_field=None, list_view=None, get_view=None,
                  create_action="org.edit"):
    """The organisation's routes for one kind on ``blp``: GET (one page) and POST on ``collection``, GET and
    PATCH on ``collection/<id>``, POST on ``collection/<id>/deactivate``. ``list_query(args)`` and
    ``site_field`` make the standard page; a kind that lists differently passes its own decorated
    ``list_view`` (likewise ``get_view``). ``docs`` overrides the default summaries by operation. Reads
    are ``org.view``, changes ``org.edit`` (creating: ``create_action``), checked here before anything runs."""
    doc = {k: v.format(Nouns=nouns.capitalize(), nouns=nouns) for k, v in _DOCS.items()}
    doc.update(docs or {})

    if list_view is None:
        def list_view(self, args):
            return listing(kind, list_query(args), site_field, args)

        list_view = blp.arguments(list_args, location="query")(
            blp.response(200, page)(_documented(requires("org.view")(list_view), doc["list"])))

    @requires(create_action)
    def post(self, data):
        return create(kind, data)

    if get_view is None:
        def get_view(self, **ids):
            return out_rows(kind, [get_one(kind, ids[id_name])])[0]

        get_view = blp.response(200, row_out)(_documented(requires("org.view")(get_view), doc["get"]))

    @requires("org.edit")
    def patch_one(self, data, **ids):
        return update(kind, ids[id_name], data)

    @requires("org.edit")
    def deactivate_one(self, **ids):
        return deactivate(kind, ids[id_name])

    name = "".join(part.capitalize() for part in kind.split("_"))
    blp.route(collection)(type(f"{name}Collection", (MethodView,), {"get": list_view, "post": blp.arguments(body)(
        blp.response(201, row_out)(blp.alt_response(200, schema=row_out, description="The same body again: the stored row.")(
            _documented(post, doc["create"]))))}))
    blp.route(f"{collection}/<int:{id_name}>")(type(f"{name}One", (MethodView,), {
        "get": get_view,
        "patch": blp.arguments(patch(partial=True))(blp.response(200, row_out)(_documented(patch_one, doc["patch"])))}))
    blp.route(f"{collection}/<int:{id_name}>/deactivate")(type(f"{name}Deactivate", (MethodView,), {
        "post": blp.response(200, row_out)(_documented(deactivate_one, doc["deactivate"]))}))
