"""Security headers: CSP (self only) with frame-ancestors 'none' and X-Frame-Options DENY on the
phone app, the docs and the API; nosniff and Referrer-Policy everywhere; ``no-store`` on every JSON
answer to a logged-in caller (the owner-revealing one above all); HSTS only over TLS."""
import pytest

from tests.factories import PASSWORD

PAGES = ["/m/", "/m/app.js", "/api/docs", "/api/docs/init.js", "/api/v1/openapi.json", "/api/v1/me", "/nope"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_policy(client, org, path):
    r = client.get(path)
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp and "http" not in csp  # no CDN, no eval
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in r.headers  # plain HTTP


def test_the_docs_page_has_no_inline_script(client):
    body = client.get("/api/docs").get_data(as_text=True)
    assert "<script>" not in body and '<script src="/api/docs/init.js">' in body


def test_authenticated_json_is_never_stored(login, org):
    desk = login("service1")
    r = desk.post("/requests", json={"site_id": org["sites"]["LHY"].id, "kind": "complaint", "channel": "phone",
                                     "owner_name": "张三丰", "owner_phone": "13800135678", "building": "3",
                                     "description": "噪音"})
    rid = r.get_json()["id"]
    assert r.headers["Cache-Control"] == "no-store"
    for path in ("/me", f"/requests/{rid}?reveal=true", "/work-orders", "/deductions"):
        r = desk.get(path)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", path


def test_over_tls_strict_transport_security_is_sent(client, org):
    r = client.get("/api/v1/openapi.json", base_url="https://patrol.example")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_a_trusted_tls_proxy_strict_transport_security_is_sent(app, org, database_url, tmp_path):
    from api.app import create_app

    behind = create_app({"TESTING": True, "DATABASE_URL": database_url, "PATROL_TRUSTED_PROXIES": 1,
                         "PATROL_MEDIA_DIR": str(tmp_path / "m"),
                         "PATROL_CHECKLISTS_DIR": app.config["PATROL_CHECKLISTS_DIR"]}).test_client()
    r = behind.post("/api/v1/auth/login", json={"username": "guard1", "password": PASSWORD},
                    headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"})
    assert r.status_code == 200 and "Strict-Transport-Security" in r.headers
    assert r.headers["Cache-Control"] == "no-store"  # a fresh token
    plain = behind.get("/api/v1/openapi.json")
    assert "Strict-Transport-Security" not in plain.headers
