"""Writes a browser sends from another site are refused: the login form (``POST /auth/session``, whose answer
sets the session cookie) cannot be posted from an attacker's page to log a victim in as someone else, nor any
other write ride on a browser's credentials.

The check is the one Go's ``net/http.CrossOriginProtection`` and OWASP's "verifying origin with standard
headers" use, from headers a page cannot forge: ``Sec-Fetch-Site`` (every current browser) and ``Origin``
(sent with every cross-origin POST), ``Referer`` as the last resort. The console runs beside the API on the
same host name (another port) or at ``PATROL_CONSOLE_URL``: those origins are trusted. A request with none of
these headers is not from a browser (the console's server, the phone app's sync, scripts) and is let through:
no browser credentials ride on it. The session cookie itself is ``SameSite=Strict`` besides."""
from urllib.parse import urlsplit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _host(url):
    try:
        return (urlsplit(url).hostname or "").lower() or None
    except ValueError:
        return None


def trusted_hosts(request_host, console_url=""):
    """This host name (any port: the console runs beside the API) and the console's."""
    hosts = {request_host.rsplit(":", 1)[0].strip("[]").lower()} if request_host else set()
    if console_url and _host(console_url):
        hosts.add(_host(console_url))
    return hosts


def cross_site(method, headers, trusted):
    """True when this write comes from a page of another site (pure: ``headers`` is a mapping)."""
    if method.upper() in SAFE_METHODS:
        return False
    fetch_site = (headers.get("Sec-Fetch-Site") or "").lower()
    if fetch_site in ("same-origin", "none"):  # our own page, or the user typing the address
        return False
    origin = headers.get("Origin")
    if origin:
        return origin == "null" or _host(origin) not in trusted
    if fetch_site:  # same-site (a sibling sub-domain) or cross-site, and no origin to tell which page
        return True
    referer = headers.get("Referer")
    if referer:
        return _host(referer) not in trusted
    return False


def refuse_cross_site(request, console_url=""):
    """Raise 403 for a cross-site write (called before every API request)."""
    from api.domain.errors import Forbidden

    if cross_site(request.method, request.headers, trusted_hosts(request.host, console_url)):
        raise Forbidden("A request from another site was refused.")
