"""The OpenAPI document, the local docs page and the one error shape."""

from tests.helpers import assert_error_shape


def test_openapi_document_is_served_without_login(anon):
    r = anon.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    assert spec["info"]["title"] == "patrol"
    assert "/api/v1/auth/login" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_page_loads_its_assets_locally_not_from_a_cdn(anon):
    page = anon.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "https://" not in html and "http://" not in html
    assert anon.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200


def test_unknown_route_gets_the_json_error_shape(anon):
    r = anon.get("/api/v1/no-such-thing")
    assert_error_shape(r, 404)
    body = r.get_json()
    assert set(body) >= {"code", "status", "message"} and body["code"] == 404


def test_wrong_method_gets_the_json_error_shape(login):
    guard = login("guard1")
    r = guard.client.delete("/api/v1/me", headers={"Authorization": f"Bearer {guard.token}"})
    assert_error_shape(r, 405)
    assert r.get_json()["code"] == 405


def test_malformed_json_is_a_clear_400_or_422_not_a_500(anon, org):
    r = anon.client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert r.status_code in (400, 422)
    assert r.get_json()["code"] == r.status_code


def test_every_operation_has_a_summary(anon):
    spec = anon.get("/api/v1/openapi.json").get_json()
    missing = [f"{m.upper()} {p}" for p, ops in spec["paths"].items() for m, op in ops.items()
               if m in ("get", "post", "put", "patch", "delete") and not op.get("summary")]
    assert missing == [], "undocumented operations (give the view a one-line docstring)"
