"""What the organisation's resources (sites, zones, buildings, units, checkpoints, schedules, users) share:
list one page, create (a retry of the same body answers the stored row), update (PATCH), deactivate —
all through ``api.domain.org`` with the kind's one row schema, audited with before and after."""
from flask import g
from marshmallow import ValidationError, fields, validate

from api.audit import audit
from api.auth import site_ids, sites_in_scope
from api.db import write_tx
from api.domain.org import Actor, RowError, lock_org, save_row
from api.domain.org_read import MODELS, find_existing, same_as, site_of, to_rows
from api.domain.orgrows import SCHEMAS
from api.errors import Conflict, Forbidden, Invalid, NotFound
from api.pagination import encode_cursor, id_after
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


def paginate_asc(query, id_field, limit, cursor):
    after = id_after(cursor)  # a signed cursor holding anything but an id is a 400
    if after is not None:
        query = query.where(id_field > after)
    rows = list(query.order_by(id_field).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].id) if more and rows else None)


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
    rows, cursor = paginate_asc(query, model.id, args["limit"], args.get("cursor"))
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

