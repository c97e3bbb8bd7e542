"""Login throttling that slows a guesser without locking the real user out.

Three counters of failed logins over a sliding window (``LoginFailure`` rows, shared by every
worker and process through the database):

- per **account and address** pair: the first ``free`` failures cost nothing; after that each
  further try waits ``backoff`` seconds, doubling with every failure (capped at the window). A
  guard who mistypes five times waits half a minute; a guesser at one address gets a handful of
  tries per window.
- per **address**, across accounts (one machine trying many names): ``per_address`` failures.
- per **account**, from every address: a much higher ``per_account`` ceiling, so a crowd of
  addresses cannot guess at leisure, while five wrong guesses by a stranger no longer lock the
  account's owner out.

The pure part decides from counts and times; the thin part reads and writes the rows.
"""
from dataclasses import dataclass
from datetime import timedelta

from api.models import LoginFailure, utcnow


@dataclass(frozen=True)
class Limits:
    window_seconds: int = 300
    free: int = 5
    backoff_seconds: float = 30
    per_address: int = 20
    per_account: int = 100


def keys(username, address):
    user = (username or "").strip().lower()[:100]
    address = (address or "?")[:45]
    return {"pair": f"pair:{user}|{address}", "address": f"ip:{address}", "account": f"user:{user}"}


def pair_wait(failures, last_failure_at, now, limits):
    """Seconds the pair must still wait (0: may try now), from its failures in the window."""
    if failures < limits.free or last_failure_at is None:
        return 0
    wait = min(limits.backoff_seconds * 2 ** (failures - limits.free), limits.window_seconds)
    left = (last_failure_at + timedelta(seconds=wait) - now).total_seconds()
    return max(0, int(left + 0.999))


def retry_after(counts, pair_last_at, now, limits):
    """Seconds to wait before this login may be tried (0: go ahead). ``counts`` maps the kinds of
    ``keys`` to failures in the window."""
    if counts["address"] >= limits.per_address or counts["account"] >= limits.per_account:
        return limits.window_seconds
    return pair_wait(counts["pair"], pair_last_at, now, limits)


def _recent(key, since):
    return LoginFailure.select().where((LoginFailure.key == key) & (LoginFailure.at > since))


def check(username, address, limits, now=None):
    """Seconds to wait before trying this login (0: go ahead)."""
    now = now or utcnow()
    since = now - timedelta(seconds=limits.window_seconds)
    k = keys(username, address)
    counts = {kind: _recent(key, since).count() for kind, key in k.items()}
    last = None
    if counts["pair"] >= limits.free:
        row = _recent(k["pair"], since).order_by(LoginFailure.at.desc()).first()
        last = row.at if row else None
    return retry_after(counts, last, now, limits)


def record_failure(username, address, now=None):
    now = now or utcnow()
    LoginFailure.insert_many([{"key": key, "at": now} for key in keys(username, address).values()]).execute()


def clear_pair(username, address):
    """A successful login forgets its own pair's failures (not the address's or account's)."""
    LoginFailure.delete().where(LoginFailure.key == keys(username, address)["pair"]).execute()


def prune_login_failures(now=None, older_than=timedelta(days=1)):
    """Delete failure rows older than ``older_than`` (longer than any window); returns how many.
    Idempotent and safe from several processes (a plain ranged DELETE)."""
    now = now or utcnow()
    return LoginFailure.delete().where(LoginFailure.at < now - older_than).execute()
