"""Safe retries for writes without a natural client id: the ``Idempotency-Key`` header.

The first response to a key is stored in the same transaction as the write it made; a retry with
the same key and body gets that response again (nothing is done twice), a retry with the same key
and a different body gets 409.
"""
import functools
import hashlib
import json

from flask import g, jsonify, make_response, request
from peewee import IntegrityError

from api.db import lock_key, write_tx
from api.errors import Conflict
from api.models import IdempotencyRecord


def _body_hash():
    return hashlib.sha256(request.get_data(cache=True) or b"").hexdigest()


def _replay(rec):
    if rec.method != request.method or rec.path != request.path or rec.body_hash != _body_hash():
        raise Conflict("This Idempotency-Key was already used for a different request.")
    resp = make_response(jsonify(rec.response), rec.status_code)
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


def idempotent(view):
    """Wrap a write view: with an Idempotency-Key header, do it once and replay the answer."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return view(*args, **kwargs)
        key = key[:128]
        rec = IdempotencyRecord.get_or_none((IdempotencyRecord.user == g.user) & (IdempotencyRecord.key == key))
        if rec:
            return _replay(rec)
        try:
            with write_tx():
                # two retries racing with one key: the second waits for the first, then replays it
                lock_key(f"idempotency:{g.user.id}:{key}")
                rec = IdempotencyRecord.get_or_none((IdempotencyRecord.user == g.user) & (IdempotencyRecord.key == key))
                if rec:
                    return _replay(rec)
                resp = make_response(view(*args, **kwargs))
                if 200 <= resp.status_code < 300 and resp.is_json:
                    IdempotencyRecord.create(user=g.user, key=key, method=request.method, path=request.path,
                                             body_hash=_body_hash(), status_code=resp.status_code,
                                             response=json.loads(resp.get_data()))
        except IntegrityError:
            rec = IdempotencyRecord.get_or_none((IdempotencyRecord.user == g.user) & (IdempotencyRecord.key == key))
            if rec is None:
                raise
            return _replay(rec)
        return resp

    return wrapper
