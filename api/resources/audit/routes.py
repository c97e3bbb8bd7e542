"""The audit log (managers): who did what to which object, newest first. Read-only."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import can, check_site, requires, site_ids
from api.models import AuditLog
from api.pagination import paginate_desc_by_id
from api.resources.audit.schemas import AuditArgs, AuditPage

blp = Blueprint("audit", __name__, url_prefix="/audit", description="The audit log (read-only).")


@blp.route("")
class Audit(MethodView):
    @blp.arguments(AuditArgs, location="query")
    @blp.response(200, AuditPage)
    @requires("audit.view")
    def get(self, args):
        """Audit entries of the caller's sites (admins also see entries tied to no site)."""
        sites = site_ids()
        if args.get("site_id") is not None:
            check_site(args["site_id"], "site")
            q = AuditLog.select().where(AuditLog.site_id == args["site_id"])
        elif can("audit.view_unsited"):
            q = AuditLog.select().where(AuditLog.site_id.in_(sites) | AuditLog.site_id.is_null())
        else:
            q = AuditLog.select().where(AuditLog.site_id.in_(sites) | (AuditLog.user == g.user.id))
        for key, field in (("object_type", AuditLog.object_type), ("object_id", AuditLog.object_id),
                           ("action", AuditLog.action), ("user_id", AuditLog.user)):
            if args.get(key) is not None:
                q = q.where(field == args[key])
        if args.get("since"):
            q = q.where(AuditLog.at >= args["since"])
        if args.get("until"):
            q = q.where(AuditLog.at < args["until"])
        rows, cursor = paginate_desc_by_id(q, AuditLog.id, args["limit"], args.get("cursor"))
        return {"items": rows, "next_cursor": cursor}
