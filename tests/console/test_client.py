"""The console's HTTP client: typed errors from the one error shape, field errors flattened."""
import pytest

from console.client import (ApiUnavailable, AuthError, ForbiddenError, NotFoundError, PatrolClient,
                            ValidationError, flatten_errors)
from tests.live import free_port


@pytest.mark.parametrize("errors, fields", [
    (None, {}),
    ({"json": {"points": ["Must be greater than 0."]}}, {"points": ["Must be greater than 0."]}),
    ({"json": {"results": {"3": {"photo_ids": ["A failed lamp needs a photo."]}}}},
     {"results.3.photo_ids": ["A failed lamp needs a photo."]}),
    ({"query": {"cursor": ["Not a valid cursor."]}}, {"cursor": ["Not a valid cursor."]}),
    ({"json": {"_schema": ["Give findings or a site."]}}, {"_schema": ["Give findings or a site."]}),
    ({"json": {"finding_ids": {"0": ["Not a valid integer."]}}}, {"finding_ids.0": ["Not a valid integer."]}),
])
def test_field_errors_are_flattened_to_dotted_paths(errors, fields):
    assert flatten_errors(errors) == fields


def test_login_keeps_the_token_and_not_the_password(console_api):
    c = PatrolClient(console_api.url)
    body = c.login("manager1", "test-pass-123")
    assert c.token == body["token"] and body["user"]["role"] == "manager"
    assert "test-pass-123" not in repr(vars(c))
    assert c.me()["username"] == "manager1"


def test_wrong_password_is_an_auth_error(console_api):
    with pytest.raises(AuthError) as exc:
        PatrolClient(console_api.url).login("super1", "not-the-password")
    assert exc.value.status == 401 and exc.value.message


def test_expired_or_revoked_token_is_an_auth_error(console_api):
    c = PatrolClient(console_api.url)
    c.login("super2", "test-pass-123")
    token = c.token
    c.logout()
    with pytest.raises(AuthError):
        PatrolClient(console_api.url, token=token).me()


def test_bad_input_is_a_validation_error_with_its_fields(console_api, token_for):
    c = PatrolClient(console_api.url, token=token_for("super1"))
    with pytest.raises(ValidationError) as exc:
        c.create_work_order({"site_id": 1, "title": "x" * 300, "priority": "someday"})
    assert exc.value.status == 422
    assert {"title", "priority"} <= set(exc.value.fields)


def test_another_sites_order_is_not_found(console_api, token_for):
    with pytest.raises(NotFoundError):
        PatrolClient(console_api.url, token=token_for("super3")).work_order(10 ** 9)


def test_field_staff_may_not_create_work_orders(console_api, token_for):
    c = PatrolClient(console_api.url, token=token_for("guard1"))
    with pytest.raises(ForbiddenError) as exc:
        c.create_work_order({"site_id": c.me()["site_ids"][0], "title": "灯不亮", "trade": "engineering",
                             "priority": "normal"})
    assert exc.value.status == 403


def test_an_api_that_is_down_is_unavailable_not_a_crash():
    with pytest.raises(ApiUnavailable) as exc:
        PatrolClient(f"http://127.0.0.1:{free_port()}").sites()
    assert exc.value.status is None and "cannot be reached" in exc.value.message


def test_a_photo_uploads_once_and_the_same_bytes_give_the_same_id(console_api, token_for):
    from tests.console.pages import _jpeg

    c = PatrolClient(console_api.url, token=token_for("service1"))
    site_id = c.me()["site_ids"][0]
    data = _jpeg("owner's photo of the leak", (20, 60, 140))
    first = c.upload_photo(data, "leak.jpg", "image/jpeg", site_id=site_id)
    again = c.upload_photo(data, "leak-again.jpg", "image/jpeg", site_id=site_id)
    assert len(first["id"]) == 64 and again["id"] == first["id"]
    assert c.photo(first["id"], "original") == data  # the original is kept unaltered, as evidence


def test_something_that_is_not_a_photo_is_a_field_error(console_api, token_for):
    c = PatrolClient(console_api.url, token=token_for("service1"))
    with pytest.raises(ValidationError) as exc:
        c.upload_photo(b"%PDF-1.4 not a photo", "invoice.pdf", "application/pdf")
    assert exc.value.status == 422 and "file" in exc.value.fields
