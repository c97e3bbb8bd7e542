"""Security headers on every response: the phone app, the API docs and the JSON API.

- ``Content-Security-Policy``: scripts, styles, fonts, frames and connections from this origin
  only (no CDN exists to allow); images also as ``data:``/``blob:`` (photo previews before upload,
  a voice note played back before it is sent: media ``blob:``,
  Swagger UI's icons); inline style attributes allowed (Swagger UI sets them), inline scripts not.
  ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``: no page of ours inside someone
  else's frame (clickjacking).
- ``X-Content-Type-Options: nosniff`` everywhere; ``Referrer-Policy: no-referrer`` (an order's or
  a request's id in a URL never leaves for another site).
- ``Cache-Control: no-store`` on every JSON answer to a logged-in caller (above all the one that
  reveals an owner), unless the view chose its own caching.
- ``Strict-Transport-Security`` when the request came over TLS (directly, or through a trusted proxy).
"""
from flask import g, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; "
       "font-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-src 'none'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"


def apply(resp):
    h = resp.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "no-referrer")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", HSTS)
    if g.get("user") is not None and resp.mimetype == "application/json" and "Cache-Control" not in h:
        h["Cache-Control"] = "no-store"
    return resp
