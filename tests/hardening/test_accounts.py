"""Accounts: argon2 password hashes, random tokens stored only as hashes, expiry, revocation,
login throttling per account and per address, disabled accounts, and an audit log no API can edit."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from api.cli import cli
from api.models import ALL_MODELS, ApiToken, AuditLog, User, utcnow
from tests.factories import PASSWORD
from tests.hardening.helpers import api_routes


def _login(client, username, password=PASSWORD, addr="10.0.0.1"):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def _me(client, token):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def _everything_stored():
    """Every value of every row of every table, as text."""
    out = []
    for model in ALL_MODELS:
        for row in model.select().dicts():
            out.extend(str(v) for v in row.values())
    return "\n".join(out)


def test_passwords_are_stored_as_argon2id_hashes(org):
    for user in User.select():
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_tokens_are_random_and_only_their_hash_is_stored(client, org):
    a = _login(client, "guard1").get_json()["token"]
    b = _login(client, "guard1").get_json()["token"]
    assert a != b and len(a) >= 40
    stored = _everything_stored()
    assert a not in stored and b not in stored
    assert PASSWORD not in stored
    assert ApiToken.select().where(ApiToken.user == org["users"]["guard1"]).count() == 2


def test_an_expired_token_is_refused(client, org):
    token = _login(client, "guard1").get_json()["token"]
    assert _me(client, token).status_code == 200
    ApiToken.update(expires_at=utcnow() - timedelta(seconds=1)).execute()
    r = _me(client, token)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_a_token_records_its_last_use_at_most_once_a_minute(client, org, time_machine):
    start = datetime(2026, 3, 2, 1, 0, 0)  # naive UTC, as stored
    time_machine.move_to(start.replace(tzinfo=timezone.utc), tick=False)
    token = _login(client, "guard1").get_json()["token"]
    row = ApiToken.select().order_by(ApiToken.id.desc()).first()
    assert row.last_used_at is None

    def last_used():
        return ApiToken.get_by_id(row.id).last_used_at

    assert _me(client, token).status_code == 200
    assert last_used() == start
    time_machine.move_to((start + timedelta(seconds=59)).replace(tzinfo=timezone.utc), tick=False)
    assert _me(client, token).status_code == 200
    assert last_used() == start  # within the minute: nothing written
    time_machine.move_to((start + timedelta(seconds=61)).replace(tzinfo=timezone.utc), tick=False)
    assert _me(client, token).status_code == 200
    assert last_used() == start + timedelta(seconds=61)


def test_requests_at_once_with_a_fresh_token_stamp_its_last_use_once(client, org, app, monkeypatch):
    import api.auth

    token = _login(client, "guard1").get_json()["token"]
    written, mark = [], api.auth._mark_used
    monkeypatch.setattr(api.auth, "_mark_used", lambda *a: written.append(mark(*a)) or written[-1])
    barrier = threading.Barrier(8)

    def one(_):
        c = app.test_client()
        barrier.wait(timeout=30)
        return _me(c, token).status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(one, range(8))) == [200] * 8
    assert sum(written) == 1  # those that read no stamp all tried; the UPDATE's own condition let one write
    assert ApiToken.select().where(ApiToken.last_used_at.is_null(False)).count() == 1


def test_tokens_expire_after_the_configured_lifetime(client, org, app):
    token = _login(client, "guard1").get_json()["token"]
    row = ApiToken.select().order_by(ApiToken.id.desc()).first()
    lifetime = row.expires_at - row.created_at
    assert abs(lifetime - timedelta(hours=app.config["PATROL_TOKEN_TTL_HOURS"])) < timedelta(minutes=1)
    assert _me(client, token).status_code == 200


def test_logout_revokes_only_that_token(client, org):
    phone = _login(client, "guard1").get_json()["token"]
    tablet = _login(client, "guard1").get_json()["token"]
    r = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {phone}"})
    assert r.status_code == 204
    assert _me(client, phone).status_code == 401
    assert _me(client, tablet).status_code == 200


def test_patrol_users_revoke_ends_every_session_of_a_lost_phone(client, org, database_url):
    tokens = [_login(client, "guard1").get_json()["token"] for _ in range(2)]
    other = _login(client, "guard3").get_json()["token"]
    r = CliRunner().invoke(cli, ["users", "revoke", "guard1"], env={"DATABASE_URL": database_url})
    assert r.exit_code == 0, r.output
    assert "revoked 2 token(s)" in r.output
    assert [_me(client, t).status_code for t in tokens] == [401, 401]
    assert _me(client, other).status_code == 200


def test_disabled_user_is_refused_at_once_and_cannot_log_in_again(client, org, database_url):
    token = _login(client, "guard1").get_json()["token"]
    r = CliRunner().invoke(cli, ["users", "disable", "guard1"], env={"DATABASE_URL": database_url})
    assert r.exit_code == 0, r.output
    assert _me(client, token).status_code == 401
    tokens_before = ApiToken.select().count()
    again = _login(client, "guard1")
    assert again.status_code == 401
    assert again.get_json()["message"] == "Wrong username or password."  # no hint the account exists
    assert ApiToken.select().count() == tokens_before


def test_login_is_throttled_per_account_from_any_address(client, org):
    """A much higher ceiling than one address's: strangers' few guesses do not lock the owner out."""
    for i in range(5):
        assert _login(client, "guard1", "wrong", addr=f"10.0.1.{i}").status_code == 401
    assert _login(client, "guard1", addr="10.0.9.8").status_code == 200
    client.application.config["PATROL_LOGIN_MAX_PER_ACCOUNT"] = 8
    for i in range(3):  # eight failures in the window from all addresses: the (lowered) ceiling
        assert _login(client, "guard1", "wrong", addr=f"10.0.2.{i}").status_code == 401
    tokens_before = ApiToken.select().count()
    r = _login(client, "guard1", addr="10.0.9.9")
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    assert ApiToken.select().count() == tokens_before
    assert _login(client, "guard3", addr="10.0.9.9").status_code == 200  # other accounts unaffected


def test_login_is_throttled_per_address_across_accounts(client, org):
    # guessing many accounts from one address: a few failures each, none reaching the account limit
    for i in range(20):
        assert _login(client, f"nobody{i % 7}", "wrong", addr="10.0.2.2").status_code == 401
    tokens_before = ApiToken.select().count()
    r = _login(client, "guard3", addr="10.0.2.2")
    assert r.status_code == 429
    assert ApiToken.select().count() == tokens_before
    assert _login(client, "guard3", addr="10.0.2.3").status_code == 200  # other addresses unaffected


def test_a_successful_login_is_audited_with_who_role_and_when(client, org):
    before = utcnow() - timedelta(seconds=1)
    assert _login(client, "super1", addr="10.0.3.3").status_code == 200
    row = AuditLog.select().where(AuditLog.action == "login").order_by(AuditLog.id.desc()).first()
    assert row.user_id == org["users"]["super1"].id
    assert row.role == "supervisor"
    assert row.at >= before
    assert row.object_type == "user" and row.object_id == str(org["users"]["super1"].id)
    assert row.ip == "10.0.3.3"


# --- the audit log is append-only through the API --------------------------------------------

def test_no_route_writes_to_the_audit_log(app):
    audit_writes = [(m, r) for m, r in api_routes(app) if r.startswith("/api/v1/audit") and m != "GET"]
    assert audit_writes == []


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("who", ["admin", "manager1"])
def test_audit_entries_cannot_be_changed_or_deleted_through_the_api(client, org, method, who):
    token = _login(client, who).get_json()["token"]
    row = AuditLog.select().order_by(AuditLog.id.desc()).first()
    before = list(AuditLog.select().order_by(AuditLog.id).dicts())
    for path in (f"/api/v1/audit/{row.id}", "/api/v1/audit", f"/api/v1/audit-log/{row.id}"):
        r = client.open(path, method=method, json={"action": "nothing happened", "user_id": None},
                        headers={"Authorization": f"Bearer {token}"})
        assert r.status_code in (404, 405), (method, path, r.status_code)
        assert r.get_json()["code"] == r.status_code
    assert list(AuditLog.select().order_by(AuditLog.id).dicts()) == before


def test_deductions_and_the_ledger_are_audited_with_before_and_after(login, org):
    from datetime import datetime, timedelta, timezone

    boss, manager, guard = login("super1"), login("manager1"), login("guard1")
    site = org["sites"]["LHY"].id
    last_month = datetime.now(timezone(timedelta(hours=8))).replace(day=1) - timedelta(days=2)
    d = boss.post("/deductions", json={"site_id": site, "staff_id": org["users"]["guard1"].id, "points": 2,
                                       "reason": "岗位脱岗", "problem_key": "post.absent",
                                       "occurred_at": last_month.isoformat()}).get_json()
    created = AuditLog.get((AuditLog.action == "deduction.create") & (AuditLog.object_id == str(d["id"])))
    assert created.user_id == org["users"]["super1"].id and created.role == "supervisor"
    assert created.after["points"] == 2 and created.before is None
    assert guard.post(f"/deductions/{d['id']}/appeal", json={"reason": "当时在巡逻"}).status_code == 201
    assert manager.post(f"/deductions/{d['id']}/appeal/decision",
                        json={"upheld": True, "reason": "巡逻记录为证"}).status_code == 200
    decided = AuditLog.get((AuditLog.action == "deduction.appeal_decision") & (AuditLog.object_id == str(d["id"])))
    assert decided.before["status"] == "active" and decided.after["status"] == "voided"
    assert decided.role == "manager"
    month = last_month.strftime("%Y-%m")
    assert manager.post(f"/ledger/{month}/close", query_string={"site_id": site}).status_code in (200, 201)
    closed = AuditLog.get(AuditLog.action == "ledger.close")
    assert closed.before == {"month": month, "closed": False} and closed.after
    assert closed.site_id == site


def test_logging_out_is_audited(client, org):
    token = _login(client, "guard1").get_json()["token"]
    client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    row = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert (row.action, row.user_id) == ("logout", org["users"]["guard1"].id)
