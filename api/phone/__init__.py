"""The phone web app for guards, cleaners and technicians, served at /m/ from package files."""
import hashlib
import os

from flask import Blueprint, Response, send_from_directory

STATIC = os.path.join(os.path.dirname(__file__), "static")

bp = Blueprint("phone", __name__)



def shell_version():
    """A hash of every shell file: a changed file gives phones a new cache on their next visit."""
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(STATIC)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, STATIC).encode())
            with open(path, "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()[:16]


@bp.get("/m/sw.js")
def service_worker():
    """The service worker, stamped with the shell's version; never cached by HTTP."""
    with open(os.path.join(STATIC, "sw.js"), encoding="utf-8") as fh:
        body = fh.read().replace("__SHELL_VERSION__", shell_version())
    resp = Response(body, mimetype="text/javascript")
    # the worker lives at /m/sw.js and controls the whole app under /m/
    resp.headers["Service-Worker-Allowed"] = "/m/"
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/m/")
def index():
    """The app shell."""
    return send_from_directory(STATIC, "index.html", max_age=0)


@bp.get("/m/<path:name>")
def asset(name):
    """Scripts, styles, icons and the manifest."""
    # revalidated every time (cheap with ETags), so a browser without the service worker never
    # mixes files of two releases; with it, the worker's cache decides
    max_age = 3600 if name.startswith("icons/") else 0
    if name.endswith(".webmanifest"):
        resp = send_from_directory(STATIC, name, max_age=max_age, mimetype="application/manifest+json")
    elif name.endswith(".js"):
        resp = send_from_directory(STATIC, name, max_age=max_age, mimetype="text/javascript")
    else:
        resp = send_from_directory(STATIC, name, max_age=max_age)
    return resp
