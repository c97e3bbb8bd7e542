"""``patrol backup --out DIR``, ``patrol restore --from DIR`` and ``patrol media sweep``.

A backup directory holds the database (SQLite: a consistent copy made with sqlite3's online
backup API; PostgreSQL: ``pg_dump -Fc`` taken in an exported snapshot), ``manifest.json`` (every
Photo id with its storage keys, each file's SHA-256 and size) and ``media/<key>`` copies of those
files. The manifest lists exactly the photos of the database copy, read in the same snapshot, so
a restore never has a row without its file. Restore goes into a fresh database and media store
only, then checks every hash and every photo row against the files.
"""
import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone

import click

from api.config import Config
from api.domain.sweep import is_original, list_files, photo_id_of, sha256_hex
from api.storage import make_storage

MANIFEST = "manifest.json"
SQLITE_FILE = "patrol.db"
PG_FILE = "patrol.pgdump"
FORMAT = 1


class BackupError(click.ClickException):
    pass


def _pg_url(url):
    for prefix in ("postgres+pool://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return url


def _is_pg(url):
    return url.startswith(("postgres://", "postgresql://", "postgres+pool://"))


def _sqlite_path(url):
    if not url.startswith("sqlite:///"):
        raise BackupError(f"unsupported database URL for backup: {url.split(':', 1)[0]}")
    return url[len("sqlite:///"):]


def _file_sha256(path):
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- database copy -------------------------------------------------------------------------

def _backup_sqlite(url, out_dir):
    """Online backup (readers and writers keep going); returns the photo ids of the copy."""
    src_path = _sqlite_path(url)
    if not os.path.exists(src_path):
        raise BackupError(f"no database at {src_path}")
    dst_path = os.path.join(out_dir, SQLITE_FILE)
    src = sqlite3.connect(src_path, timeout=30)
    dst = sqlite3.connect(dst_path)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        ids = [r[0] for r in dst.execute("SELECT id FROM photo ORDER BY id")]
    finally:
        dst.close()
        src.close()
    return SQLITE_FILE, ids


def _backup_pg(url, out_dir):
    """pg_dump in a snapshot exported from a REPEATABLE READ transaction that also lists photos."""
    import psycopg2

    url = _pg_url(url)
    dst_path = os.path.join(out_dir, PG_FILE)
    conn = psycopg2.connect(url)
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            cur.execute("SELECT id FROM photo ORDER BY id")
            ids = [r[0] for r in cur.fetchall()]
            proc = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                                   f"--snapshot={snapshot}", "--file", dst_path, "--dbname", url],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                raise BackupError(f"pg_dump failed: {proc.stderr.strip()}")
        conn.rollback()
    finally:
        conn.close()
    return PG_FILE, ids


def _database_is_empty_pg(url):
    import psycopg2

    conn = psycopg2.connect(_pg_url(url))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            return cur.fetchone()[0] == 0
    finally:
        conn.close()


# --- backup --------------------------------------------------------------------------------

def make_backup(cfg, out_dir, echo=lambda *a: None):
    """Write a backup of the database and media of ``cfg`` into ``out_dir`` (new or empty)."""
    if os.path.exists(out_dir) and os.listdir(out_dir):
        raise BackupError(f"{out_dir} is not empty; back up into a new directory")
    os.makedirs(out_dir, exist_ok=True)
    url = cfg.DATABASE_URL
    if _is_pg(url):
        db_file, ids = _backup_pg(url, out_dir)
    else:
        db_file, ids = _backup_sqlite(url, out_dir)
    storage = make_storage(cfg.as_dict())
    wanted = set(ids)
    keys_by_photo = {pid: [] for pid in ids}
    for key, _mtime in list_files(storage):
        pid = photo_id_of(key)
        if pid in wanted and not os.path.basename(key).startswith("."):
            keys_by_photo[pid].append(key)
    photos, problems = [], []
    for pid in ids:
        files = []
        for key in sorted(keys_by_photo[pid]):
            data = storage.get(key)
            digest = sha256_hex(data)
            if is_original(key, pid) and digest != pid:
                problems.append(f"photo {pid}: original {key} does not hash to its id")
            target = os.path.join(out_dir, "media", *key.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(data)
            files.append({"key": key, "sha256": digest, "size": len(data)})
        if not any(is_original(f["key"], pid) for f in files):
            problems.append(f"photo {pid}: original file missing from media store")
        photos.append({"id": pid, "files": files})
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "database": {"kind": "postgresql" if _is_pg(url) else "sqlite", "file": db_file,
                     "sha256": _file_sha256(os.path.join(out_dir, db_file))},
        "photos": photos,
        "problems": problems,
    }
    tmp = os.path.join(out_dir, MANIFEST + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, os.path.join(out_dir, MANIFEST))  # a backup without a manifest is unfinished
    echo(f"backed up {len(photos)} photos ({sum(len(p['files']) for p in photos)} files) and the "
         f"{manifest['database']['kind']} database to {out_dir}")
    return manifest


# --- restore -------------------------------------------------------------------------------

def load_manifest(src_dir):
    path = os.path.join(src_dir, MANIFEST)
    if not os.path.exists(path):
        raise BackupError(f"{src_dir} has no {MANIFEST}: not a finished backup")
    with open(path, encoding="utf-8") as fh:
        manifest = json.load(fh)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def verify_backup(src_dir, manifest):
    """Every file of the backup hashes to what the manifest says; returns problems."""
    problems = []
    db_path = os.path.join(src_dir, manifest["database"]["file"])
    if not os.path.exists(db_path) or _file_sha256(db_path) != manifest["database"]["sha256"]:
        problems.append(f"database copy {manifest['database']['file']} is missing or altered")
    for photo in manifest["photos"]:
        for f in photo["files"]:
            path = os.path.join(src_dir, "media", *f["key"].split("/"))
            if not os.path.exists(path):
                problems.append(f"photo {photo['id']}: {f['key']} missing from the backup")
                continue
            with open(path, "rb") as fh:
                if sha256_hex(fh.read()) != f["sha256"]:
                    problems.append(f"photo {photo['id']}: {f['key']} altered in the backup")
    return problems


def _restore_database(cfg, src_dir, manifest):
    url = cfg.DATABASE_URL
    kind = manifest["database"]["kind"]
    if kind == "postgresql":
        if not _is_pg(url):
            raise BackupError("this backup is of PostgreSQL; point DATABASE_URL at a fresh PostgreSQL database")
        if not _database_is_empty_pg(url):
            raise BackupError("the target database is not empty; restore into a fresh database")
        proc = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                               "--dbname", _pg_url(url), os.path.join(src_dir, manifest["database"]["file"])],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise BackupError(f"pg_restore failed: {proc.stderr.strip()}")
        return
    if _is_pg(url):
        raise BackupError("this backup is of SQLite; point DATABASE_URL at a new SQLite file")
    path = _sqlite_path(url)
    if os.path.exists(path) and os.path.getsize(path) > 0:
        raise BackupError(f"{path} exists; restore into a fresh database file")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    src = sqlite3.connect(os.path.join(src_dir, manifest["database"]["file"]))
    dst = sqlite3.connect(path)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()


def _restored_photo_ids(cfg):
    url = cfg.DATABASE_URL
    if _is_pg(url):
        import psycopg2

        conn = psycopg2.connect(_pg_url(url))
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT id FROM photo ORDER BY id")
                return [r[0] for r in cur.fetchall()]
        finally:
            conn.close()
    conn = sqlite3.connect(_sqlite_path(url))
    try:
        return [r[0] for r in conn.execute("SELECT id FROM photo ORDER BY id")]
    finally:
        conn.close()


def restore_backup(cfg, src_dir, echo=lambda *a: None):
    """Restore a verified backup into the (fresh) database and media store of ``cfg``; then check
    that every restored photo row has its files with the right hashes. Returns the manifest."""
    manifest = load_manifest(src_dir)
    problems = verify_backup(src_dir, manifest)
    if problems:
        raise BackupError("the backup is damaged, nothing restored:\n  " + "\n  ".join(problems))
    storage = make_storage(cfg.as_dict())
    present = [k for k, _m in list_files(storage)]
    if present:
        raise BackupError(f"the media store already holds {len(present)} files; restore into a fresh one")
    _restore_database(cfg, src_dir, manifest)
    for photo in manifest["photos"]:
        for f in photo["files"]:
            with open(os.path.join(src_dir, "media", *f["key"].split("/")), "rb") as fh:
                storage.put(f["key"], fh.read())
    problems = check_restored(cfg, manifest, storage)
    if problems:
        raise BackupError("restored, but the check failed:\n  " + "\n  ".join(problems))
    echo(f"restored {len(manifest['photos'])} photos and the {manifest['database']['kind']} database; "
         "every hash checked")
    return manifest


def check_restored(cfg, manifest, storage):
    problems = []
    ids = _restored_photo_ids(cfg)
    listed = {p["id"]: p for p in manifest["photos"]}
    if sorted(ids) != sorted(listed):
        problems.append(f"database has {len(ids)} photos, manifest {len(listed)}")
    for pid in ids:
        photo = listed.get(pid)
        if photo is None:
            continue
        for f in photo["files"]:
            try:
                data = storage.get(f["key"])
            except (FileNotFoundError, OSError):
                problems.append(f"photo {pid}: {f['key']} not restored")
                continue
            if sha256_hex(data) != f["sha256"]:
                problems.append(f"photo {pid}: {f['key']} restored with the wrong bytes")
            if is_original(f["key"], pid) and sha256_hex(data) != pid:
                problems.append(f"photo {pid}: original does not hash to its id")
    return problems


# --- commands ------------------------------------------------------------------------------

@click.command("backup")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="A new (or empty) directory for the backup.")
def command(out_dir):
    """Back up the database and every photo file, with a manifest of SHA-256 hashes."""
    manifest = make_backup(Config(), out_dir, echo=click.echo)
    if manifest["problems"]:
        for p in manifest["problems"]:
            click.echo(f"problem: {p}", err=True)
        sys.exit(1)


@click.command("restore")
@click.option("--from", "src_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="A directory written by `patrol backup`.")
def restore(src_dir):
    """Restore a backup into a fresh database and media store, checking every hash."""
    restore_backup(Config(), src_dir, echo=click.echo)


@click.group("media")
def media():
    """Photo files in storage."""


@media.command("sweep")
@click.option("--grace-hours", default=24.0, show_default=True, type=float,
              help="Files younger than this are left alone (uploads in flight).")
@click.option("--dry-run", is_flag=True, help="Only report what would be removed.")
def media_sweep(grace_hours, dry_run):
    """Remove files the database does not know; report photo rows whose files are missing."""
    from api.db import db, init_db
    from api.domain.sweep import sweep_media

    cfg = Config()
    init_db(cfg.DATABASE_URL, cfg.PATROL_SQLITE_SYNCHRONOUS)
    db.connect(reuse_if_open=True)
    try:
        plan = sweep_media(make_storage(cfg.as_dict()), grace_seconds=grace_hours * 3600, dry_run=dry_run)
    finally:
        db.close()
    verb = "would remove" if dry_run else "removed"
    for key in plan.delete:
        click.echo(f"{verb} {key}")
    for pid, what in plan.missing.items():
        click.echo(f"missing {what} of photo {pid}", err=True)
    click.echo(f"{verb} {len(plan.delete)} orphan file(s); kept {len(plan.young_orphans)} younger than "
               f"{grace_hours:g} h; {len(plan.missing)} photo(s) with missing files")
    if plan.missing:
        sys.exit(1)


# every command of this module, registered by api.cli
commands = [command, restore, media]
