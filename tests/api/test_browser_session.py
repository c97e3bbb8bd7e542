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
    assert cookie.startswith("patrol_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
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


# --- cross-site requests (login CSRF): api/csrf.py --------------------------------------------------

def test_a_login_form_posted_from_another_site_is_refused_and_logs_nobody_in(client, org):
    before = ApiToken.select().count()
    for headers in ({"Origin": "https://evil.example"},
                    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
                    {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": "null"},  # a sandboxed frame or a data: page
                    {"Referer": "https://evil.example/page"}):
        r = client.post("/api/v1/auth/session", headers=headers, data={
            "username": "super1", "password": org["password"], "next": "http://localhost:8501/"})
        assert r.status_code == 403, headers
        assert "Set-Cookie" not in r.headers
        assert r.get_json()["message"] == "A request from another site was refused."
    assert ApiToken.select().count() == before


def test_the_consoles_own_login_form_is_accepted_from_its_port_and_its_configured_host(app, client, org):
    form = {"username": "super1", "password": org["password"], "next": "http://localhost:8501/"}
    same_host = client.post("/api/v1/auth/session", data=form, headers={
        "Origin": "http://localhost:8501", "Sec-Fetch-Site": "same-site"})
    assert same_host.status_code == 303 and "patrol_session=" in same_host.headers["Set-Cookie"]
    app.config["PATROL_CONSOLE_URL"] = "https://console.example.cn"
    configured = client.post("/api/v1/auth/session", data=form, headers={
        "Origin": "https://console.example.cn", "Sec-Fetch-Site": "cross-site"})
    assert configured.status_code == 303


def test_a_sibling_sub_domain_is_not_trusted():
    from api.csrf import cross_site, trusted_hosts

    trusted = trusted_hosts("patrol.example.cn:8000")
    assert cross_site("POST", {"Sec-Fetch-Site": "same-site", "Origin": "https://evil.example.cn"}, trusted)
    assert cross_site("POST", {"Sec-Fetch-Site": "same-site"}, trusted)  # no origin to tell which sibling
    assert not cross_site("POST", {"Sec-Fetch-Site": "same-origin"}, trusted)
    assert not cross_site("POST", {"Origin": "https://patrol.example.cn:8501"}, trusted)
    assert not cross_site("GET", {"Origin": "https://evil.example"}, trusted)  # reads change nothing
    assert not cross_site("POST", {}, trusted)  # no browser: the console's server, scripts


def test_a_bearer_write_from_another_sites_page_is_refused_too(login):
    api = login("super1")
    r = api.put("/drafts/sd_new", json={"values": {"x": "1"}}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert api.put("/drafts/sd_new", json={"values": {"x": "1"}}).status_code == 200
