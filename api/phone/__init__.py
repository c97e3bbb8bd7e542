"""The phone web app for guards, cleaners and technicians, served at /m/ from package files."""
import os

from flask import Blueprint, send_from_directory

STATIC = os.path.join(os.path.dirname(__file__), "static")

bp = Blueprint("phone", __name__)


@bp.get("/m/")
def index():
    return send_from_directory(STATIC, "index.html", max_age=0)


@bp.get("/m/<path:name>")
def asset(name):
    # the service worker must not be cached by HTTP, or updates never reach phones
    return send_from_directory(STATIC, name, max_age=0 if name.endswith(("sw.js", ".html")) else 3600)
