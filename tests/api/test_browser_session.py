"""A browser's login for the console: the token lives in an HttpOnly cookie, never in a URL, and the
browser goes back only to a page of this host."""
from api.models import ApiToken
from tests.helpers import assert_error_shape


def _post(client, **form):
    return client.post("/api/v1/auth/session", data=form)


def test_a_right_password_sets_an_httponly_cookie_and_goes_back_to_the_console(client, org):
    r = _post(client, username="super1", password=org["password"], next="http://localhost:8501/work_orders?wo_trade=cleaning")
    assert r.status_code == 303
    assert r.headers["Location"] == "http://localhost:8501/work_orders?wo_trade=cleaning"
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("patrol_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert token not in r.headers["Location"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["username"] == "super1"


def test_a_wrong_password_goes_back_with_login_failed_and_no_cookie(client, org):
    before = ApiToken.select().count()
    r = _post(client, username="super1", password="wrong-password", next="http://localhost:8501/?login=x")
    assert r.status_code == 303 and r.headers["Location"] == "http://localhost:8501/?login=failed"
    assert "Set-Cookie" not in r.headers and ApiToken.select().count() == before


def test_the_login_form_cannot_send_people_to_another_host(client, org):
    r = _post(client, username="super1", password=org["password"], next="https://evil.example/phish")
    assert r.status_code == 303 and r.headers["Location"] in ("/", "http://localhost/")


def test_logging_out_ends_the_cookies_session_on_the_server(client, org):
    r = _post(client, username="super1", password=org["password"], next="http://localhost/")
    token = r.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/auth/logout", headers=auth).status_code == 204
    assert_error_shape(client.get("/api/v1/me", headers=auth), 401)
