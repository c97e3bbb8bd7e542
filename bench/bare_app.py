"""The reference: a bare Flask app under the same gunicorn settings as ``patrol serve``.

``GET /bare/json`` returns a small JSON document; ``POST /bare/write`` parses a JSON body and
writes one row (same database kind and connection settings as the API, through api.db).
Run: ``python bench/bare_app.py --port N --workers 2`` with DATABASE_URL set.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import Flask, jsonify, request  # noqa: E402
from peewee import AutoField, CharField, Model, TextField  # noqa: E402

from api.db import db, init_db, is_sqlite  # noqa: E402


class BareRow(Model):
    id = AutoField()
    key = CharField(max_length=64)
    body = TextField()

    class Meta:
        database = db
        table_name = "bench_bare_row"


def create_bare_app():
    app = Flask(__name__)
    init_db(os.environ["DATABASE_URL"])

    @app.teardown_request
    def _close(exc):
        if not db.is_closed() and not is_sqlite():
            db.close()  # back to the pool, as the API does

    @app.get("/bare/json")
    def bare_json():
        return jsonify({"key": "road_lamps", "version": 1, "items": [{"key": "lamp_lit", "status": "ok"}]})

    @app.post("/bare/write")
    def bare_write():
        data = request.get_json()
        db.connect(reuse_if_open=True)
        with db.atomic():
            BareRow.create(key=str(data.get("id", ""))[:64], body=request.get_data(as_text=True))
        return jsonify({"id": data.get("id")}), 201

    return app


def main():
    from gunicorn.app.base import BaseApplication

    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    # made once here, before the workers fork: two workers creating it at once race on PostgreSQL
    database = init_db(os.environ["DATABASE_URL"])
    with database.connection_context():
        database.create_tables([BareRow], safe=True)
    if hasattr(database, "close_all"):
        database.close_all()

    class _App(BaseApplication):
        def load_config(self):
            # the same settings as api.serve.run
            self.cfg.set("bind", f"127.0.0.1:{a.port}")
            self.cfg.set("workers", a.workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", int(os.environ.get("PATROL_THREADS", "16")))
            self.cfg.set("keepalive", 5)
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 20)
            self.cfg.set("accesslog", None)

        def load(self):
            return create_bare_app()

    _App().run()


if __name__ == "__main__":
    main()
