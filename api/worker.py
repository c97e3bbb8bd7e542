"""The worker: ``patrol worker`` runs the scheduled steps every minute and delivers notifications
every few seconds in between; ``patrol tick`` runs one pass (for cron or a systemd timer).

Several workers (on one machine or several) may run at once: every step is idempotent and
race-safe in the database (see ``api.domain.scheduler``), and delivery claims rows one at a time
(``api.notify.delivery``). SIGTERM/SIGINT finish the current step and exit.
"""
import logging
import signal
import time

from api import clock
from api.db import db

log = logging.getLogger("patrol.worker")


class Worker:
    def __init__(self, interval=60.0, poll=5.0, upload_folder=None):
        self.interval = interval  # the scheduled steps
        self.upload_folder = upload_folder  # unfinished photo uploads, expired by the prune step
        self.poll = poll  # delivery of what was just written (an emergency should not wait a minute)
        self.stopping = False

    def stop(self, *_args):
        self.stopping = True

    def _sleep(self, seconds):
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.2, max(end - time.monotonic(), 0)))

    def run(self, max_ticks=None):
        from api.domain.scheduler import tick
        from api.notify.delivery import deliver_due

        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        ticks = 0
        next_tick = time.monotonic()
        log.info("worker started (steps every %ss, delivery every %ss)", self.interval, self.poll)
        while not self.stopping:
            try:
                db.connect(reuse_if_open=True)
                if time.monotonic() >= next_tick:
                    result = tick(upload_folder=self.upload_folder)
                    ticks += 1
                    next_tick += self.interval
                    if next_tick < time.monotonic():  # a slow pass: do not run several in a row
                        next_tick = time.monotonic() + self.interval
                    log.info("tick %s at %s: %s", ticks, clock.now().isoformat(timespec="seconds"), _brief(result))
                    if max_ticks and ticks >= max_ticks:
                        break
                else:
                    deliver_due()
            except Exception:  # the database restarting: log and carry on
                log.exception("worker pass failed")
                try:
                    db.close()
                except Exception:
                    pass
            self._sleep(min(self.poll, max(next_tick - time.monotonic(), 0)))
        log.info("worker stopped")


def _brief(result):
    parts = []
    for k, v in result.items():
        if v in (0, [], {}, None, (0, 0)) or (isinstance(v, dict) and not any(v.values())):
            continue
        parts.append(f"{k}={v}")
    return ", ".join(parts) or "nothing to do"
