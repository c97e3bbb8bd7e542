"""Excel templates, imports and exports of the organisation (managers of their sites, administrators).

``POST /imports/<kind>`` checks every row and writes all or nothing (422 with the row errors, each with
sheet, row, column and the reason in Chinese and English); re-importing the same file changes nothing.
``GET /exports/<kind>`` answers a workbook that imports back unchanged (passwords are never exported).
"""
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import requires, sites_in_scope
from api.domain import workbooks
from api.domain.orgrows import KINDS
from api.errors import DomainError, Invalid, NotFound
from api.resources.imports.schemas import ExportArgs, ImportArgs, ImportResultOut, ImportUpload
from api.resources.org_crud import actor

blp = Blueprint("imports", __name__, url_prefix="", description="Excel import and export of the organisation.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Unprocessable(DomainError):
    status = 422


def _kind(kind):
    if kind not in KINDS:
        raise NotFound(f"No such list; one of {', '.join(KINDS)}.")
    return kind


def _file(body, name):
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}",
                                                  "Cache-Control": "no-store"})


def _audit(action, object_type, object_id, site_id, before, after):
    audit(action, object_type, object_id, site_id=site_id, before=before, after=after)


@blp.route("/imports/<string:kind>/template")
class Template(MethodView):
    @blp.response(200, description="An empty workbook with the list's columns and a notes sheet.",
                  content_type=XLSX)
    @requires("org.import")
    def get(self, kind):
        """The Excel template of one list: its columns (Chinese and English) and what each takes."""
        return _file(workbooks.template(_kind(kind)), f"{kind}-template.xlsx")


@blp.route("/imports/<string:kind>")
class Import(MethodView):
    @blp.arguments(ImportArgs, location="query")
    @blp.arguments(ImportUpload, location="files", content_type="multipart/form-data")
    @blp.response(200, ImportResultOut)
    @blp.alt_response(422, description="Row errors: nothing was written.")
    @requires("org.import")
    def post(self, args, files, kind):
        """Import a workbook (multipart field ``file``): rows are matched by 工号 / code and created or
        updated, all or nothing; ``dry_run=1`` only checks. The answer counts created, updated, unchanged."""
        _kind(kind)
        data = files["file"].read(workbooks.MAX_BYTES + 1)
        try:
            result = workbooks.import_workbook(kind, data, actor(), dry_run=args["dry_run"],
                                               password=args.get("password"), audit_fn=_audit)
        except workbooks.WorkbookError as exc:
            raise Invalid({"file": [exc.en, exc.zh]}, message=exc.en, location="files")
        if result["errors"]:
            raise Unprocessable(f"{len(result['errors'])} problem(s) in the file; nothing was imported.",
                                errors={"rows": result["errors"]})
        return result


@blp.route("/exports/<string:kind>")
class Export(MethodView):
    @blp.arguments(ExportArgs, location="query")
    @blp.response(200, description="The list as a workbook that imports back unchanged.", content_type=XLSX)
    @requires("org.export")
    def get(self, args, kind):
        """One list of the caller's sites (or of one, ``site_id``) as Excel; passwords are never exported."""
        _kind(kind)
        sites = sites_in_scope(args.get("site_id"))
        return _file(workbooks.export(kind, sites, actor()), f"{kind}.xlsx")
