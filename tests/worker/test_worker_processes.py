"""Real worker processes (``patrol worker``) against one database and a fake robot: two at once
deliver each alert once; one killed with SIGKILL in the middle of a delivery loses nothing and
repeats at most the one message it had in flight (the stated bound). Run on PostgreSQL with
DATABASE_URL set (SKIP LOCKED claims); on SQLite BEGIN IMMEDIATE serialises the claims."""
import os
import signal
import subprocess
import sys
import time
from collections import Counter

from api.db import db, write_tx
from api.models import Notification
from api.notify import notify
from tests.conftest import CHECKLISTS_DIR
from tests.factories import add_channel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start_worker(url, lease=3):
    env = dict(os.environ, DATABASE_URL=url, PATROL_NOTIFY_LEASE_SECONDS=str(lease), PATROL_NOTIFY_TIMEOUT="30",
               PATROL_CHECKLISTS_DIR=CHECKLISTS_DIR)
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--interval", "2", "--poll", "0.2"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def alerts(site, n, start=1):
    with write_tx():
        for i in range(start, start + n):
            notify("emergency_finding", site=site, key=f"drill:{i}",
                   params={"id": i, "title": f"演练 {i}", "site": site.name, "place": "", "by": "guard1"})


def wait_until(cond, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.2)
    return False


def all_sent():
    db.connect(reuse_if_open=True)
    return not Notification.select().where(Notification.status != "sent").exists()


def drills(texts):
    return [t.split("：")[1].split("（")[0] for t in texts]


def test_two_workers_deliver_each_alert_once(database_url, org, robot):
    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url, events=["emergency_finding"])
    alerts(lhy, 40)
    workers = [start_worker(database_url), start_worker(database_url)]
    try:
        assert wait_until(all_sent), [w.poll() for w in workers]
    finally:
        for w in workers:
            stop(w)
    got = drills(robot.texts())
    assert sorted(got) == sorted(f"演练 {i}" for i in range(1, 41))
    assert Counter(got).most_common(1)[0][1] == 1  # nothing twice
    assert got == [f"演练 {i}" for i in range(1, 41)]  # and in order: one channel, one message at a time


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_at_most_one(database_url, org, robot):
    lhy = org["sites"]["LHY"]
    add_channel(lhy, robot.url, events=["emergency_finding"])
    alerts(lhy, 5)
    robot.mode = "hang"
    first = start_worker(database_url)
    try:
        assert robot.hanging.wait(60), "the worker never reached the robot"
        first.send_signal(signal.SIGKILL)  # in the middle of the HTTP request
        first.wait(timeout=10)
    finally:
        stop(first)
    robot.mode = "ok"
    robot.release()  # the hung request completes towards a dead client
    db.connect(reuse_if_open=True)
    assert Notification.select().where(Notification.status == "sending").count() == 1  # the one in flight
    second = start_worker(database_url)
    try:
        assert wait_until(all_sent)
    finally:
        stop(second)
    received = Counter(drills(robot.texts(answered=None)))
    assert set(received) == {f"演练 {i}" for i in range(1, 6)}  # nothing lost
    assert sum(received.values()) - len(received) <= 1  # the bound: one repeat per crashed worker
    assert received["演练 1"] == 2  # the message the dead worker had sent but not recorded
