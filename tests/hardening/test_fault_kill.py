"""Nothing acknowledged is lost when the server is killed: phones upload photos and submit
inspections against the real server under gunicorn while it is SIGKILLed (the whole process group,
as a crash or the OOM killer would) and restarted several times. Each phone retries what was not
acknowledged with the same photo bytes and the same inspection ids, as the phone app's outbox does.

Afterwards, in the database and the media store: every acknowledged inspection and photo is there
and intact, nothing is stored twice, no inspection is half-written, and no file is unaccounted for
once the media sweep has run."""
import hashlib
import random
import threading
import time

import pytest

from api.db import db, init_db
from api.domain.sweep import list_files, photo_id_of, sweep_media
from api.models import Finding, Inspection, ItemResult, ItemResultPhoto, Photo
from api.storage import LocalStorage
from bench.load_phones import FIELD_USERS, Gave, Phone, build_day, load_rounds
from tests.live import PASSWORD, LiveServer

pytestmark = pytest.mark.slow

PHONES = 6
INSPECTIONS_PER_PHONE = 5
KILLS = 3


@pytest.fixture
def server(tmp_path):
    server = LiveServer(tmp_path, demo_days=0, workers=2)
    server.build_demo()
    server.start()
    yield server
    server.stop()


def _drive(server, deadline):
    """Run the phones while a killer thread crashes the server KILLS times; returns the phones,
    what each planned, the failures and how many kills landed while work was outstanding."""
    probe = Phone(server.url, "guard1", PASSWORD, deadline)
    probe.login()
    rounds = {"LHY": load_rounds(probe, "LHY")}
    probe = Phone(server.url, "guard2", PASSWORD, deadline)
    probe.login()
    rounds["HQT"] = load_rounds(probe, "HQT")
    plans = []
    for n in range(PHONES):
        site = "HQT" if n % 3 == 2 else "LHY"
        user = FIELD_USERS[site][n % len(FIELD_USERS[site])]
        plans.append((user, build_day(rounds[site], INSPECTIONS_PER_PHONE, seed=1000 + n, fail_rate=0.15,
                                      photo_size=(320, 240))))
    phones = [Phone(server.url, user, PASSWORD, deadline, timeout=10) for user, _o in plans]
    failures, busy = [], threading.Event()
    busy.set()

    def run(i):
        try:
            phones[i].login()
            phones[i].sync(plans[i][1])
        except Gave as exc:
            failures.append(str(exc))

    kills_mid_load = []

    total = sum(len(outbox) for _u, outbox in plans)

    def acked():
        return sum(len(p.acked_inspections) for p in phones)

    def killer():
        # kill at fixed shares of the work acknowledged (not at fixed times), so every kill
        # lands mid-load however fast this machine or database is today
        rnd = random.Random(7)
        for k in range(KILLS):
            target = total * (k + 1) / (KILLS + 1) + rnd.randint(0, 3)
            while busy.is_set() and acked() < target:
                time.sleep(0.02)
            if not busy.is_set():
                return
            server.kill(9)
            kills_mid_load.append(time.monotonic())
            time.sleep(0.2)
            server.start()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PHONES)]
    crash = threading.Thread(target=killer)
    for t in threads:
        t.start()
    crash.start()
    for t in threads:
        t.join()
    busy.clear()
    crash.join()
    return phones, plans, failures, len(kills_mid_load)


def _photo_ids(url):
    init_db(url)
    db.connect(reuse_if_open=True)
    try:
        return {p.id for p in Photo.select(Photo.id)}
    finally:
        db.close()


def test_kill_9_mid_load_loses_nothing_acknowledged_and_stores_nothing_twice(server):
    demo_photos = _photo_ids(server.env["DATABASE_URL"])
    deadline = time.monotonic() + 80
    phones, plans, failures, kills = _drive(server, deadline)
    server.stop()

    assert failures == []
    assert kills >= 2, "the server must have been killed while phones still had work"
    assert sum(p.server_errors for p in phones) == 0
    assert sum(p.retries for p in phones) > 0  # the kills were felt
    acked = {iid: body for p in phones for iid, body in p.acked_inspections.items()}
    acked_photos = {pid for p in phones for pid in p.acked_photos}
    planned = {body["id"] for _u, outbox in plans for _ph, body in outbox}
    assert set(acked) == planned

    init_db(server.env["DATABASE_URL"])
    db.connect(reuse_if_open=True)
    try:
        # every acknowledged inspection is there, complete, and only once
        assert Inspection.select().count() == len(planned)
        for iid, body in acked.items():
            stored = Inspection.get_by_id(iid)
            results = {r.item_key: r for r in ItemResult.select().where(ItemResult.inspection == iid)}
            assert set(results) == {r["item_key"] for r in body["results"]}
            assert stored.item_count == len(results)
            failed = [r for r in body["results"] if r["status"] == "fail"]
            assert stored.failed_count == len(failed)
            for r in failed:
                linked = {x.photo_id for x in ItemResultPhoto.select().where(
                    ItemResultPhoto.result == results[r["item_key"]].id)}
                assert linked == set(r["photo_ids"])
            assert Finding.select().where(Finding.inspection == iid).count() == len(failed)

        # nothing half-written
        assert ItemResult.select().join(Inspection, on=(ItemResult.inspection == Inspection.id)).count() \
            == ItemResult.select().count()
        assert Finding.select().where(Finding.inspection.is_null(False) & Finding.item_result.is_null()).count() == 0

        # every acknowledged photo is there once, its original hashing to its id
        storage = LocalStorage(server.env["PATROL_MEDIA_DIR"])
        assert {p.id for p in Photo.select()} == demo_photos | acked_photos
        for pid in acked_photos:
            keys = [k for k, _m in list_files(storage) if photo_id_of(k) == pid and not k.split("/")[-1].startswith(".")]
            folders = sorted(k.split("/")[0] for k in keys)
            # the 1280 px preview is made on its first view, not by the upload (issue #15)
            assert folders == ["originals", "thumbs"], (pid, keys)
            original = next(k for k in keys if k.startswith("originals/"))
            assert hashlib.sha256(storage.get(original)).hexdigest() == pid

        # files a killed upload left behind belong to no row; the sweep removes them all
        plan = sweep_media(storage, grace_seconds=0)
        assert plan.missing == {}
        leftover = [k for k, _m in list_files(storage) if photo_id_of(k) not in demo_photos | acked_photos]
        assert leftover == []
    finally:
        db.close()
