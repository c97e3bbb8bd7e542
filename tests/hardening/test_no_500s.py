"""Inputs that used to answer 500 now answer 4xx (or 507) with the one error shape, for every
operation: a lone surrogate in any JSON string (the unauthenticated login too), an integer of
4,300+ digits anywhere, a cursor signed with the server's own key but holding something that is not
an id, and a full disk while an upload is being stored (507, nothing half-written)."""
import errno
import json

import pytest

from api.models import ALL_MODELS, Photo
from tests.hardening.helpers import (collected_spec, fill_path, jpeg_bytes, json_body_schema, op_id, operations,
                                     query_params, walk_properties)
from tests.helpers import assert_error_shape

SPEC = collected_spec()
OPS = list(operations(SPEC))
WRITES = [(m, p, op) for m, p, op, _pp in OPS if json_body_schema(SPEC, op) is not None]
CURSORED = [(m, p, op, pp) for m, p, op, pp in OPS if m == "GET" and any(q["name"] == "cursor" for q in query_params(op, pp))]
HUGE = "9" * 5000
LONE = "\\ud800"  # as written in JSON text: a high surrogate with no partner


def _ids(rows):
    return [op_id(r[0], r[1]) for r in rows]


def _counts():
    return {m.__name__: m.select().count() for m in ALL_MODELS if m.__name__ not in ("LoginFailure", "AuditLog")}


@pytest.fixture
def admin(shared):
    return shared.login("admin")


def _post_raw(api, method, path, text):
    return api.client.open(fill_path(path, "1"), method=method, data=text.encode("utf-8"),
                           headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"})


def _body_with(schema, string_value, number_value):
    """A JSON text where every string property is ``string_value`` and every number ``number_value``
    (both spliced in raw, so they reach the server exactly as written)."""
    parts = []
    for name, prop in walk_properties(SPEC, schema):
        if "." in name:
            continue
        kind = prop.get("type")
        if kind == "string":
            parts.append(f'"{name}": "{string_value}"')
        elif kind in ("integer", "number"):
            parts.append(f'"{name}": {number_value}')
        elif kind == "array":
            parts.append(f'"{name}": ["{string_value}", {number_value}]')
    return "{" + ", ".join(parts) + "}"


@pytest.mark.parametrize("method, path, op", WRITES, ids=_ids(WRITES))
def test_a_lone_surrogate_in_any_string_is_refused_not_a_500(admin, method, path, op):
    before = _counts()
    r = _post_raw(admin, method, path, _body_with(json_body_schema(SPEC, op), f"abc{LONE}", 1))
    assert r.status_code in (400, 404, 409, 422), (r.status_code, r.get_json())
    assert r.get_json()["code"] == r.status_code
    assert _counts() == before


@pytest.mark.parametrize("method, path, op", WRITES, ids=_ids(WRITES))
def test_an_integer_of_five_thousand_digits_is_refused_not_a_500(admin, method, path, op):
    before = _counts()
    r = _post_raw(admin, method, path, _body_with(json_body_schema(SPEC, op), "x", HUGE))
    assert r.status_code in (400, 401, 404, 409, 422), (r.status_code, r.get_json())  # login: no numbers
    assert _counts() == before


def test_the_unauthenticated_login_refuses_a_lone_surrogate(shared):
    for text in ('{"username": "\\ud800", "password": "x"}', '{"username": "guard1", "password": "\\udfff"}',
                 '{"username": "guard1\\ud83d", "password": "x"}'):
        r = shared.client.post("/api/v1/auth/login", data=text, content_type="application/json")
        assert_error_shape(r, 400)
        assert "surrogate" in r.get_json()["message"].lower()


def test_a_real_emoji_written_as_a_surrogate_pair_is_accepted(shared):
    r = shared.client.post("/api/v1/auth/login", data='{"username": "guard1\\ud83d\\ude00", "password": "x"}',
                           content_type="application/json")
    assert_error_shape(r, 401)


@pytest.mark.parametrize("path", ["/api/v1/work-orders/" + HUGE, "/api/v1/requests/" + HUGE,
                                  "/api/v1/deductions/" + HUGE])
def test_an_id_of_five_thousand_digits_in_the_path_is_a_404(admin, path):
    r = admin.client.get(path, headers={"Authorization": f"Bearer {admin.token}"})
    assert_error_shape(r, 404)


def test_an_integer_of_five_thousand_digits_in_a_query_is_a_422(admin):
    r = admin.client.get("/api/v1/work-orders", query_string={"limit": HUGE, "zone_id": HUGE},
                         headers={"Authorization": f"Bearer {admin.token}"})
    assert_error_shape(r, 422)


def _forged(app, value):
    """A cursor carrying ``value``, signed with the server's own key (as anyone holding the
    built-in development key could)."""
    from api.pagination import encode_cursor

    with app.test_request_context():
        return encode_cursor(value)


FORGED = [{"a": 1}, [1, 2], "x' OR 1=1", 1.5, True, None, 10 ** 30, -(10 ** 30), int(HUGE[:150])]


@pytest.mark.parametrize("method, path, op, pp", CURSORED, ids=_ids(CURSORED))
def test_a_cursor_signed_with_the_key_but_holding_no_id_is_a_400(shared, admin, method, path, op, pp):
    from tests.hardening.helpers import _good_query

    for value in FORGED:
        cursor = _forged(shared.app, value)
        r = admin.client.open(fill_path(path), method=method, headers={"Authorization": f"Bearer {admin.token}"},
                              query_string=dict(_good_query(op, pp, shared.org), cursor=cursor))
        assert_error_shape(r, 400, field="cursor")


class FullDisk:
    """A store whose disk fills up after ``room`` files: writes then fail as the OS says (ENOSPC)."""

    def __init__(self, inner, room):
        self.inner, self.room, self.written = inner, room, []

    def put(self, key, data, **kw):
        if len(self.written) >= self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.inner.put(key, data, **kw)
        self.written.append(key)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.mark.parametrize("room", [0, 1])  # the original, then the thumbnail
def test_a_full_disk_during_an_upload_is_a_507_and_nothing_is_left_half_written(shared, admin, room):
    app = shared.app
    real = app.extensions["patrol_storage"]
    full = app.extensions["patrol_storage"] = FullDisk(real, room)
    try:
        before = _counts()
        data = jpeg_bytes(seed=700 + room)
        r = admin.client.post("/api/v1/photos", headers={"Authorization": f"Bearer {admin.token}"},
                              data={"file": (__import__("io").BytesIO(data), "p.jpg", "image/jpeg")},
                              content_type="multipart/form-data")
        assert r.status_code == 507, (r.status_code, r.get_json())
        assert r.get_json()["code"] == 507 and "disk" in r.get_json()["message"].lower()
        assert _counts() == before and Photo.select().count() == before["Photo"]
        assert [k for k in full.written if real.exists(k)] == []  # the files already written are gone
    finally:
        app.extensions["patrol_storage"] = real


@pytest.mark.parametrize("path,body", [
    ("/api/v1/requests", '{"site_id": %(site)d, "kind": "complaint", "channel": "phone", "owner_phone": "13800135678",'
                         ' "building": "3", "description": "漏水\\udc00"}'),
    ("/api/v1/deductions", '{"site_id": %(site)d, "staff_id": %(staff)d, "points": 2, "problem_key": "k",'
                           ' "reason": "\\ud800脱岗"}'),
])
def test_a_lone_surrogate_in_an_otherwise_valid_write_is_a_400(shared, admin, path, body):
    text = body % {"site": shared.org["sites"]["LHY"].id, "staff": shared.org["users"]["guard1"].id}
    before = _counts()
    r = _post_raw(admin, "POST", path, text)
    assert_error_shape(r, 400)
    assert _counts() == before
