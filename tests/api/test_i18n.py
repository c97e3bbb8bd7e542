"""Messages in the caller's language: every message the API writes has a Chinese translation, and
the caller's Accept-Language chooses it (English without one)."""
import pytest

from api import i18n
from api.commands.i18n import messages_in_source, missing, placeholder_mismatches
from tests.helpers import assert_error_shape


def test_every_message_of_the_code_has_a_chinese_translation():
    untranslated = missing("zh")
    assert not untranslated, "run `patrol i18n update` and translate in api/translations/zh_CN:\n" + "\n".join(
        f"{where[0]}: {msgid}" for msgid, where in sorted(untranslated.items()))


def test_translations_use_only_their_message_placeholders():
    assert placeholder_mismatches("zh") == []


def test_messages_are_found_in_errors_validators_and_field_error_dicts():
    src = '''
def f(x, key):
    errors = {}
    errors["a"] = "Write down what happened."
    errors.setdefault("b", []).append(f"{key!r} is answered twice.")
    raise Conflict(f"Cannot {x.action} a work order that is {x.status} (only from: {', '.join(x)}).")
    v = validate.Regexp("x", error="Not a photo id.")
'''
    found = {m for m, _ in messages_in_source(src)}
    assert found == {"Write down what happened.", "{key} is answered twice.", "Not a photo id.",
                     "Cannot {action} a work order that is {status} (only from: {join})."}


@pytest.mark.parametrize("header,lang", [
    (None, "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("zh", "zh"), ("en-US,en;q=0.9", "en"),
    ("en;q=0.5, zh-TW;q=0.8", "zh"), ("fr-FR", "en"), ("", "en")])
def test_the_language_is_the_best_supported_match_of_accept_language(header, lang):
    assert i18n.negotiate(header, "en") == lang


def test_a_message_with_values_is_translated_with_its_values_in_place():
    text = "Cannot finish a work order that is assigned (only from: in_progress)."
    assert i18n.translate(text, "zh") == "当前状态为“assigned”的工单不能执行“finish”（仅限：in_progress）。"
    assert i18n.translate(text, "en") == text
    assert i18n.translate("Something nobody wrote down.", "zh") == "Something nobody wrote down."


def test_wrong_password_is_refused_in_chinese_for_a_chinese_phone(client):
    r = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x" * 10},
                    headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert_error_shape(r, 401)
    assert r.get_json()["message"] == "用户名或密码错误。"
    assert "Accept-Language" in r.headers.get("Vary", "")


def test_field_errors_are_in_chinese_and_keep_their_field_names(client):
    r = client.post("/api/v1/auth/login", json={"username": "x"}, headers={"Accept-Language": "zh-CN"})
    body = r.get_json()
    assert_error_shape(r, 422)
    assert body["message"] == "提交的内容有误，请按提示修改。"
    assert body["errors"]["json"]["password"] == ["此项为必填项。"]


def test_without_accept_language_the_api_answers_in_the_configured_default(app, client):
    r = client.post("/api/v1/auth/login", json={"username": "x"})
    assert r.get_json()["errors"]["json"]["password"] == ["Missing data for required field."]
    app.config["PATROL_DEFAULT_LANGUAGE"] = "zh"
    r = client.post("/api/v1/auth/login", json={"username": "x"})
    assert r.get_json()["errors"]["json"]["password"] == ["此项为必填项。"]


def test_an_unknown_route_says_not_found_in_chinese(client):
    r = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "zh"})
    assert r.status_code in (401, 404)
    assert r.get_json()["message"] in ("未找到", "请先登录：需要有效的登录令牌。")
