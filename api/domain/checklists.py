"""Checklists as data: the YAML in checklists/ loaded and validated with line numbers, and which
``api/domain/checklist_versions.py`` stores as immutable versions and ``api/domain/catalog_sync.py``
syncs (a new version only when the content changed).

Every problem is reported as ``"file:line: message"``. ``validate_dir(d)`` returns them all (the
checklists, schedules.yaml and policy.yaml); ``sync(d)`` refuses
to store anything while there is a problem.
"""
import hashlib
import json
import os
import re
from dataclasses import dataclass, field

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from api.domain.policy import validate_policy_file
from api.models.org import FIELD_ROLES, TRADES
from api.models.inspections import PRIORITIES
from api.domain.vocabulary import CHECKPOINT_KINDS
from api.domain.yamlfile import flatten_errors, line_of, path_text, read_yaml, schema_problems

SCHEDULES_FILE = "schedules.yaml"
POLICY_FILE = "policy.yaml"
NOT_CHECKLISTS = (SCHEDULES_FILE, POLICY_FILE)

_KEY_RE = r"^[a-z][a-z0-9_]{0,63}$"
_SITE_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


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
        problems += schema_problems(name, raw, err.messages)
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
            problems += [f"{name}:{line_of(entries, path)}: {code}{path_text(path)}: {msg}"
                         for path, msg in flatten_errors(err.messages)]
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


def applies(body, checkpoint_keys):
    """Does a checklist apply to a checkpoint? The checkpoint's own list decides, the same list the
    inspection write checks (``applies_to`` names the kinds a checklist is meant for)."""
    return body["key"] in (checkpoint_keys or ())


def checklists_for(checkpoint_keys, versions):
    """The current versions of the checklists a checkpoint lists, in its order."""
    return [versions[k] for k in (checkpoint_keys or ()) if k in versions]
