"""Who is calling: password hashing, bearer tokens, login throttling, permissions and site checks."""
import functools
import hashlib
import logging
import secrets
import threading
from datetime import datetime, timedelta

import functools

from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request
from peewee import OperationalError

from api.domain import permissions
from api.domain.passwords import hasher
from api.errors import NotFound, TooManyRequests, Unauthorized
from api.models import ApiToken, Site, User, UserSite, utcnow
from api.sql import execute, model_from_row, python_value, slot



# each Argon2 hash holds its memory cost (api/domain/passwords.py) while it runs: with threaded
# workers, logins take turns two at a time per process, so a burst of logins cannot multiply it
_KDF_TURNS = threading.BoundedSemaphore(2)


@functools.lru_cache(maxsize=4)
def _dummy_hash(cost):
    """Verified against when the username does not exist, so both failures cost the same (made on
    the first such login, at the configured cost, not at import in every process)."""
    return hasher().hash("not-a-real-password")


def hash_password(password):
    with _KDF_TURNS:
        return hasher().hash(password)


def check_password(user, password):
    """Whether ``password`` is the user's. A hash made at another cost than the configured one is
    remade at this one after a successful check (only if no one changed it meanwhile)."""
    h = hasher()
    stored = user.password_hash if user else _dummy_hash((h.memory_cost, h.time_cost))
    try:
        with _KDF_TURNS:
            ok = h.verify(stored, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False
    if ok and h.check_needs_rehash(stored):
        fresh = hash_password(password)
        User.update(password_hash=fresh).where((User.id == user.id) & (User.password_hash == stored)).execute()
        user.password_hash = fresh
    return ok


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user, user_agent=""):
    token = secrets.token_urlsafe(32)
    ttl = current_app.config.get("PATROL_TOKEN_TTL_HOURS", 720)
    ApiToken.create(user=user, token_hash=_token_hash(token), expires_at=utcnow() + timedelta(hours=ttl),
                    user_agent=(user_agent or "")[:255])
    return token


def revoke_token(token):
    ApiToken.update(revoked_at=utcnow()).where(
        (ApiToken.token_hash == _token_hash(token)) & ApiToken.revoked_at.is_null()).execute()


def revoke_all(user):
    return ApiToken.update(revoked_at=utcnow()).where(
        (ApiToken.user == user) & ApiToken.revoked_at.is_null()).execute()


def _token_query():
    """The token lookup (compiled once: it runs on every request), with the token's id and last use."""
    return (User.select(User, ApiToken.id.alias("token_id"), ApiToken.last_used_at.alias("token_last_used"))
            .join(ApiToken, on=(ApiToken.user == User.id))
            .where((ApiToken.token_hash == slot("hash", ApiToken.token_hash)) & ApiToken.revoked_at.is_null()
                   & (ApiToken.expires_at > slot("now", ApiToken.expires_at)) & (User.active == True)))  # noqa: E712


def user_for_token(token):
    """The active user a live (unexpired, unrevoked) token belongs to, or None. Read on every
    request and never cached, so a revoked token stops working at once in every process."""
    now = utcnow()
    row = execute(("user_for_token",), _token_query, {"hash": _token_hash(token), "now": now}).fetchone()
    if row is None:
        return None
    *user_row, token_id, last_used = row
    last_used = python_value(ApiToken.last_used_at, last_used)
    if last_used is None or now - last_used >= TOKEN_USE_GRANULARITY:
        _mark_used(token_id, now)
    return model_from_row(User, User._meta.sorted_fields, user_row)


# last_used_at is written at most once a minute per token: the lookup above reads it with the
# user, so a request writes nothing in the other 59 seconds
TOKEN_USE_GRANULARITY = timedelta(minutes=1)


def _mark_used(token_id, now):
    """Stamps the token's last use; of several requests in the same minute one writes (the condition
    is checked again in the UPDATE). A write that cannot be made now is skipped: it is a hint for
    administrators, never a reason to refuse the request. Returns how many rows it wrote (0 or 1)."""
    stale = ApiToken.last_used_at.is_null() | (ApiToken.last_used_at <= now - TOKEN_USE_GRANULARITY)
    try:
        return ApiToken.update(last_used_at=now).where((ApiToken.id == token_id) & stale).execute()
    except OperationalError:
        logging.getLogger(__name__).warning("token %s: last use not stamped (database busy)", token_id)
        return 0


def bearer_token():
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def authenticate():
    """Sets g.user from the bearer token, or refuses with 401."""
    token = bearer_token()
    user = user_for_token(token) if token else None
    if user is None:
        raise Unauthorized("Log in first: a valid bearer token is required.",
                           headers={"WWW-Authenticate": "Bearer"})
    g.user = user
    g.token = token
    if request.headers.get("X-On-Behalf-Of"):
        _send_on_behalf(user)
    return g.user


def _send_on_behalf(sender):
    """A supervisor sends a departed guard's queued entry: the request acts as the guard, and
    ``g.sent_by`` puts the supervisor on every audit row it writes (see ``api.domain.queue_handover``)."""
    from api.domain.policy import current_policy
    from api.domain.queue_handover import owner_for
    from api.errors import Invalid
    from api.models import to_utc_naive

    raw = request.headers.get("X-Queued-At")
    try:
        queued_at = to_utc_naive(datetime.fromisoformat(raw.replace("Z", "+00:00"))) if raw else None
    except (ValueError, TypeError):
        raise Invalid({"X-Queued-At": ["When the entry was queued, as an ISO 8601 time."]}, location="headers")
    owner, reason = owner_for(sender, request.headers["X-On-Behalf-Of"], queued_at=queued_at, now=utcnow(),
                              after_hours=current_policy()["phone"]["handover_after_hours"], sites_of=site_ids)
    g.user = owner
    g.sent_by = {"id": sender.id, "username": sender.username, "role": sender.role, "reason": reason}


def login_limits():
    from api.domain.logins import Limits

    cfg = current_app.config
    return Limits(window_seconds=cfg["PATROL_LOGIN_WINDOW_SECONDS"], free=cfg["PATROL_LOGIN_MAX_FAILURES"],
                  backoff_seconds=cfg["PATROL_LOGIN_BACKOFF_SECONDS"],
                  per_address=cfg["PATROL_LOGIN_MAX_PER_ADDRESS"], per_account=cfg["PATROL_LOGIN_MAX_PER_ACCOUNT"])


def client_address():
    """The caller's address: behind ``PATROL_TRUSTED_PROXIES`` proxies, the one they forwarded."""
    return request.remote_addr or "?"


def check_throttle(username):
    from api.domain import logins

    wait = logins.check(username, client_address(), login_limits())
    if wait:
        raise TooManyRequests("Too many failed logins; wait a little and try again.",
                              headers={"Retry-After": str(wait)})


def record_failure(username):
    from api.domain import logins

    logins.record_failure(username, client_address())


def clear_failures(username):
    from api.domain import logins

    logins.clear_pair(username, client_address())


# --- permissions and sites -------------------------------------------------------------

def requires(action):
    """Declare a route's action (``api/domain/permissions.py``) and check it before the handler runs."""
    def wrap(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            permissions.require(g.user, action)
            return view(*args, **kwargs)

        checked.permission = action
        return checked

    return wrap


def declares(action):
    """Declare a route's action without checking it here: its domain function checks it (with the
    row it locked), or it is public (``auth.login``). ``work_order.*``: the action the body names."""
    def wrap(view):
        view.permission = action
        return view

    return wrap


def can(action, obj=None):
    """May the caller take ``action`` (on ``obj``)? For filters and answers, not for refusing."""
    return permissions.can(g.user, action, obj)


def site_ids(user=None):
    """The sites a user may see; admins see every site."""
    user = user or g.user
    cache = g.setdefault("_site_ids", {})
    if user.id not in cache:
        # compiled once: nearly every request asks this once
        if permissions.can(user, "site.view_all"):
            rows = execute(("site_ids", "admin"), lambda: Site.select(Site.id).order_by(Site.id))
        else:
            rows = execute(("site_ids", "member"), lambda: UserSite.select(UserSite.site).where(
                UserSite.user == slot("user", UserSite.user)).order_by(UserSite.site), {"user": user.id})
        cache[user.id] = [r[0] for r in rows.fetchall()]
    return cache[user.id]


def sites_in_scope(site_id=None):
    """The caller's sites, or just ``site_id`` when one is asked for (another site's is a 404)."""
    if site_id is None:
        return site_ids()
    check_site(site_id, "site")
    return [site_id]


def check_site(site_id, what="object"):
    """Another site's object is indistinguishable from one that does not exist."""
    if site_id not in site_ids():
        raise NotFound(f"No such {what}.")


def get_visible(model, pk, what=None, site_attr="site_id"):
    """Fetch a row by primary key that belongs to one of the caller's sites, else 404."""
    what = what or model.__name__.lower()
    try:
        obj = model.get_by_id(pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"No such {what}.")
    check_site(getattr(obj, site_attr), what)
    return obj
