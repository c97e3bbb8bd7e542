"""gzip for text answers (JSON, scripts, styles, the shell) when the client accepts it.

A phone on a weak signal pays for every byte: the first sync's JSON and the shell's scripts shrink
to a fifth. ETags are kept as they are (the checklists' If-None-Match / 304 still matches), and
``Vary: Accept-Encoding`` keeps caches from mixing the two encodings. Photos (already compressed)
and small answers are left alone.
"""
import gzip

from flask import request

COMPRESSIBLE = {"application/json", "text/javascript", "application/javascript", "text/css", "text/html",
                "application/manifest+json", "image/svg+xml", "text/plain", "text/csv"}
MIN_BYTES = 1024
LEVEL = 6


def _accepts_gzip():
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def compress_response(resp):
    """after_request: gzip ``resp`` in place when it is worth it."""
    if (resp.status_code != 200 or resp.mimetype not in COMPRESSIBLE or "Content-Encoding" in resp.headers
            or request.method == "HEAD"):
        return resp
    resp.vary.add("Accept-Encoding")
    if not _accepts_gzip() or resp.is_streamed and not resp.direct_passthrough:
        return resp
    if resp.direct_passthrough:  # a file from send_from_directory: small shell files, read whole
        resp.direct_passthrough = False
    data = resp.get_data()
    if len(data) < MIN_BYTES:
        return resp
    resp.set_data(gzip.compress(data, compresslevel=LEVEL, mtime=0))
    resp.headers["Content-Encoding"] = "gzip"
    return resp


def init_compression(app):
    app.after_request(compress_response)
