"""The organisation read back: snapshots (what the audit log and the "unchanged" check compare), rows
as their schema shows them (API body, Excel row: codes, not ids), and the row a create names."""
from peewee import fn

from api.domain.orgrows import SCHEMAS, TASK_ROLES
from api.models import (Building, Checkpoint, Schedule, Site, TRADES, Unit, User, UserSite, Zone,
                        ZoneResponsible)


MODELS = {"sites": Site, "zones": Zone, "buildings": Building, "units": Unit, "staff": User,
          "checkpoints": Checkpoint, "schedules": Schedule}


def building_zone_id(site_id, building):
    """The zone a building belongs to (楼栋所属片区), found by its code or name at the site; None when the
    building is not known or has no zone. A service-desk request for a unit gets this zone by default."""
    text = (building or "").strip()
    if not text:
        return None
    for candidate in dict.fromkeys((text, text.removesuffix("栋").removesuffix("号楼").strip())):
        row = (Building.select(Building.zone).where(
            (Building.site == site_id) & ((Building.code == candidate) | (fn.TRIM(Building.name) == candidate)))
            .order_by(Building.active.desc(), Building.id).first())
        if row is not None and row.zone_id is not None:
            return row.zone_id
    return None


# --- snapshots (what the audit log and the "unchanged" check compare) -----------------------------

def snapshot(kind, obj):
    if obj is None:
        return None
    if kind == "sites":
        return {k: getattr(obj, k) for k in ("code", "name", "name_en", "kind", "timezone", "address", "active")}
    if kind == "zones":
        out = {k: getattr(obj, k) for k in ("code", "name", "name_en", "active")}
        out["site"] = obj.site_id
        out["responsible"] = {r.trade: r.user_id for r in ZoneResponsible.select().where(ZoneResponsible.zone == obj)
                              .order_by(ZoneResponsible.trade)}
        return out
    if kind == "buildings":
        return {"site": obj.site_id, "zone": obj.zone_id, "code": obj.code, "name": obj.name,
                "name_en": obj.name_en, "active": obj.active}
    if kind == "units":
        return {"building": obj.building_id, "code": obj.code, "floor": obj.floor, "active": obj.active}
    if kind == "checkpoints":
        return {"site": obj.site_id, "zone": obj.zone_id, "code": obj.code, "name": obj.name, "name_en": obj.name_en,
                "kind": obj.kind, "checklist_keys": list(obj.checklist_keys or []), "lat": obj.lat, "lon": obj.lon,
                "nfc_tag_id": obj.nfc_tag_id, "sort_order": obj.sort_order, "note": obj.note, "active": obj.active}
    if kind == "schedules":
        return {"site": obj.site_id, "key": obj.key, "name": obj.name, "name_en": obj.name_en,
                "checklist_key": obj.checklist_key, "role": obj.role, "zone": obj.zone_id,
                "checkpoint_kinds": list(obj.checkpoint_kinds or []), "rule": obj.rule,
                "window_minutes": obj.window_minutes, "active": obj.active}
    if kind == "staff":
        out = {k: getattr(obj, k) for k in ("employee_no", "username", "name", "role", "trade", "phone",
                                            "department", "post", "active")}
        out["supervisor"] = obj.supervisor_id
        out["sites"] = obj.site_ids
        out["responsible"] = sorted([r.zone_id, r.trade] for r in
                                    ZoneResponsible.select().where(ZoneResponsible.user == obj))
        return out
    raise ValueError(kind)


# --- rows as their schema shows them (API body, Excel row) -----------------------------------------

def _codes(model, ids):
    ids = [i for i in set(ids) if i is not None]
    return {r.id: r.code for r in model.select(model.id, model.code).where(model.id.in_(ids))} if ids else {}


def to_rows(kind, objs, actor=None):
    """Objects as the rows their schema loads (codes, not ids), so an export imports back unchanged."""
    objs = list(objs)
    if kind == "sites":
        return [{k: getattr(o, k) for k in SCHEMAS[kind]().excel_fields()} for o in objs]
    site_code = _codes(Site, [getattr(o, "site_id", None) for o in objs])
    if kind == "zones":
        resp = {}
        for r in (ZoneResponsible.select(ZoneResponsible, User).join(User)
                  .where(ZoneResponsible.zone.in_([o.id for o in objs] or [0]))):
            resp[(r.zone_id, r.trade)] = r.user.employee_no or r.user.username
        return [{"site_code": site_code[o.site_id], "code": o.code, "name": o.name, "name_en": o.name_en,
                 "active": o.active, **{f"responsible_{t}": resp.get((o.id, t)) for t in TRADES}} for o in objs]
    if kind == "buildings":
        zone_code = _codes(Zone, [o.zone_id for o in objs])
        return [{"site_code": site_code[o.site_id], "code": o.code, "name": o.name, "name_en": o.name_en,
                 "zone_code": zone_code.get(o.zone_id), "active": o.active} for o in objs]
    if kind == "units":
        bs = {b.id: b for b in Building.select().where(Building.id.in_([o.building_id for o in objs] or [0]))}
        sc = _codes(Site, [b.site_id for b in bs.values()])
        return [{"site_code": sc[bs[o.building_id].site_id], "building_code": bs[o.building_id].code, "code": o.code,
                 "floor": o.floor, "active": o.active} for o in objs]
    if kind == "checkpoints":
        zone_code = _codes(Zone, [o.zone_id for o in objs])
        return [{"site_code": site_code[o.site_id], "code": o.code, "name": o.name, "name_en": o.name_en,
                 "kind": o.kind, "zone_code": zone_code.get(o.zone_id), "checklists": list(o.checklist_keys or []),
                 "latitude": o.lat, "longitude": o.lon, "nfc_tag_id": o.nfc_tag_id, "sort_order": o.sort_order,
                 "note": o.note, "active": o.active} for o in objs]
    if kind == "schedules":
        zone_code = _codes(Zone, [o.zone_id for o in objs])
        out = []
        for o in objs:
            rule = o.rule or {}
            out.append({"site_code": site_code[o.site_id], "key": o.key, "name": o.name, "name_en": o.name_en,
                        "checklist": o.checklist_key, "role": o.role, "zone_code": zone_code.get(o.zone_id),
                        "checkpoint_kinds": list(o.checkpoint_kinds or []), "at": list(rule.get("at") or []),
                        "every_minutes": rule.get("every_minutes"), "from_time": rule.get("from"),
                        "to_time": rule.get("to"), "weekdays": [str(w) for w in rule.get("weekdays") or []],
                        "window_minutes": o.window_minutes, "active": o.active})
        return out
    if kind == "staff":
        visible = set(actor.sites) if actor is not None else None
        links = {}
        for us in UserSite.select().where(UserSite.user.in_([o.id for o in objs] or [0])).order_by(UserSite.site):
            if visible is None or us.site_id in visible:
                links.setdefault(us.user_id, []).append(us.site_id)
        sc = _codes(Site, [s for v in links.values() for s in v])
        sup = {u.id: (u.employee_no or u.username) for u in
               User.select().where(User.id.in_([o.supervisor_id for o in objs if o.supervisor_id] or [0]))}
        zones = {}
        for r in (ZoneResponsible.select(ZoneResponsible, Zone).join(Zone)
                  .where(ZoneResponsible.user.in_([o.id for o in objs] or [0])).order_by(Zone.code)):
            zones.setdefault((r.user_id, r.trade), []).append(r.zone.code)
        return [{"employee_no": o.employee_no, "username": o.username, "name": o.name, "role": o.role,
                 "trade": o.trade, "phone": o.phone, "department": o.department, "post": o.post,
                 "supervisor": sup.get(o.supervisor_id), "site_codes": [sc[s] for s in links.get(o.id, [])],
                 "responsible_zones": zones.get((o.id, o.trade), []), "active": o.active} for o in objs]
    raise ValueError(kind)


def rows_for_export(kind, site_ids):
    """A kind's rows at these sites, in a stable order (what an export writes)."""
    if kind == "sites":
        q = Site.select().where(Site.id.in_(site_ids)).order_by(Site.code)
    elif kind == "zones":
        q = Zone.select().where(Zone.site.in_(site_ids)).order_by(Zone.site, Zone.code)
    elif kind == "buildings":
        q = Building.select().where(Building.site.in_(site_ids)).order_by(Building.site, Building.code)
    elif kind == "units":
        q = (Unit.select(Unit).join(Building).where(Building.site.in_(site_ids))
             .order_by(Building.site, Building.code, Unit.code))
    elif kind == "checkpoints":
        q = Checkpoint.select().where(Checkpoint.site.in_(site_ids)).order_by(Checkpoint.site, Checkpoint.sort_order,
                                                                              Checkpoint.code)
    elif kind == "schedules":
        q = Schedule.select().where(Schedule.site.in_(site_ids)).order_by(Schedule.site, Schedule.key)
    elif kind == "staff":
        q = (User.select().join(UserSite).where(UserSite.site.in_(site_ids)).distinct()
             .order_by(User.employee_no, User.username))
    else:
        raise ValueError(kind)
    return list(q)


def site_of(kind, obj):
    """The site a row belongs to, for the 404-like-missing check (staff: any of theirs)."""
    if kind == "sites":
        return [obj.id]
    if kind == "units":
        return [obj.building.site_id]
    if kind == "staff":
        return obj.site_ids
    return [obj.site_id]


def task_roles():
    return TASK_ROLES


def find_existing(kind, d, actor):
    """The row a create names by its key (工号 / code), if there is one at the actor's sites."""
    site = Site.get_or_none(Site.code == d.get("site_code")) if "site_code" in d else None
    if kind == "sites":
        obj = Site.get_or_none(Site.code == d["code"])
    elif kind == "staff":
        obj = User.get_or_none(User.employee_no == d["employee_no"]) if d.get("employee_no") else None
    elif kind == "checkpoints":
        obj = Checkpoint.get_or_none(Checkpoint.code == d["code"])
    elif site is None:
        return None
    elif kind == "zones":
        obj = Zone.get_or_none((Zone.site == site) & (Zone.code == d["code"]))
    elif kind == "buildings":
        obj = Building.get_or_none((Building.site == site) & (Building.code == d["code"]))
    elif kind == "schedules":
        obj = Schedule.get_or_none((Schedule.site == site) & (Schedule.key == d["key"]))
    elif kind == "units":
        obj = (Unit.select(Unit).join(Building).where((Building.site == site) & (Building.code == d["building_code"])
                                                      & (Unit.code == d["code"])).first())
    else:
        raise ValueError(kind)
    if obj is None or (not actor.admin and not set(site_of(kind, obj)) & set(actor.sites)):
        return None
    return obj


def same_as(kind, obj, d, actor):
    """Whether a create's body says exactly what the stored row already says (a retry)."""
    current = to_rows(kind, [obj], actor)[0]
    return all(current.get(k) == v for k, v in d.items() if k != "password")
