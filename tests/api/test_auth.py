"""Logging in, tokens, throttling and the one error shape."""

from tests.helpers import assert_error_shape


def test_login_returns_token_and_user_with_sites(anon, org):
    r = anon.post("/auth/login", json={"username": "guard1", "password": "test-pass-123"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["token"] and body["user"]["role"] == "guard"
    assert body["user"]["site_ids"] == [org["sites"]["LHY"].id]


def test_wrong_user_and_wrong_password_get_the_same_401(anon, org):
    a = anon.post("/auth/login", json={"username": "guard1", "password": "nope"})
    b = anon.post("/auth/login", json={"username": "nobody", "password": "nope"})
    assert_error_shape(a, 401)
    assert_error_shape(b, 401)
    assert a.get_json() == b.get_json()
    assert a.get_json()["message"] == "Wrong username or password."


def test_repeated_failures_are_throttled(anon, org):
    for _ in range(5):
        assert_error_shape(anon.post("/auth/login", json={"username": "guard1", "password": "x"}), 401)
    r = anon.post("/auth/login", json={"username": "guard1", "password": "test-pass-123"})
    assert_error_shape(r, 429)
    assert "Retry-After" in r.headers


def test_every_call_needs_a_token(anon, org):
    r = anon.get("/me")
    assert_error_shape(r, 401)
    assert r.get_json()["code"] == 401


def test_logout_revokes_the_token(login):
    guard = login("guard1")
    assert guard.get("/me").status_code == 200
    assert guard.post("/auth/logout").status_code == 204
    assert_error_shape(guard.get("/me"), 401)


def test_login_refuses_unknown_fields_field_by_field(anon, org):
    r = anon.post("/auth/login", json={"username": "guard1", "password": "x", "role": "admin"})
    assert_error_shape(r, 422, field="role")


def test_other_sites_are_404(login, org):
    guard = login("guard1")
    other = org["sites"]["HQT"].id
    assert_error_shape(guard.get(f"/sites/{other}"), 404)
    assert guard.get(f"/sites/{org['sites']['LHY'].id}").status_code == 200


def test_disabled_users_tokens_stop_at_once(login, org):
    from api.models import User

    guard = login("guard1")
    User.update(active=False).where(User.username == "guard1").execute()
    assert_error_shape(guard.get("/me"), 401)
