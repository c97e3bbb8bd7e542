"""Checklists as data: the YAML in checklists/ loaded and validated with line numbers, and synced
into immutable ChecklistVersion rows (a new version only when the content changed).

Every problem is reported as ``"file:line: message"``. ``validate_dir(d)`` returns them all (the
checklists, schedules.yaml and policy.yaml); ``sync(d)`` refuses
to store anything while there is a problem.
"""
import hashlib
import json
import os
import re
from dataclasses import dataclass, field

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from api.domain.errors import Invalid, NotFound
from api.domain.policy import validate_policy_file
from api.models.org import FIELD_ROLES, TRADES
from api.models.inspections import PRIORITIES
from api.domain.vocabulary import CHECKPOINT_KINDS

SCHEDULES_FILE = "schedules.yaml"
POLICY_FILE = "policy.yaml"
NOT_CHECKLISTS = (SCHEDULES_FILE, POLICY_FILE)

_KEY_RE = r"^[a-z][a-z0-9_]{0,63}$"
_SITE_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


# --- YAML that remembers where everything was ------------------------------------------------

class LineDict(dict):
    """A mapping from YAML with the line of the mapping (``line``) and of each key (``lines``)."""

    line = 1

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.lines = {}


class LineList(list):
    """A sequence from YAML with the line of the sequence (``line``) and of each entry (``lines``)."""

    line = 1

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.lines = []


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers, reports duplicate keys instead of silently keeping
    the last one, and reads ``22:00`` as the text "22:00" (YAML 1.1 would make it 1320)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.problems = []  # (line, message)


# YAML 1.1's int and float resolvers without base-60 numbers, which would turn 22:00 into 1320
_INT = re.compile(r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$""")
_FLOAT = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.X)
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, {"tag:yaml.org,2002:int": _INT, "tag:yaml.org,2002:float": _FLOAT}.get(tag, rx))
            for tag, rx in resolvers]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader, node):
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            loader.problems.append((line, "a key must be plain text"))
            continue
        if key in data:
            loader.problems.append((line, f"duplicate key {key!r} (first on line {data.lines[key]})"))
            continue
        data[key] = loader.construct_object(value_node)
        data.lines[key] = line


def _construct_seq(loader, node):
    data = LineList()
    data.line = node.start_mark.line + 1
    yield data
    data.extend(loader.construct_object(child) for child in node.value)
    data.lines = [child.start_mark.line + 1 for child in node.value]


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def read_yaml(text):
    """(data, [(line, message)]): data keeps line numbers; a syntax error gives data None."""
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return None, [((mark.line + 1) if mark else 1, f"not valid YAML: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, [(1, f"not valid YAML: {exc}")]
    finally:
        loader.dispose()
    return data, list(loader.problems)


def line_of(data, path):
    """The line of the deepest part of ``path`` found in ``data`` (a missing field: its parent)."""
    line = getattr(data, "line", 1)
    for part in path:
        if isinstance(data, LineDict) and part in data:
            line, data = data.lines.get(part, line), data[part]
        elif isinstance(data, LineList) and isinstance(part, int) and 0 <= part < len(data):
            line, data = data.lines[part], data[part]
        else:
            break
    return line


def _flatten(messages, path=()):
    """marshmallow's nested error dict as (path, message) pairs."""
    if isinstance(messages, dict):
        for k, v in messages.items():
            yield from _flatten(v, path if k == "_schema" else path + (k,))
    elif isinstance(messages, (list, tuple)):
        for m in messages:
            yield from _flatten(m, path)
    else:
        yield path, str(messages)


def _path_text(path):
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (("." if text else "") + str(part))
    return text


# --- the schemas: the file format, validated the way the API validates input -----------------

def _chinese(value):
    if not _CJK.search(value or ""):
        raise ValidationError("Chinese text is missing (no Chinese characters found).")


def _english(value):
    if _CJK.search(value) or not _LATIN.search(value):
        raise ValidationError("English text is missing (write it in English).")


def _hhmm(value):
    m = _HHMM.match(value)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValidationError("Not a time of day; write it as \"HH:MM\", e.g. \"22:00\".")


class _StrictBool(fields.Boolean):
    """true or false only: a typo like "yes please" is a problem, not a silent false."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _text(check, max_len):
    return fields.String(required=True, validate=[validate.Length(min=1, max=max_len), check])


class ItemSchema(_Strict):
    key = fields.String(required=True, validate=validate.Regexp(
        _KEY_RE, error="Use lower-case letters, digits and _ (a stable key, e.g. lamp_lit)."))
    text = _text(_chinese, 500)
    text_en = _text(_english, 500)
    trade = fields.String(required=True, validate=validate.OneOf(TRADES))
    photo_required_on_fail = _StrictBool(required=True)
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    points = fields.Integer(required=True, strict=True, validate=[
        validate.Range(min=0, error="Points cannot be negative."),
        validate.Range(max=100, error="At most 100 points for one item.")])
    resolve_hours = fields.Integer(load_default=None, allow_none=True, strict=True,
                                   validate=validate.Range(min=1, max=24 * 90))


class ChecklistSchema(_Strict):
    key = fields.String(required=True, validate=validate.Regexp(
        _KEY_RE, error="Use lower-case letters, digits and _ (e.g. road_lamps)."))
    name = _text(_chinese, 120)
    name_en = _text(_english, 120)
    trade = fields.String(required=True, validate=validate.OneOf(TRADES))
    applies_to = fields.List(fields.String(validate=validate.OneOf(CHECKPOINT_KINDS)), required=True,
                             validate=validate.Length(min=1))
    items = fields.List(fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1))


class RuleSchema(_Strict):
    at = fields.List(fields.String(validate=_hhmm), validate=validate.Length(min=1))
    every_minutes = fields.Integer(strict=True, validate=validate.Range(min=5, max=1440))
    from_ = fields.String(data_key="from", validate=_hhmm)
    to = fields.String(validate=_hhmm)
    weekdays = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=7)),
                           validate=validate.Length(min=1))

    @validates_schema
    def _one_kind_of_rule(self, data, **kwargs):
        if ("at" in data) == ("every_minutes" in data):
            raise ValidationError("Give either at: [times] or every_minutes with from and to.")
        if "at" in data and ("from_" in data or "to" in data):
            raise ValidationError("from/to go with every_minutes, not with at.")
        if "every_minutes" in data:
            missing = [name for name, attr in (("from", "from_"), ("to", "to")) if attr not in data]
            if missing:
                raise ValidationError(f"every_minutes needs {' and '.join(missing)}.")
            if _minutes(data["from_"]) == _minutes(data["to"]):
                raise ValidationError("from and to must differ.", "to")

    @post_load
    def _normalise(self, data, **kwargs):
        rule = {}
        if "at" in data:
            rule["at"] = sorted({_norm_time(t) for t in data["at"]})
        else:
            rule.update(every_minutes=data["every_minutes"], **{"from": _norm_time(data["from_"])},
                        to=_norm_time(data["to"]))
        if data.get("weekdays"):
            rule["weekdays"] = sorted(set(data["weekdays"]))
        return rule


class ScheduleSchema(_Strict):
    key = fields.String(required=True, validate=validate.Regexp(
        _KEY_RE, error="Use lower-case letters, digits and _ (e.g. night_lighting)."))
    name = _text(_chinese, 120)
    name_en = _text(_english, 120)
    checklist = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(FIELD_ROLES))
    zone = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    checkpoint_kinds = fields.List(fields.String(validate=validate.OneOf(CHECKPOINT_KINDS)),
                                   load_default=list)
    rule = fields.Nested(RuleSchema, required=True)
    window_minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1440))
    active = _StrictBool(load_default=True)


def _minutes(hhmm):
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _norm_time(hhmm):
    h, m = hhmm.split(":")
    return f"{int(h):02d}:{int(m):02d}"


# --- loading a directory ---------------------------------------------------------------------

@dataclass
class Catalog:
    """What a checklists directory holds once validated."""

    checklists: dict = field(default_factory=dict)  # key -> body (the version body format)
    schedules: dict = field(default_factory=dict)  # site code -> [schedule dicts]
    problems: list = field(default_factory=list)  # "file:line: message"


def content_hash(body):
    """SHA-256 of the canonical JSON of a body: equal content, equal hash."""
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _schema_problems(name, raw, err):
    return [f"{name}:{line_of(raw, path)}: {_path_text(path) + ': ' if path else ''}{msg}"
            for path, msg in _flatten(err.messages)]


def parse_checklist(text, name):
    """(body or None, problems) for one checklist file; ``name`` is its file name."""
    raw, yaml_problems = read_yaml(text)
    problems = [f"{name}:{line}: {msg}" for line, msg in yaml_problems]
    if raw is None and not problems:
        return None, [f"{name}:1: the file is empty"]
    if raw is None:
        return None, problems
    if not isinstance(raw, dict):
        return None, problems + [f"{name}:{getattr(raw, 'line', 1)}: a checklist is a mapping "
                                 "(key, name, name_en, trade, applies_to, items)"]
    try:
        body = ChecklistSchema().load(raw)
    except ValidationError as err:
        problems += _schema_problems(name, raw, err)
        body = None
    stem = os.path.splitext(name)[0]
    if isinstance(raw.get("key"), str) and raw["key"] != stem:
        problems.append(f"{name}:{line_of(raw, ('key',))}: key {raw['key']!r} must match the file name "
                        f"({stem!r})")
    seen = {}
    for i, item in enumerate(raw.get("items") or []):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str):
            continue
        if key in seen:
            problems.append(f"{name}:{line_of(raw, ('items', i, 'key'))}: items[{i}].key: duplicate item key "
                            f"{key!r} (first on line {seen[key]})")
        else:
            seen[key] = line_of(raw, ("items", i, "key"))
    if problems:
        return None, _by_line(problems)
    return json.loads(json.dumps(body, ensure_ascii=False)), []


def _by_line(problems):
    """One file's problems in line order (each starts "file:line:")."""
    return sorted(problems, key=lambda p: int(p.split(":", 2)[1]) if p.split(":", 2)[1].isdigit() else 0)


def parse_schedules(text, name=SCHEDULES_FILE, checklists=None, broken=()):
    """({site code: [schedules]}, problems); ``checklists`` (key -> body) checks the references,
    ``broken`` names checklists whose own file has problems (reported there, not again here)."""
    raw, yaml_problems = read_yaml(text)
    problems = [f"{name}:{line}: {msg}" for line, msg in yaml_problems]
    if raw is None:
        return {}, problems
    if not isinstance(raw, dict):
        return {}, problems + [f"{name}:{getattr(raw, 'line', 1)}: schedules are a mapping of site code "
                               "to a list of schedules"]
    result = {}
    for code, entries in raw.items():
        at = raw.lines.get(code, 1)
        if not isinstance(code, str) or not _SITE_CODE_RE.match(code):
            problems.append(f"{name}:{at}: {code!r} is not a site code")
            continue
        if not isinstance(entries, list):
            problems.append(f"{name}:{at}: {code}: a list of schedules is expected")
            continue
        try:
            loaded = ScheduleSchema(many=True).load(entries)
        except ValidationError as err:
            problems += [f"{name}:{line_of(entries, path)}: {code}{_path_text(path)}: {msg}"
                         for path, msg in _flatten(err.messages)]
            continue
        seen = {}
        for i, sched in enumerate(loaded):
            def where(*path):
                return f"{name}:{line_of(entries, (i,) + path)}: {code}[{i}].{path[0] if path else 'key'}"
            if sched["key"] in seen:
                problems.append(f"{where('key')}: duplicate schedule key {sched['key']!r} for {code} "
                                f"(first on line {seen[sched['key']]})")
            seen.setdefault(sched["key"], line_of(entries, (i, "key")))
            if checklists is None:
                continue
            if sched["checklist"] in broken:
                continue
            body = checklists.get(sched["checklist"])
            if body is None:
                problems.append(f"{where('checklist')}: no checklist {sched['checklist']!r} in this directory")
                continue
            for k, kind in enumerate(sched["checkpoint_kinds"]):
                if kind not in body["applies_to"]:
                    problems.append(f"{name}:{line_of(entries, (i, 'checkpoint_kinds', k))}: "
                                    f"{code}[{i}].checkpoint_kinds[{k}]: checklist {body['key']!r} does not "
                                    f"apply to {kind!r} (it applies to {', '.join(body['applies_to'])})")
        result[code] = json.loads(json.dumps(loaded, ensure_ascii=False))
    return result, _by_line(problems)


def _read(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read(), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{os.path.basename(path)}:1: cannot read: {getattr(exc, 'strerror', None) or exc}"


def load_dir(directory):
    """Every checklist and the schedules of a directory, validated: a Catalog."""
    cat = Catalog()
    if not os.path.isdir(directory):
        cat.problems.append(f"{directory}:1: no such directory")
        return cat
    names = sorted(n for n in os.listdir(directory) if n.endswith((".yaml", ".yml")) and n not in NOT_CHECKLISTS)
    for name in names:
        text, problem = _read(os.path.join(directory, name))
        if problem:
            cat.problems.append(problem)
            continue
        body, problems = parse_checklist(text, name)
        cat.problems += problems
        if body is not None:
            cat.checklists[body["key"]] = body
    sched_path = os.path.join(directory, SCHEDULES_FILE)
    if os.path.exists(sched_path):
        text, problem = _read(sched_path)
        if problem:
            cat.problems.append(problem)
        else:
            # a reference to a checklist that failed to load is that checklist's problem, not this file's
            broken = {os.path.splitext(n)[0] for n in names} - set(cat.checklists)
            schedules, problems = parse_schedules(text, SCHEDULES_FILE, cat.checklists, broken)
            cat.schedules = schedules
            cat.problems += problems
    return cat


def policy_problems(directory):
    """Problems in the directory's policy.yaml (none when it has none)."""
    path = os.path.join(directory, POLICY_FILE)
    if not os.path.exists(path):
        return []
    return [str(p) for p in validate_policy_file(path)]


def validate_dir(directory):
    """Every problem of a checklists directory as "file:line: message"; empty means all is well."""
    return load_dir(directory).problems + policy_problems(directory)


# --- the stored versions -----------------------------------------------------------------------

@dataclass(frozen=True)
class CurrentVersion:
    """The version of a checklist in force now."""

    key: str
    name: str
    name_en: str
    version: int
    version_id: int
    content_hash: str
    body: dict


_bodies = {}  # (version id, content hash) -> body; versions never change once stored


def version_body(version_id, digest, loader):
    """A version's body, parsed once per process (``loader()`` reads it when not cached)."""
    key = (version_id, digest)
    body = _bodies.get(key)
    if body is None:
        if len(_bodies) > 5000:
            _bodies.clear()
        body = _bodies[key] = loader()
    return body


def current_versions():
    """{key: CurrentVersion} of every checklist that has a version, in key order."""
    from api.models import Checklist, ChecklistVersion

    rows = list(ChecklistVersion
                .select(ChecklistVersion.id, ChecklistVersion.version, ChecklistVersion.content_hash,
                        Checklist.key, Checklist.name, Checklist.name_en)
                .join(Checklist, on=((ChecklistVersion.checklist == Checklist.id)
                                     & (ChecklistVersion.version == Checklist.current_version)))
                .order_by(Checklist.key).tuples())
    missing = {r[0]: r[2] for r in rows if (r[0], r[2]) not in _bodies}
    if missing:
        for vid, body in ChecklistVersion.select(ChecklistVersion.id, ChecklistVersion.body).where(
                ChecklistVersion.id.in_(list(missing))).tuples():
            version_body(vid, missing[vid], lambda b=body: b)
    return {key: CurrentVersion(key, name, name_en, version, vid, digest, _bodies[(vid, digest)])
            for vid, version, digest, key, name, name_en in rows}


_FIND_SQL = {}  # (database class, by number?) -> (sql, parameter order): built once, run per request
_KEY_SAMPLE, _NUMBER_SAMPLE = "\x00key", 987654321


def find_version(key, number=None):
    """(version id, version number, content hash) of a checklist's current version, or of version
    ``number``; NotFound when there is no such checklist or version.

    This is the hot path of every phone's checklist fetch: one indexed query whose SQL is built
    by peewee once per process (building it costs far more than running it)."""
    from api.db import db
    from api.models import Checklist, ChecklistVersion

    if number is not None and not 0 < number < 2 ** 31 or len(key) > 64:
        raise NotFound("No such checklist." if number is None else "No such checklist version.")
    cache_key = (type(db.obj), number is not None)
    compiled = _FIND_SQL.get(cache_key)
    if compiled is None:
        on = (ChecklistVersion.checklist == Checklist.id) & (
            ChecklistVersion.version == (Checklist.current_version if number is None else _NUMBER_SAMPLE))
        sql, sample = (ChecklistVersion.select(ChecklistVersion.id, ChecklistVersion.version,
                                               ChecklistVersion.content_hash)
                       .join(Checklist, on=on).where(Checklist.key == _KEY_SAMPLE).sql())
        compiled = _FIND_SQL[cache_key] = (sql, ["number" if p == _NUMBER_SAMPLE else "key" for p in sample])
    sql, order = compiled
    row = db.execute_sql(sql, [number if p == "number" else key for p in order]).fetchone()
    if row is None:
        raise NotFound("No such checklist." if number is None else "No such checklist version.")
    return tuple(row)


def load_body(version_id, digest):
    """The body of one stored version (cached: versions never change)."""
    from api.models import ChecklistVersion

    return version_body(version_id, digest, lambda: ChecklistVersion.select(ChecklistVersion.body).where(
        ChecklistVersion.id == version_id).tuples().first()[0])


def applies(body, checkpoint_keys):
    """Does a checklist apply to a checkpoint? The checkpoint's own list decides, the same list the
    inspection write checks (``applies_to`` names the kinds a checklist is meant for)."""
    return body["key"] in (checkpoint_keys or ())


def checklists_for(checkpoint_keys, versions):
    """The current versions of the checklists a checkpoint lists, in its order."""
    return [versions[k] for k in (checkpoint_keys or ()) if k in versions]


# --- sync: YAML -> immutable versions -----------------------------------------------------------

def sync_checklists(checklists, audit_fn=None):
    """Store a new version of each checklist whose content changed; returns what happened.

    Old versions are never touched: inspections keep the version they were made with. The caller
    owns the transaction."""
    from api.db import is_postgres
    from api.models import Checklist, ChecklistVersion, utcnow

    changes = []
    for key, body in checklists.items():
        digest = content_hash(body)
        Checklist.insert(key=key, name=body["name"], name_en=body["name_en"]).on_conflict(
            action="NOTHING", conflict_target=[Checklist.key]).execute()
        query = Checklist.select().where(Checklist.key == key)
        checklist = (query.for_update() if is_postgres() else query).get()
        current = ChecklistVersion.get_or_none((ChecklistVersion.checklist == checklist)
                                               & (ChecklistVersion.version == checklist.current_version))
        if current is not None and current.content_hash == digest:
            changes.append({"checklist": key, "action": "unchanged", "version": current.version})
            continue
        latest = (ChecklistVersion.select(ChecklistVersion.version).where(ChecklistVersion.checklist == checklist)
                  .order_by(ChecklistVersion.version.desc()).first())
        number = (latest.version if latest else 0) + 1
        ChecklistVersion.create(checklist=checklist, version=number, content_hash=digest, body=body)
        before = {"version": checklist.current_version} if current else None
        Checklist.update(current_version=number, name=body["name"], name_en=body["name_en"],
                         updated_at=utcnow()).where(Checklist.id == checklist.id).execute()
        action = "updated" if current else "created"
        changes.append({"checklist": key, "action": action, "version": number})
        if audit_fn:
            audit_fn(f"checklist.{action}", "checklist", key, None, before,
                     {"version": number, "content_hash": digest})
    return changes


def sync(directory, audit_fn=None):
    """Validate a checklists directory, then store changed checklists and the schedules, in one
    transaction. Refuses (Invalid, nothing stored) while any file has a problem."""
    from api.db import write_tx
    from api.domain.schedules import sync_schedules

    cat = load_dir(directory)
    problems = cat.problems + policy_problems(directory)
    if problems:
        raise Invalid({"checklists": problems}, message="The checklist files are not valid; nothing was stored.")
    with write_tx():
        checklists = sync_checklists(cat.checklists, audit_fn)
        schedules = sync_schedules(cat.schedules, audit_fn)
    return {"checklists": checklists, "schedules": schedules}
