"""Interactive API docs at /api/docs, with Swagger UI served from the installed package (no CDN)."""
from flask import Blueprint, Response, send_from_directory

import swagger_ui_bundle

bp = Blueprint("docs", __name__)

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>patrol API</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>"""
# a file, not an inline script: the Content-Security-Policy allows scripts from this origin only
_INIT = """window.ui = SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#ui", persistAuthorization: true});"""


@bp.get("/api/docs")
@bp.get("/api/docs/")
def docs_page():
    return Response(_PAGE, mimetype="text/html")


@bp.get("/api/docs/init.js")
def docs_init():
    return Response(_INIT, mimetype="text/javascript")


@bp.get("/api/docs/static/<path:name>")
def docs_static(name):
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, name, max_age=86400)


docs_page.public = True
docs_static.public = True
docs_init.public = True
