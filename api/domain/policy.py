"""Policy as data: amounts, thresholds and deadlines, validated; versions in the database.

The shipped (or the company's) ``policy.yaml`` is the first version; a manager adds versions with an
effective date (``POST /api/v1/policy/versions``). ``current_policy(at)`` is the version in force at
a time, ``policy_for_month(month)`` the one a month's ledger uses (in force on its first day);
``validate_policy_file(path)`` returns a file's problems as ``"file:line: message"`` strings.
"""
import copy
import json
import os
import time
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from marshmallow import (RAISE, Schema, ValidationError, fields, validate, validates,
                         validates_schema)

from api.domain.errors import Invalid

from api.domain.vocabulary import PRIORITIES, TRADES  # noqa: F401 - the one source of both

TIERS = ("extra_fine", "sanction", "dismissal")
TIER_ORDER = ("none",) + TIERS


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _money(**kw):
    return fields.Decimal(places=2, as_string=False, validate=validate.Range(min=Decimal("0")), **kw)


def _hours(**kw):
    return fields.Float(validate=validate.Range(min=0, min_inclusive=False), allow_none=True, **kw)


class TierSchema(_Strict):
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    min_points = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    extra_fine = _money(required=True)


class PostingSchema(_Strict):
    min_points = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    same_problem_times = fields.Integer(required=True, strict=True, validate=validate.Range(min=2))


class SplitSchema(_Strict):
    staff_percent = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    supervisor_percent = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))

    @validates_schema
    def _sums_to_100(self, data, **kw):
        if data.get("staff_percent", 0) + data.get("supervisor_percent", 0) != 100:
            raise ValidationError("staff_percent and supervisor_percent must add up to 100.",
                                  "supervisor_percent")


class DeductionPolicySchema(_Strict):
    yuan_per_point = _money(required=True)
    tiers = fields.List(fields.Nested(TierSchema), required=True, validate=validate.Length(min=1))
    posting = fields.Nested(PostingSchema, required=True)
    supervisor_split = fields.Nested(SplitSchema, required=True)
    same_problem_brings_in_supervisor = fields.Integer(required=True, strict=True,
                                                       validate=validate.Range(min=2))
    ledger_due_day = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=28))
    closed_month = fields.String(required=True, validate=validate.OneOf(["refuse"]))
    # whose monthly total gives the tier and the posting (004 4.2.2 違規責任人每月累計扣分): the person's
    # across the company (default), or per management office (site)
    count_points_per = fields.String(load_default="person", validate=validate.OneOf(["person", "site"]))

    @validates("tiers")
    def _ascending(self, tiers, **kw):
        mins = [t["min_points"] for t in tiers]
        if mins != sorted(set(mins)):
            raise ValidationError("Tiers must be listed with strictly increasing min_points.")
        names = [t["tier"] for t in tiers]
        if len(set(names)) != len(names):
            raise ValidationError("Each tier may appear only once.")


class PriorityHours(_Strict):
    emergency = _hours(required=True)
    normal = _hours(required=True)
    planned = _hours(required=True)


class PartialPriorityHours(_Strict):
    emergency = _hours()
    normal = _hours()
    planned = _hours()


class EscalationSchema(_Strict):
    supervisor_after_hours = fields.Float(required=True, validate=validate.Range(min=0))
    manager_after_hours = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))


class WorkOrderPolicySchema(_Strict):
    respond_hours = fields.Nested(PriorityHours, required=True)
    resolve_hours = fields.Nested(PriorityHours, required=True)
    time_limits = fields.Dict(keys=fields.String(validate=validate.OneOf(TRADES)),
                              values=fields.Nested(PartialPriorityHours), load_default=dict)
    planned_resolve_time = fields.Time(required=True)
    revisit_working_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=30))
    escalation = fields.Nested(EscalationSchema, required=True)
    # which orders guards, cleaners and technicians may open: their own, or also their zones'
    field_staff_see = fields.String(load_default="assigned", validate=validate.OneOf(["assigned", "zone"]))

    @validates("resolve_hours")
    def _resolve_all_set(self, value, **kw):
        missing = [p for p in PRIORITIES if value.get(p) is None]
        if missing:
            raise ValidationError(f"Every priority needs a resolve limit (missing: {', '.join(missing)}).")


class ComplaintPolicySchema(_Strict):
    desk_same_day = fields.Boolean(required=True)
    transfer_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=60))
    transfer_days_kind = fields.String(required=True, validate=validate.OneOf(["calendar", "working"]))
    urgent_to_duty_manager = fields.Boolean(load_default=True)
    # special/urgent complaints (特殊或紧急投诉): up to this many days (seed 003 暂行规定 6)
    special_days = fields.Integer(load_default=3, strict=True, validate=validate.Range(min=1, max=60))
    special_days_kind = fields.String(load_default="calendar", validate=validate.OneOf(["calendar", "working"]))
    # optional: a late-evening complaint gets at least this many hours (None: strictly the same day)
    desk_min_hours = _hours(load_default=None)
    # a request registered this long after it was received is flagged "registered late" (迟报)
    register_within_hours = fields.Float(load_default=2, validate=validate.Range(min=0, min_inclusive=False))


APPEAL_LEVELS = ("department_head", "office_director", "office_manager")
DEFAULT_APPEALS = {"levels": [{"level": "department_head", "roles": ["supervisor", "manager", "admin"]},
                              {"level": "office_director", "roles": ["manager", "admin"]},
                              {"level": "office_manager", "roles": ["manager", "admin"]}],
                   "retaliation_starts_at": "office_director"}


class AppealLevelSchema(_Strict):
    level = fields.String(required=True, validate=validate.OneOf(APPEAL_LEVELS))
    roles = fields.List(fields.String(validate=validate.OneOf(["supervisor", "manager", "admin"])), required=True,
                        validate=validate.Length(min=1))


class AppealPolicySchema(_Strict):
    """申诉 (seed 004 4.3): the chain of levels, lowest first, and who decides at each."""

    levels = fields.List(fields.Nested(AppealLevelSchema), required=True, validate=validate.Length(min=1, max=3))
    # an appeal about retaliation by an inspector (4.3.1) starts above the inspector's own department
    retaliation_starts_at = fields.String(load_default="office_director", validate=validate.OneOf(APPEAL_LEVELS))

    @validates_schema
    def _in_order(self, data, **kw):
        names = [lv["level"] for lv in data.get("levels", [])]
        if names != [n for n in APPEAL_LEVELS if n in names]:
            raise ValidationError("Levels go up in the order department_head, office_director, office_manager, "
                                  "each once.", "levels")
        if data.get("retaliation_starts_at") and data["retaliation_starts_at"] not in names:
            raise ValidationError("Must be one of the levels listed.", "retaliation_starts_at")


PERFORMANCE_DEFAULT = {"yuan_per_point": "10.00",
                       "categories": {"dedication": 15, "coordination": 15, "innovation": 15, "discipline": 15,
                                      "teamwork_service": 15, "incidents_complaints": 25}}


class PerformancePolicySchema(_Strict):
    """绩效考核 (seed 004, second scheme): category maxima and the rate for penalties and rewards."""

    yuan_per_point = _money(required=True)
    categories = fields.Dict(keys=fields.String(validate=validate.OneOf(
        ["dedication", "coordination", "innovation", "discipline", "teamwork_service", "incidents_complaints"])),
        values=fields.Integer(strict=True, validate=validate.Range(min=1, max=100)), required=True,
        validate=validate.Length(min=1))


class ZoneRankingSchema(_Strict):
    pass_rate_weight = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    on_time_weight = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    rework_weight = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=100))
    complaint_weight = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=100))
    complaint_allowance = fields.Integer(load_default=5, strict=True, validate=validate.Range(min=1, max=1000))


PRESENCE_METHODS = ("qr", "nfc", "gps", "typed")


def _methods(**kw):
    return fields.List(fields.String(validate=validate.OneOf(PRESENCE_METHODS)),
                       validate=validate.Length(min=1), **kw)


class PresencePolicySchema(_Strict):
    """巡更到位: which proofs of presence count, per checkpoint or kind of checkpoint."""
    radius_m = fields.Float(load_default=60, validate=validate.Range(min=1, max=10000))
    max_accuracy_m = fields.Float(load_default=100, validate=validate.Range(min=1, max=100000))
    outside_radius = fields.String(load_default="flag", validate=validate.OneOf(["flag", "refuse"]))
    missing = fields.String(load_default="allow", validate=validate.OneOf(["allow", "flag", "refuse"]))
    typed_needs_reason = fields.Boolean(load_default=True)
    default = _methods(load_default=lambda: list(PRESENCE_METHODS))
    by_kind = fields.Dict(keys=fields.String(), values=_methods(), load_default=dict)
    by_checkpoint = fields.Dict(keys=fields.String(), values=_methods(), load_default=dict)


class PhonePolicySchema(_Strict):
    """The phone app: what its photo picker takes, when a failing entry is set aside."""
    max_photo_mb = fields.Float(load_default=25, validate=validate.Range(min=0.1, max=500))
    set_aside_after_tries = fields.Integer(load_default=3, strict=True, validate=validate.Range(min=1, max=50))


class PhotoPolicySchema(_Strict):
    long_edge_px = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=20000))
    jpeg_quality = fields.Float(required=True, validate=validate.Range(min=0.3, max=1.0))
    # the phone also sends each downscaled photo's full original later, only on Wi-Fi (or another
    # unmetered network), attached to the same photo
    send_originals_on_wifi = fields.Boolean(load_default=False)


class PolicySchema(_Strict):
    timezone = fields.String(required=True)
    deductions = fields.Nested(DeductionPolicySchema, required=True)
    work_orders = fields.Nested(WorkOrderPolicySchema, required=True)
    complaints = fields.Nested(ComplaintPolicySchema, required=True)
    zone_ranking = fields.Nested(ZoneRankingSchema, load_default=lambda: {
        "pass_rate_weight": 70, "on_time_weight": 30, "rework_weight": 0, "complaint_weight": 0,
        "complaint_allowance": 5})
    presence = fields.Nested(PresencePolicySchema, load_default=lambda: PresencePolicySchema().load({}))
    phone = fields.Nested(PhonePolicySchema, load_default=lambda: PhonePolicySchema().load({}))
    appeals = fields.Nested(AppealPolicySchema, load_default=lambda: copy.deepcopy(DEFAULT_APPEALS))
    # which schemes of seed 004 the company runs: the points-deduction ledger, the performance scores, or both
    schemes = fields.List(fields.String(validate=validate.OneOf(["deductions", "performance"])),
                          load_default=lambda: ["deductions", "performance"], validate=validate.Length(min=1))
    performance = fields.Nested(PerformancePolicySchema, load_default=lambda: copy.deepcopy(PERFORMANCE_DEFAULT))
    photos = fields.Nested(PhotoPolicySchema, load_default=lambda: {"long_edge_px": 1600, "jpeg_quality": 0.8})

    @validates("timezone")
    def _tz(self, value, **kw):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"Unknown time zone {value!r}.")


class Policy(dict):
    """The validated policy: a dict with a few readable helpers."""

    @property
    def tz(self):
        return ZoneInfo(self["timezone"])

    @property
    def yuan_per_point(self):
        return self["deductions"]["yuan_per_point"]

    def respond_hours(self, priority):
        return self["work_orders"]["respond_hours"].get(priority)

    def resolve_hours(self, priority, trade=None, item_hours=None):
        """The time-limit table: a checklist item's own limit, else the trade's, else the priority's."""
        if item_hours:
            return float(item_hours)
        by_trade = self["work_orders"]["time_limits"].get(trade or "", {})
        if by_trade.get(priority):
            return by_trade[priority]
        return self["work_orders"]["resolve_hours"][priority]


# --- loading with line numbers ----------------------------------------------------------

def _line_map(text):
    """Map each key path (tuple) in the YAML document to its 1-based line; duplicate keys listed."""
    lines, dups = {}, []
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines, dups

    def walk(node, path):
        lines.setdefault(path, node.start_mark.line + 1)  # a key's own line wins over its value's
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for k, v in node.value:
                key = k.value
                if key in seen:
                    dups.append((k.start_mark.line + 1, key))
                seen.add(key)
                lines[path + (key,)] = k.start_mark.line + 1
                walk(v, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, path + (i,))

    if root is not None:
        walk(root, ())
    return lines, dups


def _flatten(messages, path=()):
    if isinstance(messages, dict):
        for k, v in messages.items():
            key = int(k) if isinstance(k, str) and k.isdigit() else k
            yield from _flatten(v, path + (key,))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        for m in messages:
            yield path, m
    elif isinstance(messages, list):
        for m in messages:
            yield from _flatten(m, path)
    else:
        yield path, str(messages)


def _line_for(lines, path):
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def parse_policy(text, name="policy.yaml"):
    """(policy or None, problems): problems are "file:line: message" strings."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, [f"{name}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]
    lines, dups = _line_map(text)
    problems = [f"{name}:{line}: duplicate key {key!r}" for line, key in dups]
    if not isinstance(raw, dict):
        return None, problems + [f"{name}:1: the policy must be a mapping of sections"]
    try:
        data = PolicySchema().load(raw)
    except ValidationError as err:
        for path, msg in _flatten(err.messages):
            problems.append(f"{name}:{_line_for(lines, path)}: {'.'.join(map(str, path))}: {msg}")
        return None, problems
    if problems:
        return None, problems
    return Policy(data), []


def validate_policy_file(path):
    """Every problem in a policy file as "file:line: problem"; an empty list means it is valid."""
    name = os.path.basename(str(path))
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        return [f"{name}:1: cannot read: {exc.strerror}"]
    return parse_policy(text, name)[1]


def load_policy(path):
    with open(path, encoding="utf-8") as fh:
        policy, problems = parse_policy(fh.read(), os.path.basename(str(path)))
    if problems:
        raise Invalid({"policy": problems}, message="The policy file is not valid.")
    return policy


def policy_path():
    """policy.yaml in the configured checklists folder (the running app's, else the environment's and
    data home's); the shipped one when that folder has none."""
    directory = None
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            directory = current_app.config.get("PATROL_CHECKLISTS_DIR")
    except ImportError:  # pragma: no cover
        pass
    if not directory:
        from api.config import Config

        directory = Config().PATROL_CHECKLISTS_DIR
    path = os.path.join(directory, "policy.yaml")
    if not os.path.exists(path):
        from api.home import defaults_dir

        path = str(defaults_dir() / "policy.yaml")
    return path


# --- versions in the database ---------------------------------------------------------------

INITIAL_EFFECTIVE_FROM = date(2000, 1, 1)
# how long a process trusts its cached versions before it asks the database whether a version
# was added (one indexed query); a version posted in this process is seen at once
CHECK_SECONDS = 1.0

_file_cache = {}
_cache = {"key": None, "stamp": None, "checked": 0.0, "versions": []}


class PolicyUnavailable(Exception):
    """The server cannot read its policy: a server-side problem (logged; the client gets a 503)."""


def as_raw(policy):
    """The policy as policy.yaml holds it (JSON-safe), from a validated Policy."""
    return json.loads(json.dumps(PolicySchema().dump(policy), default=str))


def from_raw(raw):
    return Policy(PolicySchema().load(raw))


def invalidate():
    """Forget the cached versions (after a change in this process, or a database swapped under it)."""
    _cache.update(key=None, stamp=None, checked=0.0, versions=[])


def _file_policy():
    path = policy_path()
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        raise PolicyUnavailable(f"{path} is missing")
    hit = _file_cache.get(path)
    if hit and hit[0] == mtime:
        return hit[1]
    try:
        policy = load_policy(path)
    except Invalid as exc:
        raise PolicyUnavailable("; ".join(exc.fields.get("policy", [])))
    _file_cache[path] = (mtime, policy)
    return policy


def _bound():
    from api.db import db

    return db.obj is not None


def ensure_initial_policy():
    """The shipped (or the company's) policy.yaml becomes the first version when there is none yet."""
    from api.db import db, is_postgres, write_tx
    from api.models import PolicyVersion

    if PolicyVersion.select().exists():
        return None
    policy = _file_policy()
    with write_tx():
        if is_postgres():
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (7301_2027,))
        if PolicyVersion.select().exists():
            return None
        version = PolicyVersion.create(effective_from=INITIAL_EFFECTIVE_FROM, body=as_raw(policy),
                                       note="initial: policy.yaml", created_by=None)
    invalidate()
    return version


def _stamp():
    from peewee import fn

    from api.models import PolicyVersion

    return tuple(PolicyVersion.select(fn.COUNT(PolicyVersion.id), fn.MAX(PolicyVersion.id),
                                      fn.MAX(PolicyVersion.created_at)).tuples().get())


def versions():
    """Every version as (effective_from, id, Policy), oldest first; cached per process and
    re-read when the database's version counter (count, newest id) changes."""
    from api.db import db

    key = (id(db.obj), getattr(db.obj, "database", None))
    now = time.monotonic()
    if _cache["key"] == key and _cache["versions"] and 0 <= now - _cache["checked"] < CHECK_SECONDS:
        return _cache["versions"]
    stamp = _stamp()
    if not stamp[0]:
        ensure_initial_policy()
        stamp = _stamp()
    if _cache["key"] != key or _cache["stamp"] != stamp:
        from api.models import PolicyVersion

        rows = PolicyVersion.select().order_by(PolicyVersion.effective_from, PolicyVersion.id)
        _cache["versions"] = [(r.effective_from, r.id, from_raw(r.body)) for r in rows]
        _cache["key"], _cache["stamp"] = key, stamp
    _cache["checked"] = now
    return _cache["versions"]


def _in_force(day):
    chosen = None
    for effective_from, _id, policy in versions():
        if effective_from <= day:
            chosen = policy
    return chosen or versions()[0][2]


def local_day(at, policy=None):
    """The calendar day of naive-UTC ``at`` in the policy's time zone."""
    from datetime import timezone as _tz

    tz = ZoneInfo((policy or versions()[-1][2])["timezone"])
    return at.replace(tzinfo=_tz.utc).astimezone(tz).date()


def current_policy(at=None):
    """The policy in force at ``at`` (naive UTC; default now): the version with the latest
    effective date on or before that day. Without a database (plain scripts): the policy file."""
    if not _bound():
        return _file_policy()
    from api import clock

    return _in_force(local_day(at or clock.now()))


def policy_for_month(month):
    """The policy a month's ledger uses: the one in force on the month's first day ("YYYY-MM")."""
    if not _bound():
        return _file_policy()
    year, mon = (int(x) for x in str(month).split("-"))
    return _in_force(date(year, mon, 1))


def version_row(v, today=None):
    return {"id": v.id, "effective_from": v.effective_from, "created_at": v.created_at,
            "created_by_id": v.created_by_id, "note": v.note, "based_on": v.based_on, "body": v.body}


def list_versions():
    """Every stored version, newest first, with which one is in force now."""
    from api import clock
    from peewee import JOIN

    from api.models import PolicyVersion, User

    versions()  # the initial version exists before anything is listed
    rows = list(PolicyVersion.select(PolicyVersion, User).join(User, join_type=JOIN.LEFT_OUTER,
                                                               on=(PolicyVersion.created_by == User.id))
                .order_by(PolicyVersion.effective_from.desc(), PolicyVersion.id.desc()))
    today = local_day(clock.now())
    in_force = next((r.id for r in rows if r.effective_from <= today), None)
    out = []
    for r in rows:
        who = r.created_by if r.created_by_id else None
        out.append(dict(version_row(r), policy=from_raw(r.body), in_force=r.id == in_force,
                        created_by_name=who.name if who else None))
    return out


def add_version(*, raw, effective_from, by, based_on, note="", audit_fn=None, now=None):
    """A manager's new version, in force from ``effective_from`` (today or later: what is past,
    and every closed month, stays as it was). ``based_on`` is the newest version the editor saw:
    if another was stored since, the change is refused (409) rather than silently overwriting it.
    The same request again answers the version it stored. Returns (version, created)."""
    from marshmallow import ValidationError as _VE

    from api import clock
    from api.db import db, is_postgres, write_tx
    from api.domain.errors import Conflict, Forbidden
    from api.models import PolicyVersion

    if by.role not in ("manager", "admin"):
        raise Forbidden("Only a manager changes the policy.")
    try:
        policy = from_raw(raw)
    except _VE as err:
        raise Invalid({"policy": err.messages})
    now = now or clock.now()
    if effective_from < local_day(now, policy):
        raise Invalid({"effective_from": ["A new version takes effect today or later: the past is never rewritten."]})
    body = as_raw(policy)
    versions()  # the initial version exists before the first change
    with write_tx():
        if is_postgres():
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (7301_2027,))
        latest = PolicyVersion.select().order_by(PolicyVersion.id.desc()).first()
        if latest.id != based_on:
            if (latest.based_on == based_on and latest.created_by_id == by.id and latest.body == body
                    and latest.effective_from == effective_from and latest.note == (note or "")):
                return latest, False  # a retry of the change that was stored
            raise Conflict(f"The policy was changed by someone else since you opened it (now version {latest.id}); "
                           f"reload it and make your change again.")
        before = _in_force_raw(effective_from)
        version = PolicyVersion.create(effective_from=effective_from, body=body, created_by=by,
                                       created_at=now, note=note or "", based_on=based_on)
        if audit_fn:
            audit_fn("policy.version_added", "policy_version", version.id, before=before,
                     after=dict(body, effective_from=effective_from.isoformat(), note=note or ""))
    invalidate()
    return version, True


def _in_force_raw(day):
    from api.models import PolicyVersion

    row = (PolicyVersion.select().where(PolicyVersion.effective_from <= day)
           .order_by(PolicyVersion.effective_from.desc(), PolicyVersion.id.desc()).first())
    return row.body if row else None
