"""Media sweep: files the database does not know are removed after a grace period; photo rows
whose files are missing are reported (never deleted: a photo row is evidence).

A photo upload writes its files first and its row second, so for a moment a new file has no row;
the grace period keeps the sweep away from uploads in flight. Every stored file's name starts
with the SHA-256 id of the photo it belongs to (``originals/ab/<id>.jpg``, ``thumbs/ab/<id>.jpg``),
which is how a file is tied to its row.
"""
import hashlib
import os
import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

_SHA = re.compile(r"^[0-9a-f]{64}$")
TMP_PREFIX = ".tmp-"


def photo_id_of(key):
    """The photo id a storage key belongs to, or None when the name is not a photo's."""
    stem = posixpath.basename(key).split(".", 1)[0].lower()
    return stem if _SHA.match(stem) else None


def is_original(key, photo_id):
    return key.startswith("originals/") and photo_id_of(key) == photo_id


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


@dataclass
class SweepPlan:
    """What a sweep does, computed from values only (no storage, no database)."""

    delete: list = field(default_factory=list)  # orphan keys old enough to go
    young_orphans: list = field(default_factory=list)  # orphans inside the grace period: kept
    missing: dict = field(default_factory=dict)  # photo id -> what is missing ("original")


def plan_sweep(files, known_ids, grace_seconds, now):
    """``files``: (key, modified_at) pairs in storage; ``known_ids``: photo ids in the database.

    An orphan is a file whose photo id is unknown (or that is not a photo's file at all); it is
    deleted when older than the grace period. A known photo without an original file is missing.
    """
    known = set(known_ids)
    plan = SweepPlan()
    originals = set()
    for key, modified_at in files:
        pid = photo_id_of(key)
        if pid in known:
            if is_original(key, pid):
                originals.add(pid)
            continue
        age = (now - modified_at).total_seconds()
        (plan.delete if age >= grace_seconds else plan.young_orphans).append(key)
    for pid in sorted(known - originals):
        plan.missing[pid] = "original"
    plan.delete.sort()
    plan.young_orphans.sort()
    return plan


# --- the thin part: storage listing and the database --------------------------------------

def _utc_from_timestamp(ts):
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


def list_files(storage):
    """(key, modified_at naive UTC) for every file in the store, with abandoned temp files of
    the local store (a worker killed mid-write leaves ``.tmp-*``) listed under their own path."""
    root = getattr(storage, "root", None)
    if root is not None:  # LocalStorage: walk the directory, temp files included
        out = []
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    mtime = os.path.getmtime(path)
                except FileNotFoundError:
                    continue
                key = os.path.relpath(path, root).replace(os.sep, "/")
                if name == ".gitkeep":
                    continue
                out.append((key, _utc_from_timestamp(mtime)))
        return out
    out = []
    client = storage.client
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=storage.bucket):
        for obj in page.get("Contents", []):
            out.append((obj["Key"], obj["LastModified"].astimezone(timezone.utc).replace(tzinfo=None)))
    return out


def _delete(storage, key):
    root = getattr(storage, "root", None)
    if root is not None and posixpath.basename(key).startswith(TMP_PREFIX):
        try:
            os.unlink(os.path.join(root, key))
        except FileNotFoundError:
            pass
        return
    storage.delete(key)


def known_photo_ids():
    from api.models import Photo

    return [p.id for p in Photo.select(Photo.id)]


def sweep_media(storage, grace_seconds=24 * 3600, dry_run=False, now=None):
    """Remove orphan files older than ``grace_seconds``; report photo rows with missing files.

    The file listing is taken before the database is read, so a file whose row commits in
    between is still seen as known."""
    from api.models import utcnow

    now = now or utcnow()
    files = list_files(storage)
    plan = plan_sweep(files, known_photo_ids(), grace_seconds, now)
    if not dry_run:
        for key in plan.delete:
            _delete(storage, key)
    return plan
