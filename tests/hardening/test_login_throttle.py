"""Login throttling behind the TLS reverse proxy the README recommends, and without one.

The findings: behind the proxy every request came from the proxy's address, so 20 wrong passwords
from anyone locked every user of the company out; and five wrong guesses by a stranger locked any
named account for five minutes. Now the real address comes from X-Forwarded-For (only as many hops
as ``PATROL_TRUSTED_PROXIES`` says), and the account's owner at their own address is never locked
out by someone else's guesses below a much higher per-account ceiling."""
from datetime import datetime, timedelta

import pytest

from api.domain import logins
from api.models import AuditLog, LoginFailure
from tests.factories import PASSWORD
from tests.helpers import assert_error_shape

PROXY = "127.0.0.1"


def login(client, username, password=PASSWORD, real="203.0.113.7", socket=PROXY):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password},
                       headers={"X-Forwarded-For": real}, environ_base={"REMOTE_ADDR": socket})


@pytest.fixture
def proxied(app, org, database_url, tmp_path):
    """The same database served by an app configured with one trusted proxy in front."""
    from api.app import create_app

    behind = create_app({"TESTING": True, "DATABASE_URL": database_url, "PATROL_TRUSTED_PROXIES": 1,
                         "PATROL_MEDIA_DIR": str(tmp_path / "media2"),
                         "PATROL_CHECKLISTS_DIR": app.config["PATROL_CHECKLISTS_DIR"]})
    return behind.test_client()


def test_behind_the_proxy_one_guessers_failures_do_not_lock_out_the_company(proxied):
    for i in range(25):
        assert login(proxied, f"nobody{i % 7}", "wrong", real="198.51.100.66").status_code in (401, 429)
    assert_error_shape(login(proxied, "guard1", "nope", real="198.51.100.66"), 429)  # the guesser is stopped
    for user, addr in (("guard1", "203.0.113.7"), ("super1", "203.0.113.8"), ("tech1", "203.0.113.9")):
        assert login(proxied, user, real=addr).status_code == 200, user


def test_the_real_address_is_the_one_the_trusted_proxy_saw(proxied):
    """With one trusted hop, the client's own X-Forwarded-For entries before it are not trusted."""
    r = login(proxied, "super1", real="10.9.9.9, 203.0.113.50")
    assert r.status_code == 200
    row = AuditLog.select().where(AuditLog.action == "login").order_by(AuditLog.id.desc()).first()
    assert row.ip == "203.0.113.50"


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(client, org):
    """A guesser cannot rotate addresses by writing headers: the socket's address counts."""
    for i in range(20):
        assert_error_shape(login(client, f"nobody{i % 7}", "wrong", real=f"192.0.2.{i}", socket="10.0.5.5"), 401)
    assert_error_shape(login(client, "guard3", real="192.0.2.99", socket="10.0.5.5"), 429)
    assert login(client, "guard3", socket="10.0.5.6").status_code == 200


def test_a_strangers_five_wrong_guesses_do_not_lock_the_owner_out(proxied):
    for _ in range(6):
        login(proxied, "guard1", "guess", real="198.51.100.23")
    assert_error_shape(login(proxied, "guard1", real="198.51.100.23"), 429)  # the stranger waits
    assert login(proxied, "guard1", real="203.0.113.7").status_code == 200  # the guard, at their own phone


def test_the_stranger_waits_longer_after_each_further_failure(proxied):
    def age_failures(seconds):  # as if the time had passed
        for row in LoginFailure.select():
            LoginFailure.update(at=row.at - timedelta(seconds=seconds)).where(LoginFailure.id == row.id).execute()

    for _ in range(5):
        assert_error_shape(login(proxied, "guard1", "guess", real="198.51.100.23"), 401)
    first = login(proxied, "guard1", "guess", real="198.51.100.23")
    assert_error_shape(first, 429)
    assert 25 <= int(first.headers["Retry-After"]) <= 30
    age_failures(31)
    assert_error_shape(login(proxied, "guard1", "guess", real="198.51.100.23"), 401)  # the sixth try
    second = login(proxied, "guard1", "guess", real="198.51.100.23")
    assert_error_shape(second, 429)
    assert 55 <= int(second.headers["Retry-After"]) <= 60


def test_the_account_has_a_much_higher_ceiling_from_all_addresses(proxied):
    proxied.application.config["PATROL_LOGIN_MAX_PER_ACCOUNT"] = 12
    for i in range(12):
        assert_error_shape(login(proxied, "guard1", "guess", real=f"198.51.100.{i}"), 401)
    r = login(proxied, "guard1", real="203.0.113.7")
    assert_error_shape(r, 429)
    assert int(r.headers["Retry-After"]) > 0
    assert login(proxied, "guard3", real="203.0.113.7").status_code == 200


def test_a_successful_login_forgets_only_its_own_failures(proxied):
    for _ in range(3):
        login(proxied, "guard1", "typo", real="203.0.113.7")
    login(proxied, "guard1", "guess", real="198.51.100.23")
    assert login(proxied, "guard1", real="203.0.113.7").status_code == 200
    keys = {row.key for row in LoginFailure.select()}
    assert "pair:guard1|203.0.113.7" not in keys and "pair:guard1|198.51.100.23" in keys


def test_old_failure_rows_are_pruned(app, org):
    now = datetime(2026, 12, 1, 12, 0)
    logins.record_failure("guard1", "198.51.100.1", now=now - timedelta(days=2))
    logins.record_failure("guard1", "198.51.100.2", now=now - timedelta(minutes=5))
    assert logins.prune_login_failures(now) == 3  # pair, address and account rows of the old one
    assert LoginFailure.select().count() == 3
    assert logins.prune_login_failures(now) == 0


LIMITS = logins.Limits(window_seconds=300, free=5, backoff_seconds=30, per_address=20, per_account=100)
T0 = datetime(2026, 12, 1, 12, 0, 0)


@pytest.mark.parametrize("pair,address,account,last_ago,wait", [
    (0, 0, 0, None, 0),
    (4, 4, 4, 1, 0),          # four typos: no wait yet
    (5, 5, 5, 0, 30),         # the fifth: half a minute
    (5, 5, 5, 31, 0),         # ... which has passed
    (6, 6, 6, 0, 60),         # then a minute
    (7, 7, 7, 10, 110),       # two minutes, ten seconds of it gone
    (12, 12, 12, 0, 300),     # capped at the window
    (0, 20, 0, None, 300),    # the address tried too many accounts
    (0, 0, 100, None, 300),   # the account's ceiling from all addresses
    (0, 19, 99, None, 0),
])
def test_how_long_a_login_waits(pair, address, account, last_ago, wait):
    last = None if last_ago is None else T0 - timedelta(seconds=last_ago)
    counts = {"pair": pair, "address": address, "account": account}
    assert logins.retry_after(counts, last, T0, LIMITS) == wait
