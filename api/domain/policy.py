"""Policy as data: amounts, thresholds and deadlines, validated; versions in the database.

The shipped (or the company's) ``policy.yaml`` is the first version; a manager adds versions with an
effective date (``POST /api/v1/policy/versions``). ``current_policy(at)`` is the version in force at
a time, ``policy_for_month(month)`` the one a month's ledger uses (in force on its first day);
``validate_policy_file(path)`` returns a file's problems as ``"file:line: message"`` strings.
"""
import json
import os
import time
from datetime import date
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from api.domain.errors import Invalid
from api.domain.policy_schema import Policy, PolicySchema
from api.domain.yamlfile import read_yaml, schema_problems


# --- loading with line numbers ----------------------------------------------------------

def parse_policy(text, name="policy.yaml"):
    """(policy or None, problems): problems are "file:line: message" strings."""
    raw, yaml_problems = read_yaml(text)
    problems = [f"{name}:{line}: {msg}" for line, msg in yaml_problems]
    if raw is None and problems:
        return None, problems
    if not isinstance(raw, dict):
        return None, problems + [f"{name}:1: the policy must be a mapping of sections"]
    try:
        data = PolicySchema().load(raw)
    except ValidationError as err:
        return None, problems + schema_problems(name, raw, err.messages)
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


_settings = {"checklists_dir": None}


def configure(checklists_dir):
    """Called by whatever binds the database (``create_app``, the CLI): the checklists folder its
    configuration names, and no cached versions from an earlier binding."""
    _settings["checklists_dir"] = checklists_dir
    invalidate()


def policy_path():
    """policy.yaml in the configured checklists folder (``configure``; a process that configured
    nothing reads ``Config``); the shipped one when that folder has none."""
    directory = _settings["checklists_dir"]
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
    from api.domain.errors import Conflict
    from api.domain.permissions import require
    from api.models import PolicyVersion

    require(by, "policy.change")
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
