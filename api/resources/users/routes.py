"""Staff of the caller's sites, for assignee and staff pickers."""
from collections import defaultdict

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import SUPERVISOR_UP, require_role, site_ids, sites_in_scope
from api.models import User, UserSite
from api.resources.users.schemas import StaffOut, UserListArgs

blp = Blueprint("users", __name__, url_prefix="/users", description="Staff (for pickers).")


@blp.route("")
class Users(MethodView):
    @blp.arguments(UserListArgs, location="query")
    @blp.response(200, StaffOut(many=True))
    def get(self, args):
        """Staff who belong to the caller's sites (supervisors and up), by name."""
        require_role("service", *SUPERVISOR_UP)
        sites = sites_in_scope(args.get("site_id"))
        q = (User.select().join(UserSite).where(UserSite.site.in_(sites)).distinct())
        if args.get("role"):
            q = q.where(User.role == args["role"])
        if args.get("trade"):
            q = q.where(User.trade == args["trade"])
        if args.get("active") is not None:
            q = q.where(User.active == args["active"])
        users = list(q.order_by(User.name, User.id).limit(1000))
        links = defaultdict(list)
        for us in UserSite.select().where(UserSite.user.in_([u.id for u in users]) & UserSite.site.in_(site_ids())):
            links[us.user_id].append(us.site_id)
        for u in users:
            u.visible_site_ids = sorted(links[u.id])
        return users
