"""Passwords: at least PATROL_PASSWORD_MIN_LENGTH (8) characters and not one of the common ones
(a list shipped with the code), for `patrol users add` and `set-password`; argon2 stays the hash.
Ranks: nobody gives fault points to someone above them (a supervisor to a manager or the admin)."""
import pytest
from click.testing import CliRunner

from api.cli import cli
from api.domain.passwords import common_passwords, password_problems
from api.models import Deduction, User
from tests.helpers import assert_error_shape


@pytest.mark.parametrize("password,ok", [
    ("1", False), ("1234567", False), ("password", False), ("12345678", False), ("qwertyuiop", False),
    ("woaini1314", False), ("Password1", False), ("aaaaaaaaaaaa", False), ("guard-one", False),
    ("绿荷苑巡逻2026春", True), ("correct horse battery", True), ("T7#qk2!mZp", True),
])
def test_which_passwords_are_refused(password, ok):
    assert (password_problems(password, username="guard-one") == []) is ok


def test_the_list_is_shipped_and_large():
    words = common_passwords()
    assert len(words) >= 10000 and "123456" in words and "5201314" in words
    assert "test-pass-123" not in words


def _add(database_url, username, password, **env):
    return CliRunner().invoke(cli, ["users", "add", username, "--name", "新保安", "--role", "guard", "--site", "LHY"],
                              input=f"{password}\n{password}\n", env={"DATABASE_URL": database_url, **env})


def test_users_add_refuses_a_weak_password_and_creates_nobody(database_url, org):
    for weak in ("1", "12345678", "woaini1314"):
        r = _add(database_url, "guard9", weak)
        assert r.exit_code != 0 and "password refused" in r.output, r.output
    assert User.get_or_none(User.username == "guard9") is None
    r = _add(database_url, "guard9", "夜班巡逻-绿荷苑")
    assert r.exit_code == 0, r.output
    assert User.get(User.username == "guard9").password_hash.startswith("$argon2")


def test_the_minimum_length_is_configuration(database_url, org):
    r = _add(database_url, "guard10", "k9#Lm2!xQ", PATROL_PASSWORD_MIN_LENGTH="12")
    assert r.exit_code != 0 and "At least 12 characters" in r.output


def test_set_password_follows_the_same_policy(database_url, org):
    r = CliRunner().invoke(cli, ["users", "set-password", "guard1"], input="123\n123\n",
                           env={"DATABASE_URL": database_url})
    assert r.exit_code != 0 and "password refused" in r.output


@pytest.mark.parametrize("actor,staff,allowed", [
    ("super1", "manager1", False), ("super1", "admin", False), ("manager1", "admin", False),
    ("super1", "guard1", True), ("super1", "service1", True), ("manager1", "super1", True),
    ("admin", "manager1", True),
])
def test_nobody_penalises_someone_above_them(login, org, actor, staff, allowed):
    r = login(actor).post("/deductions", json={"site_id": org["sites"]["LHY"].id, "staff_id": org["users"][staff].id,
                                               "points": 20, "reason": "脱岗", "problem_key": "post:absent",
                                               "occurred_at": "2026-03-10T09:00:00+08:00"})
    assert r.status_code == (201 if allowed else 403), r.get_json()
    assert Deduction.select().count() == (1 if allowed else 0)


def test_a_fault_from_a_request_cannot_go_above_either(login, org):
    desk = login("service1")
    rid = desk.post("/requests", json={"site_id": org["sites"]["LHY"].id, "kind": "complaint", "channel": "phone",
                                       "owner_phone": "13800135678", "building": "3", "description": "无人接听"}
                    ).get_json()["id"]
    r = login("super1").post(f"/requests/{rid}/faults", json={"staff_id": org["users"]["manager1"].id,
                                                              "fault": "hidden", "points": 20})
    assert_error_shape(r, 403)
    assert Deduction.select().count() == 0


def test_a_second_transfer_to_the_same_department_is_refused_until_the_first_is_cancelled(login, org):
    """The console's duplicate: a second click made a second order the clerk could not cancel."""
    desk, sup = login("service1"), login("super1")
    rid = desk.post("/requests", json={"site_id": org["sites"]["LHY"].id, "kind": "repair", "channel": "phone",
                                       "owner_phone": "13800135678", "building": "3", "description": "漏水"}
                    ).get_json()["id"]
    first = desk.post(f"/requests/{rid}/transitions", json={"action": "transfer", "trade": "engineering"})
    assert first.status_code == 200
    again = desk.post(f"/requests/{rid}/transitions", json={"action": "transfer", "trade": "engineering"})
    assert_error_shape(again, 409)
    assert "#" in again.get_json()["message"]
    other = desk.post(f"/requests/{rid}/transitions", json={"action": "transfer", "trade": "cleaning"})
    assert other.status_code == 200  # another department is another order
    oid = first.get_json()["work_order_id"]
    assert sup.post(f"/work-orders/{oid}/transitions", json={"action": "cancel"}).status_code == 200
    assert desk.post(f"/requests/{rid}/transitions",
                     json={"action": "transfer", "trade": "engineering"}).status_code == 200


def test_the_staff_api_refuses_a_common_initial_password(login, org):
    body = {"employee_no": "E0911", "username": "guard11", "name": "钱十一", "role": "guard", "trade": "security",
            "site_codes": ["LHY"], "supervisor": "super1", "password": "woaini1314"}
    r = login("manager1").post("/users", json=body)
    assert_error_shape(r, 422)
    assert "password" in r.get_json()["errors"]["json"], r.get_json()
    assert User.get_or_none(User.username == "guard11") is None
    assert login("manager1").post("/users", json={**body, "password": "夜班巡逻-绿荷苑"}).status_code == 201
