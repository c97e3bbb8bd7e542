"""Backups restore into a fresh database and media store with every hash checked; the media sweep
removes only old orphans and reports photo rows whose files are missing."""
import json
import os
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from api.cli import cli
from api.domain.sweep import photo_id_of, plan_sweep
from api.models import ALL_MODELS, Photo, utcnow
from tests.hardening.helpers import gen_stored_photo, jpeg_bytes, photo_keys


def _run(args, database_url, media_dir):
    env = {"DATABASE_URL": database_url, "PATROL_MEDIA_DIR": str(media_dir)}
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def _counts():
    return {m.__name__: m.select().count() for m in ALL_MODELS}


def _counts_in(url):
    from api.db import db, init_db

    saved = db.obj
    init_db(url)
    try:
        db.connect(reuse_if_open=True)
        return _counts()
    finally:
        db.close()
        if hasattr(db.obj, "close_all"):
            db.obj.close_all()
        db.initialize(saved)


@pytest.fixture
def photos(app, org, storage):
    guard = org["users"]["guard1"]
    return [gen_stored_photo(storage, guard, seed=i) for i in range(3)]


def test_backup_then_restore_gives_the_same_rows_and_identical_photo_files(
        app, org, photos, database_url, fresh_database_url, tmp_path):
    out = tmp_path / "backup"
    r = _run(["backup", "--out", str(out)], database_url, app.config["PATROL_MEDIA_DIR"])
    assert r.exit_code == 0, r.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(p["id"] for p in manifest["photos"]) == sorted(p.id for p in photos)
    assert all(len(p["files"]) == 3 for p in manifest["photos"])
    before = _counts()

    restored_media = tmp_path / "restored-media"
    r = _run(["restore", "--from", str(out)], fresh_database_url, restored_media)
    assert r.exit_code == 0, r.output
    assert "every hash checked" in r.output
    assert _counts_in(fresh_database_url) == before
    for p in photos:
        original = restored_media / photo_keys(p.id)["original"]
        import hashlib

        assert hashlib.sha256(original.read_bytes()).hexdigest() == p.id


def test_restore_refuses_a_backup_with_an_altered_photo_and_restores_nothing(
        app, org, photos, database_url, fresh_database_url, tmp_path):
    out = tmp_path / "backup"
    assert _run(["backup", "--out", str(out)], database_url, app.config["PATROL_MEDIA_DIR"]).exit_code == 0
    victim = out / "media" / photo_keys(photos[0].id)["original"]
    victim.write_bytes(victim.read_bytes()[:-10] + b"tampered!!")

    restored_media = tmp_path / "restored-media"
    r = CliRunner().invoke(cli, ["restore", "--from", str(out)],
                           env={"DATABASE_URL": fresh_database_url, "PATROL_MEDIA_DIR": str(restored_media)})
    assert r.exit_code != 0
    assert "altered" in r.output
    assert not restored_media.exists() or not any(restored_media.rglob("*.jpg"))
    if fresh_database_url.startswith("sqlite:///"):
        assert not os.path.exists(fresh_database_url[len("sqlite:///"):])


def test_restore_refuses_a_database_that_is_not_fresh(app, org, photos, database_url, tmp_path):
    out = tmp_path / "backup"
    assert _run(["backup", "--out", str(out)], database_url, app.config["PATROL_MEDIA_DIR"]).exit_code == 0
    before = _counts()
    r = CliRunner().invoke(cli, ["restore", "--from", str(out)],
                           env={"DATABASE_URL": database_url, "PATROL_MEDIA_DIR": str(tmp_path / "m2")})
    assert r.exit_code != 0
    assert "fresh" in r.output
    assert _counts() == before


def test_backup_refuses_a_directory_that_already_holds_something(app, org, database_url, tmp_path):
    out = tmp_path / "backup"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    r = CliRunner().invoke(cli, ["backup", "--out", str(out)],
                           env={"DATABASE_URL": database_url, "PATROL_MEDIA_DIR": app.config["PATROL_MEDIA_DIR"]})
    assert r.exit_code != 0
    assert sorted(os.listdir(out)) == ["keep.txt"]


# --- media sweep ---------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, 0)
KNOWN = "a" * 64
ORPHAN = "b" * 64

SWEEP_CASES = [
    # files (key, age in hours), known ids, grace hours -> (deleted, kept young, missing)
    ([(f"originals/aa/{KNOWN}.jpg", 100)], [KNOWN], 24, ([], [], [])),
    ([(f"originals/bb/{ORPHAN}.jpg", 25)], [KNOWN], 24, ([f"originals/bb/{ORPHAN}.jpg"], [], [KNOWN])),
    ([(f"originals/bb/{ORPHAN}.jpg", 1)], [], 24, ([], [f"originals/bb/{ORPHAN}.jpg"], [])),
    ([(f"originals/aa/{KNOWN}.jpg", 1), (f"thumbs/bb/{ORPHAN}.jpg", 48)], [KNOWN], 24,
     ([f"thumbs/bb/{ORPHAN}.jpg"], [], [])),
    ([(f"thumbs/aa/{KNOWN}.jpg", 1)], [KNOWN], 24, ([], [], [KNOWN])),  # thumb alone: original missing
    ([("originals/aa/.tmp-x1y2", 30), ("notes.txt", 30)], [], 24, (["notes.txt", "originals/aa/.tmp-x1y2"], [], [])),
]


@pytest.mark.parametrize("files, known, grace, expected", SWEEP_CASES)
def test_sweep_plan(files, known, grace, expected):
    plan = plan_sweep([(k, NOW - timedelta(hours=h)) for k, h in files], known, grace * 3600, NOW)
    assert (plan.delete, plan.young_orphans, sorted(plan.missing)) == expected


def test_photo_id_is_read_from_the_file_name():
    assert photo_id_of(f"previews/ab/{KNOWN}.jpg") == KNOWN
    assert photo_id_of("previews/ab/not-a-photo.jpg") is None


def test_sweep_removes_old_orphans_keeps_young_ones_and_reports_missing_originals(
        app, org, photos, storage, database_url):
    old_orphan = jpeg_bytes(seed=99)
    import hashlib

    oid = hashlib.sha256(old_orphan).hexdigest()
    storage.put(photo_keys(oid)["original"], old_orphan)
    old = (utcnow() - timedelta(days=3)).timestamp()
    path = os.path.join(storage.root, photo_keys(oid)["original"])
    os.utime(path, (old, old))
    young = jpeg_bytes(seed=98)
    yid = hashlib.sha256(young).hexdigest()
    storage.put(photo_keys(yid)["original"], young)
    # a photo row whose original vanished (disk trouble): reported, never deleted
    storage.delete(photo_keys(photos[2].id)["original"])

    r = _run(["media", "sweep", "--grace-hours", "24"], database_url, storage.root)
    assert r.exit_code == 1  # missing files make the sweep fail loudly
    assert f"removed {photo_keys(oid)['original']}" in r.output
    assert f"missing original of photo {photos[2].id}" in r.output
    assert not os.path.exists(path)
    assert storage.exists(photo_keys(yid)["original"])
    assert all(storage.exists(photo_keys(p.id)["original"]) for p in photos[:2])
    assert Photo.select().count() == 3


def test_sweep_dry_run_changes_nothing(app, org, photos, storage, database_url):
    orphan = jpeg_bytes(seed=97)
    import hashlib

    key = photo_keys(hashlib.sha256(orphan).hexdigest())["original"]
    storage.put(key, orphan)
    r = _run(["media", "sweep", "--grace-hours", "0", "--dry-run"], database_url, storage.root)
    assert r.exit_code == 0, r.output
    assert f"would remove {key}" in r.output
    assert storage.exists(key)
