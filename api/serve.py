"""The gunicorn master of ``patrol serve``: ``python -m api.serve HOST PORT WORKERS [CERTFILE KEYFILE]``.

``patrol serve`` checks the settings and migrates the database, then execs this, so the master
imports gunicorn and nothing of the app (each worker loads the app itself after the fork).
"""
import os
import sys


def run(host, port, workers, certfile=None, keyfile=None, threads=None):
    from gunicorn.app.base import BaseApplication

    threads = threads or int(os.environ.get("PATROL_THREADS", "16"))

    class _App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # threaded workers: a phone sending a photo at 400 kbps holds one thread, not a whole
            # worker, and is never killed for being slow (the timeout is the worker's heartbeat,
            # which its main loop keeps while threads read bodies); a sync worker was killed after
            # 60 s and two slow phones stalled every other request (issue #15)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("keepalive", 5)
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 20)
            self.cfg.set("accesslog", os.environ.get("PATROL_ACCESS_LOG") or None)
            if certfile:
                self.cfg.set("certfile", certfile)
                self.cfg.set("keyfile", keyfile)

        def load(self):
            from api.app import create_app

            return create_app()

    _App().run()


if __name__ == "__main__":
    host, port, workers, *tls = sys.argv[1:]
    certfile, keyfile = (tls + ["", ""])[:2]
    sys.argv = sys.argv[:1]  # gunicorn reads no options of its own from here
    run(host, int(port), int(workers), certfile or None, keyfile or None)
