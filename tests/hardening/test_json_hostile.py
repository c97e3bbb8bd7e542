"""Hostile JSON and query strings, for every operation in the OpenAPI document: unknown fields,
oversized strings and lists, times without a time zone, page sizes out of range, tampered cursors,
bodies that are not objects. Each refusal is a 4xx with the one error shape, and nothing changes.

Times: the API refuses a time without a time zone (422 on that field) rather than guessing the
site's zone; the rule is in the API guide (``api/__init__.py``)."""
import base64

import pytest

from api.models import ALL_MODELS
from tests.hardening.helpers import (collected_spec, fill_path, json_body_schema, op_id, operations,
                                     query_params, resolve, walk_properties)

SPEC = collected_spec()
OPS = list(operations(SPEC))
WRITES = [(m, p, op) for m, p, op, _pp in OPS if json_body_schema(SPEC, op) is not None]
LISTS = [(m, p, op, pp) for m, p, op, pp in OPS if m == "GET" and any(q["name"] == "limit" for q in query_params(op, pp))]
CURSORED = [(m, p, op, pp) for m, p, op, pp in OPS if m == "GET" and any(q["name"] == "cursor" for q in query_params(op, pp))]
NAIVE = "2026-03-01T22:00:00"


def _ids(rows):
    return [op_id(r[0], r[1]) for r in rows]


def _counts():
    return {m.__name__: m.select().count() for m in ALL_MODELS if m.__name__ not in ("LoginFailure",)}


@pytest.fixture
def admin(shared):
    return shared.login("admin")


@pytest.fixture
def org(shared):
    return shared.org


@pytest.fixture
def app(shared):
    return shared.app


def _send(api, method, path, **kw):
    return api.client.open(fill_path(path), method=method, headers={"Authorization": f"Bearer {api.token}"}, **kw)


def _good_query(op, path_params, org):
    """Values for the required query parameters, so only the parameter under test is wrong."""
    out = {}
    for q in query_params(op, path_params):
        if not q.get("required"):
            continue
        schema = resolve(SPEC, q.get("schema", {}))
        if "enum" in schema:
            out[q["name"]] = schema["enum"][0]
        elif schema.get("format") == "date":
            out[q["name"]] = "2026-03-01"
        elif schema.get("type") == "integer":
            out[q["name"]] = org["sites"]["LHY"].id if "site" in q["name"] else 1
        elif q["name"] == "month":
            out[q["name"]] = "2026-03"
        else:
            out[q["name"]] = "x"
    return out


@pytest.mark.parametrize("method, path, op", WRITES, ids=_ids(WRITES))
def test_unknown_fields_are_refused_and_nothing_changes(admin, method, path, op):
    before = _counts()
    r = _send(admin, method, path, json={"zz_not_a_field": 1, "site": 2, "created_by_id": 1})
    assert r.status_code == 422, r.get_json()
    errors = r.get_json()["errors"]["json"]
    assert "zz_not_a_field" in errors
    assert _counts() == before


@pytest.mark.parametrize("body", ["[]", "null", '"text"', "7", "[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000,
                                  "{bad json", '{"x": NaN}'],
                         ids=["list", "null", "string", "number", "deep-list", "deep-object", "malformed", "nan"])
@pytest.mark.parametrize("method, path, op", WRITES, ids=_ids(WRITES))
def test_a_body_that_is_not_an_object_is_a_4xx_with_the_error_shape(admin, method, path, op, body):
    before = _counts()
    r = _send(admin, method, path, data=body, content_type="application/json")
    assert r.status_code in (400, 422), (r.status_code, r.get_data()[:200])
    assert r.get_json()["code"] == r.status_code
    assert _counts() == before


def _string_fields(schema):
    return [(name, prop) for name, prop in walk_properties(SPEC, schema)
            if prop.get("type") == "string" and "enum" not in prop and prop.get("format") not in ("date-time", "date")]


def test_every_string_and_list_in_a_write_body_is_bounded():
    unbounded = []
    for method, path, op in WRITES:
        for name, prop in walk_properties(SPEC, json_body_schema(SPEC, op)):
            if prop.get("type") == "string" and "enum" not in prop and not prop.get("format") and "maxLength" not in prop:
                unbounded.append(f"{op_id(method, path)}: {name} (string without maxLength)")
            if prop.get("type") == "array" and "maxItems" not in prop:
                unbounded.append(f"{op_id(method, path)}: {name} (list without maxItems)")
    assert unbounded == []


OVERSIZE = [(m, p, op, name, prop) for m, p, op in WRITES for name, prop in _string_fields(json_body_schema(SPEC, op))
            if "maxLength" in prop and "." not in name]


@pytest.mark.parametrize("method, path, op, name, prop", OVERSIZE,
                         ids=[f"{op_id(m, p)}:{n}" for m, p, _o, n, _pr in OVERSIZE])
def test_a_string_one_longer_than_its_limit_is_refused_on_that_field(admin, method, path, op, name, prop):
    before = _counts()
    r = _send(admin, method, path, json={name: "长" * (prop["maxLength"] + 1)})
    assert r.status_code == 422
    assert name in r.get_json()["errors"]["json"]
    assert _counts() == before


TIMES = [(m, p, op, name) for m, p, op in WRITES for name, prop in walk_properties(SPEC, json_body_schema(SPEC, op))
         if prop.get("format") == "date-time" and "." not in name]
QUERY_TIMES = [(m, p, op, pp, q["name"]) for m, p, op, pp in OPS for q in query_params(op, pp)
               if resolve(SPEC, q.get("schema", {})).get("format") == "date-time"]


@pytest.mark.parametrize("method, path, op, name", TIMES, ids=[f"{op_id(m, p)}:{n}" for m, p, _o, n in TIMES])
def test_a_time_without_a_time_zone_is_refused_in_a_body(admin, method, path, op, name):
    before = _counts()
    r = _send(admin, method, path, json={name: NAIVE})
    assert r.status_code == 422
    assert name in r.get_json()["errors"]["json"]
    assert _counts() == before


@pytest.mark.parametrize("method, path, op, pp, name", QUERY_TIMES,
                         ids=[f"{op_id(m, p)}:{n}" for m, p, _o, _pp, n in QUERY_TIMES])
def test_a_time_without_a_time_zone_is_refused_in_a_query(admin, org, method, path, op, pp, name):
    query = dict(_good_query(op, pp, org), **{name: NAIVE})
    r = _send(admin, method, path, query_string=query)
    assert r.status_code == 422
    assert name in r.get_json()["errors"]["query"]


@pytest.mark.parametrize("limit", ["0", "201", "-1", "many", "1e9"])
@pytest.mark.parametrize("method, path, op, pp", LISTS, ids=_ids(LISTS))
def test_page_size_outside_1_to_200_is_refused(admin, org, method, path, op, pp, limit):
    r = _send(admin, method, path, query_string=dict(_good_query(op, pp, org), limit=limit))
    assert r.status_code == 422
    assert "limit" in r.get_json()["errors"]["query"]


def _tampered_cursors(app):
    from api.pagination import encode_cursor

    with app.test_request_context():
        real = encode_cursor(10)
    data, sig = real.rsplit(".", 1)
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]  # the last character's low bits are padding
    forged = base64.urlsafe_b64encode(b"999999").decode().rstrip("=") + "." + sig  # old signature
    other = ("B" if data[0] != "B" else "C") + data[1:]  # changes the first decoded byte
    return [other + "." + sig, data + "." + flipped, forged,
            "not-a-cursor", "....", "%%%", "e30." + "0" * 16]


@pytest.mark.parametrize("method, path, op, pp", CURSORED, ids=_ids(CURSORED))
def test_a_tampered_cursor_is_a_400_not_a_500(app, admin, org, method, path, op, pp):
    for cursor in _tampered_cursors(app):
        r = _send(admin, method, path, query_string=dict(_good_query(op, pp, org), cursor=cursor))
        assert r.status_code == 400, (cursor, r.status_code)
        assert r.get_json()["errors"]["query"]["cursor"]


def test_the_api_guide_states_the_time_zone_rule():
    import api

    assert "time zone" in api.__doc__ and "422" in api.__doc__.split("**Times.**", 1)[1]


DAYS = [(m, p, op, pp, q["name"]) for m, p, op, pp in OPS for q in query_params(op, pp)
        if resolve(SPEC, q.get("schema", {})).get("format") == "date"]
EDGE_DAYS = ["0001-01-01", "0999-12-31", "9999-12-31"]
EDGE_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]


@pytest.mark.parametrize("method, path, op, pp, name", DAYS, ids=[f"{op_id(m, p)}:{n}" for m, p, _o, _pp, n in DAYS])
def test_days_at_the_ends_of_the_calendar_are_refused_or_answered_never_a_500(admin, org, method, path, op, pp, name):
    for day in EDGE_DAYS:
        r = _send(admin, method, path, query_string=dict(_good_query(op, pp, org), **{name: day}))
        assert r.status_code < 500, (day, r.status_code)
        assert r.status_code in (200, 400, 404, 422), (day, r.status_code)


@pytest.mark.parametrize("method, path, op, name", TIMES, ids=[f"{op_id(m, p)}:{n}" for m, p, _o, n in TIMES])
def test_times_at_the_ends_of_the_calendar_are_refused_with_a_field_error(admin, method, path, op, name):
    before = _counts()
    for value in EDGE_TIMES:
        r = _send(admin, method, path, json={name: value})
        assert r.status_code == 422, (value, r.status_code)
    assert _counts() == before


def _lobby_inspection(guard, started, finished):
    import uuid

    lobby = guard.get("/checklists/lobby").get_json()
    return {"id": str(uuid.uuid4()), "checkpoint_code": "LHY-T1-LOBBY", "checklist_key": "lobby",
            "checklist_version": lobby["version"], "started_at": started.isoformat(),
            "finished_at": finished.isoformat(),
            "results": [{"item_key": i["key"], "status": "pass"} for i in lobby["items"]]}


@pytest.mark.parametrize("ahead_minutes, suspect", [(0, False), (5, False), (60 * 3, True), (60 * 24 * 30, True)])
def test_a_phone_clock_far_in_the_future_is_flagged_and_the_server_time_kept(shared, ahead_minutes, suspect):
    from datetime import datetime, timedelta, timezone

    from api.models import Inspection

    guard = shared.login("guard1")
    finished = datetime.now(timezone(timedelta(hours=8))) + timedelta(minutes=ahead_minutes)
    body = _lobby_inspection(guard, finished - timedelta(minutes=3), finished)
    r = guard.post("/inspections", json=body)
    assert r.status_code == 201, r.get_json()
    stored = Inspection.get_by_id(body["id"])
    assert stored.clock_suspect is suspect
    assert abs((stored.received_at - datetime.utcnow()).total_seconds()) < 120  # the server's clock
    assert stored.finished_at == finished.astimezone(timezone.utc).replace(tzinfo=None)  # the phone's, kept
