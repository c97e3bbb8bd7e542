"""assert_error_shape: the one check of the API's error body, and of its language."""
import pytest

from tests.factories import notice
from tests.helpers import assert_error_shape


def test_the_error_body_its_field_and_its_language(login, org):
    body = assert_error_shape(notice(login("guard1"), org), 403)  # guards do not issue fault notices
    assert body["code"] == 403
    sup = login("super1")
    r = sup.post("/deductions", json={"points": "many"}, headers={"Accept-Language": "zh-CN"})
    assert_error_shape(r, 422, field="points")
    with pytest.raises(AssertionError):
        assert_error_shape(r, 422, field="no_such_field")
    with pytest.raises(AssertionError):
        assert_error_shape(r, 409)
    english = sup.post("/deductions", json={"points": "many"}, headers={"Accept-Language": "en"})
    assert_error_shape(english, 422, field="points")
    english.request.headers = {"Accept-Language": "zh-CN"}  # an English message where Chinese was asked for
    with pytest.raises(AssertionError, match="not in Chinese"):
        assert_error_shape(english, 422)
