"""The stored checklist versions: immutable ``ChecklistVersion`` rows, the one in force per checklist,
and the phone's hot look-up of a version (SQL built by peewee once per process)."""
from dataclasses import dataclass

from api.compiled import compiled, slot
from api.domain.checklists import content_hash
from api.domain.errors import NotFound


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


def find_version(key, number=None):
    """(version id, version number, content hash) of a checklist's current version, or of version
    ``number``; NotFound when there is no such checklist or version.

    This is the hot path of every phone's checklist fetch: one indexed query whose SQL is built
    by peewee once per process (building it costs far more than running it)."""
    from api.models import Checklist, ChecklistVersion

    if number is not None and not 0 < number < 2 ** 31 or len(key) > 64:
        raise NotFound("No such checklist." if number is None else "No such checklist version.")

    def build():
        on = (ChecklistVersion.checklist == Checklist.id) & (
            ChecklistVersion.version == (Checklist.current_version if number is None else slot("number")))
        return (ChecklistVersion.select(ChecklistVersion.id, ChecklistVersion.version, ChecklistVersion.content_hash)
                .join(Checklist, on=on).where(Checklist.key == slot("key")))

    row = compiled(("find_version", number is not None), build).execute(key=key, number=number).fetchone()
    if row is None:
        raise NotFound("No such checklist." if number is None else "No such checklist version.")
    return tuple(row)


def load_body(version_id, digest):
    """The body of one stored version (cached: versions never change)."""
    from api.models import ChecklistVersion

    return version_body(version_id, digest, lambda: ChecklistVersion.select(ChecklistVersion.body).where(
        ChecklistVersion.id == version_id).tuples().first()[0])


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
