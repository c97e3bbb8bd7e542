"""The organisation as data: sites, zones (with their responsible staff per trade), buildings and units,
checkpoints, schedules and staff — the rules shared by the API, the Excel import and the CLI.

``save_row(kind, row, actor)`` creates or updates one row loaded by its schema in ``api.domain.orgrows``
(upsert by 工号 / code), and says whether it was created, updated or unchanged; every change is audited
with before and after. Nothing is deleted: rows are deactivated. A change of a zone's responsible person
or a checkpoint's checklists is read by tasks and orders made after it; the ones already made keep theirs.

An administrator may do everything; a manager only within their own sites (another site's row answers
like a missing one); nobody else changes the organisation.
"""
from dataclasses import dataclass, field

from api import clock
from api.db import is_postgres
from api.domain.org_read import same_as, snapshot
from api.domain.permissions import can
from api.domain.orgrows import RESPONSIBLE_FIELDS
from api.domain.passwords import hasher
from api.models import (ApiToken, Building, Checklist, Checkpoint, Schedule, Site, Unit, User, UserSite, Zone,
                        ZoneResponsible)

_LOCK_ID = 7301_0011  # one advisory lock for organisation writes: rare, and never two at once


class RowError(Exception):
    """One field of one row is refused: ``status`` 422 (bad value), 403 (not allowed), 404, 409."""

    def __init__(self, field, en, zh, status=422):
        super().__init__(en)
        self.field, self.en, self.zh, self.status = field, en, zh, status


@dataclass
class Actor:
    """Who is changing the organisation: the user (None for the command line, which acts as admin) and
    the sites they may change."""

    user: object = None
    sites: list = field(default_factory=list)
    admin: bool = True

    @classmethod
    def of(cls, user, site_ids):
        return cls(user=user, sites=list(site_ids), admin=(user is None or can(user, "org.edit_all")))

    @classmethod
    def command_line(cls):
        return cls(user=None, sites=[s.id for s in Site.select(Site.id)], admin=True)


def lock_org():
    """Serialise organisation writes on PostgreSQL (two imports of the same file, two creates of the same
    code: the second waits, then finds the first's rows). SQLite's BEGIN IMMEDIATE already does."""
    if is_postgres():
        from api.db import db

        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))


# --- look-ups by code ------------------------------------------------------------------------------

def _site(actor, code, field_name="site_code"):
    site = Site.get_or_none(Site.code == code)
    if site is None or site.id not in actor.sites:
        raise RowError(field_name, "No such site.", "没有这个场所", 422)  # another site's looks the same
    return site


def _zone(site, code, field_name="zone_code", required=False):
    if code in (None, ""):
        if required:
            raise RowError(field_name, "A zone is needed.", "必须填写片区")
        return None
    zone = Zone.get_or_none((Zone.site == site) & (Zone.code == code))
    if zone is None:
        raise RowError(field_name, f"No zone {code} at site {site.code}.", f"场所 {site.code} 没有片区 {code}")
    return zone


def find_staff(ref, actor=None):
    """A staff member by 工号, else by username; limited to the actor's sites (admins see everyone)."""
    ref = (ref or "").strip()
    if not ref:
        return None
    user = User.get_or_none(User.employee_no == ref) or User.get_or_none(User.username == ref)
    if user is None or actor is None or actor.admin:
        return user
    return user if set(user.site_ids) & set(actor.sites) else None


def _staff_ref(ref, actor, field_name):
    user = find_staff(ref, actor)
    if user is None:
        raise RowError(field_name, f"No staff member with 工号 or username {ref}.", f"没有工号或登录名为 {ref} 的人员")
    return user


def _must_manage(actor, site_id, field_name="site_code"):
    if site_id not in actor.sites:
        raise RowError(field_name, "No such site.", "没有这个场所", 404)


def _diff(before, after):
    keys = [k for k in after if before is None or before.get(k) != after.get(k)]
    return ({k: before.get(k) for k in keys} if before is not None else None), {k: after.get(k) for k in keys}


def _finish(kind, obj, before, site_id, actor, audit_fn):
    after = snapshot(kind, obj)
    if before == after:
        return "unchanged"
    action = "created" if before is None else "updated"
    if before is not None and before.get("active") and after.get("active") is False:
        action = "deactivated"
    b, a = _diff(before, after)
    if audit_fn:
        audit_fn(f"{_OBJECT[kind]}.{action}", _OBJECT[kind], obj.id, site_id, b, a)
    return action


_OBJECT = {"sites": "site", "zones": "zone", "buildings": "building", "units": "unit", "staff": "user",
           "checkpoints": "checkpoint", "schedules": "schedule"}


def _update(obj, values):
    for k, v in values.items():
        setattr(obj, k, v)
    obj.save()


def _unique(model, where, target, field_name, what_en, what_zh):
    other = model.select(model.id).where(where).first()
    if other is not None and (target is None or other.id != target.id):
        raise RowError(field_name, f"{what_en} is already used.", f"{what_zh}已被使用", 409)


# --- one row per kind -----------------------------------------------------------------------------

def _save_site(d, actor, target, ctx):
    existing = target or Site.get_or_none(Site.code == d["code"])
    if existing is not None and existing.id not in actor.sites:
        existing = None if target is None else _must_manage(actor, existing.id)
    if existing is None and not (actor.user is None or can(actor.user, "site.create")):
        raise RowError("code", "Only an administrator creates sites.", "只有管理员可以新建场所", 403)
    _unique(Site, Site.code == d["code"], existing, "code", "This site code", "场所编号")
    before = snapshot("sites", existing)
    values = {k: d[k] for k in ("code", "name", "name_en", "kind", "timezone", "address", "active")}
    if existing is None:
        obj = Site.create(**values)
        actor.sites.append(obj.id)
        if not actor.admin:
            UserSite.insert(user=actor.user, site=obj).on_conflict_ignore().execute()
    else:
        obj = existing
        _update(obj, values)
    return obj, before, obj.id


def _same_site(existing, site, field_name="site_code"):
    if existing is not None and existing.site_id != site.id:
        raise RowError(field_name, "It cannot move to another site (its history stays where it was).",
                       "不能移到另一个场所（历史记录留在原场所）")


def _save_zone(d, actor, target, ctx):
    site = _site(actor, d["site_code"])
    existing = target or Zone.get_or_none((Zone.site == site) & (Zone.code == d["code"]))
    _same_site(existing, site)
    _unique(Zone, (Zone.site == site) & (Zone.code == d["code"]), existing, "code", "This zone code", "片区编号")
    responsible = {}
    for name in RESPONSIBLE_FIELDS:
        if name in d:
            ref = (d[name] or "").strip()
            trade = name[len("responsible_"):]
            user = None if ref in ("", "-") else _staff_ref(ref, actor, name)
            if user is not None and site.id not in user.site_ids:
                raise RowError(name, f"{ref} does not work at site {site.code}.", f"{ref} 不属于场所 {site.code}")
            responsible[trade] = user
    before = snapshot("zones", existing)
    values = {"code": d["code"], "name": d["name"], "name_en": d["name_en"], "active": d["active"]}
    if existing is None:
        obj = Zone.create(site=site, **values)
    else:
        obj = existing
        _update(obj, values)
    for trade, user in responsible.items():
        set_responsible(obj, trade, user)
    return obj, before, site.id


def set_responsible(zone, trade, user):
    """片区责任人: who answers for the zone in this trade from now on (None: nobody). Tasks and work
    orders already made keep the person they were given."""
    current = ZoneResponsible.get_or_none((ZoneResponsible.zone == zone) & (ZoneResponsible.trade == trade))
    if user is None:
        if current is not None:
            current.delete_instance()
    elif current is None:
        ZoneResponsible.create(zone=zone, trade=trade, user=user)
    elif current.user_id != user.id:
        ZoneResponsible.update(user=user).where(ZoneResponsible.id == current.id).execute()


def _save_building(d, actor, target, ctx):
    site = _site(actor, d["site_code"])
    existing = target or Building.get_or_none((Building.site == site) & (Building.code == d["code"]))
    _same_site(existing, site)
    _unique(Building, (Building.site == site) & (Building.code == d["code"]), existing, "code",
            "This building code", "楼栋编号")
    zone = _zone(site, d.get("zone_code"))
    before = snapshot("buildings", existing)
    values = {"code": d["code"], "name": d["name"], "name_en": d["name_en"], "zone": zone, "active": d["active"]}
    if existing is None:
        obj = Building.create(site=site, **values)
    else:
        obj = existing
        _update(obj, values)
    return obj, before, site.id


def _save_unit(d, actor, target, ctx):
    site = _site(actor, d["site_code"])
    building = Building.get_or_none((Building.site == site) & (Building.code == d["building_code"]))
    if building is None:
        raise RowError("building_code", f"No building {d['building_code']} at site {site.code}.",
                       f"场所 {site.code} 没有楼栋 {d['building_code']}")
    existing = target or Unit.get_or_none((Unit.building == building) & (Unit.code == d["code"]))
    if existing is not None and existing.building.site_id != site.id:
        _same_site(existing.building, site)
    _unique(Unit, (Unit.building == building) & (Unit.code == d["code"]), existing, "code", "This unit", "房号")
    before = snapshot("units", existing)
    values = {"building": building, "code": d["code"], "floor": d.get("floor"), "active": d["active"]}
    if existing is None:
        obj = Unit.create(**values)
    else:
        obj = existing
        _update(obj, values)
    return obj, before, site.id


def _save_checkpoint(d, actor, target, ctx):
    site = _site(actor, d["site_code"])
    existing = target or Checkpoint.get_or_none(Checkpoint.code == d["code"])
    if existing is not None and existing.site_id not in actor.sites:
        raise RowError("code", "This checkpoint code is already used.", "巡检点编号已被使用", 409)
    _same_site(existing, site)
    _unique(Checkpoint, Checkpoint.code == d["code"], existing, "code", "This checkpoint code", "巡检点编号")
    zone = _zone(site, d["zone_code"], required=True)
    keys = list(d.get("checklists") or [])
    known = {c.key for c in Checklist.select(Checklist.key).where(Checklist.key.in_(keys))} if keys else set()
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise RowError("checklists", f"No such checklist: {', '.join(unknown)}.", f"没有这个检查表：{'、'.join(unknown)}")
    tag = (d.get("nfc_tag_id") or "").strip() or None
    if tag:
        _unique(Checkpoint, Checkpoint.nfc_tag_id == tag, existing, "nfc_tag_id", "This NFC tag", "NFC 标签")
    before = snapshot("checkpoints", existing)
    values = {"zone": zone, "code": d["code"], "name": d["name"], "name_en": d["name_en"], "kind": d["kind"],
              "checklist_keys": keys, "lat": d.get("latitude"), "lon": d.get("longitude"), "nfc_tag_id": tag,
              "sort_order": d.get("sort_order") or 0, "note": d.get("note") or "", "active": d["active"]}
    if existing is None:
        obj = Checkpoint.create(site=site, **values)
    else:
        obj = existing
        _update(obj, values)
    return obj, before, site.id


def _save_schedule(d, actor, target, ctx):
    from api.domain.schedules import drop_future_tasks

    site = _site(actor, d["site_code"])
    existing = target or Schedule.get_or_none((Schedule.site == site) & (Schedule.key == d["key"]))
    _same_site(existing, site)
    _unique(Schedule, (Schedule.site == site) & (Schedule.key == d["key"]), existing, "key",
            "This schedule key", "排班编号")
    if Checklist.get_or_none(Checklist.key == d["checklist"]) is None:
        raise RowError("checklist", f"No such checklist: {d['checklist']}.", f"没有这个检查表：{d['checklist']}")
    zone = _zone(site, d.get("zone_code"))
    if d.get("at"):
        rule = {"at": sorted(f"{int(t.split(':')[0]):02d}:{t.split(':')[1]}" for t in d["at"])}
    else:
        rule = {"every_minutes": d["every_minutes"], "from": d["from_time"], "to": d["to_time"]}
    if d.get("weekdays"):
        rule["weekdays"] = sorted(int(w) for w in d["weekdays"])
    before = snapshot("schedules", existing)
    values = {"key": d["key"], "name": d["name"], "name_en": d["name_en"], "checklist_key": d["checklist"],
              "role": d["role"], "zone": zone, "checkpoint_kinds": list(d.get("checkpoint_kinds") or []),
              "rule": rule, "window_minutes": d["window_minutes"], "active": d["active"]}
    if existing is None:
        obj = Schedule.create(site=site, **values)
    else:
        obj = existing
        _update(obj, values)
        if snapshot("schedules", obj) != before:
            drop_future_tasks(obj.id)  # tasks not yet due are made again from the new rule
    return obj, before, site.id


def _save_staff(d, actor, target, ctx):
    existing = target or (User.get_or_none(User.employee_no == d["employee_no"]) if d.get("employee_no") else None)
    by_name = User.get_or_none(User.username == d["username"])
    if existing is None and by_name is not None and by_name.employee_no in (None, "") and ctx.get("adopt"):
        existing = by_name  # an account made before 工号 were kept: matched by username (and given the 工号)
    d = {**d, "employee_no": d.get("employee_no") or (existing.employee_no if existing is not None else None)}
    if existing is None and not d["employee_no"]:
        raise RowError("employee_no", "A new staff member needs a 工号.", "新人员必须填写工号")
    if (existing is not None and not actor.admin and not can(actor.user, "org.manage_account", existing)
            and set(existing.site_ids) & set(actor.sites) and same_as("staff", existing, d, actor)):
        return existing, snapshot("staff", existing), None  # a row a manager may not change, unchanged
    if existing is not None and not actor.admin and not (set(existing.site_ids) & set(actor.sites)):
        if target is not None:
            raise RowError("employee_no", "No such staff member.", "没有这个人员", 404)
        raise RowError("employee_no", "This 工号 is already used.", "工号已被使用", 409)
    if d["employee_no"]:
        _unique(User, User.employee_no == d["employee_no"], existing, "employee_no", "This 工号", "工号")
    _unique(User, User.username == d["username"], existing, "username", "This username", "登录名")
    if not actor.admin:
        if not can(actor.user, "org.manage_account", User(role=d["role"])):
            raise RowError("role", f"A manager cannot give the role {d['role']}.", f"经理不能设置角色 {d['role']}", 403)
        if existing is not None and not can(actor.user, "org.manage_account", existing):
            raise RowError("role", "A manager cannot change this account.", "经理不能修改此账号", 403)
    sites = []
    for code in d.get("site_codes") or []:
        sites.append(_site(actor, code, "site_codes"))
    supervisor = None
    if d.get("supervisor"):
        supervisor = _staff_ref(d["supervisor"], actor, "supervisor")
        if existing is not None and supervisor.id == existing.id:
            raise RowError("supervisor", "Nobody is their own supervisor.", "直接主管不能是本人")
    zones = []
    if d.get("responsible_zones"):
        if not d.get("trade"):
            raise RowError("responsible_zones", "Give a trade to be responsible for a zone.", "负责片区须先填写专业")
        for code in d["responsible_zones"]:
            zone = (Zone.select().join(Site).where((Zone.code == code) & (Site.id.in_([s.id for s in sites] or [0])))
                    .first())
            if zone is None:
                raise RowError("responsible_zones", f"No zone {code} at this person's sites.",
                               f"此人所属场所没有片区 {code}")
            zones.append(zone)
    before = snapshot("staff", existing)
    values = {k: d.get(k) if d.get(k) is not None else "" for k in ("username", "name", "role",
                                                                      "phone", "department", "post")}
    values["employee_no"] = d["employee_no"] or None
    values.update(trade=d.get("trade") or None, supervisor=supervisor, active=d["active"])
    if existing is None:
        password = d.get("password") or ctx.get("password")
        if not password:
            raise RowError("password", "A new account needs an initial password (column or --password).",
                           "新账号需要初始密码（填写“初始密码”列，或用 --password）")
        from api.config import Config
        from api.domain.passwords import password_problems

        weak = password_problems(password, values.get("username"), Config().PATROL_PASSWORD_MIN_LENGTH)
        if weak:  # the password policy (api/domain/passwords.py)
            raise RowError("password", " ".join(weak), "初始密码不符合要求：长度不够，或是常见密码")
        obj = User.create(password_hash=hasher().hash(password), **values)
    else:
        obj = existing
        _update(obj, values)
    # sites: the listed ones among the actor's; other sites' links are not the actor's to change
    want = {s.id for s in sites}
    have = set(obj.site_ids)
    for sid in (want - have):
        UserSite.insert(user=obj, site=sid).on_conflict_ignore().execute()
    gone = [sid for sid in have - want if sid in actor.sites]
    if gone:
        UserSite.delete().where((UserSite.user == obj) & UserSite.site.in_(gone)).execute()
    if "responsible_zones" in d and obj.trade:
        for zone in zones:
            set_responsible(zone, obj.trade, obj)
    if not obj.active:
        ApiToken.update(revoked_at=clock.now()).where((ApiToken.user == obj) & ApiToken.revoked_at.is_null()).execute()
    site_id = sites[0].id if sites else (obj.site_ids[0] if obj.site_ids else None)
    return obj, before, site_id


_SAVERS = {"sites": _save_site, "zones": _save_zone, "buildings": _save_building, "units": _save_unit,
           "staff": _save_staff, "checkpoints": _save_checkpoint, "schedules": _save_schedule}


def save_row(kind, row, actor, *, target=None, audit_fn=None, password=None, adopt=False):
    """Create or update one row (a dict loaded by the kind's schema); ``target`` is the object a PATCH
    names. Returns ``(action, object)`` with action created / updated / deactivated / unchanged. The
    caller owns the transaction (and calls ``lock_org()`` first). ``adopt`` (imports): a staff row whose
    工号 is new but whose username belongs to an account without a 工号 gives that account the 工号."""
    # who may change the organisation at all is checked where it is asked (the routes' org.edit and
    # org.import, api/domain/permissions.py); the command line acts as an administrator
    obj, before, site_id = _SAVERS[kind](row, actor, target, {"password": password, "adopt": adopt})
    return _finish(kind, obj, before, site_id, actor, audit_fn), obj
