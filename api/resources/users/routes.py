"""Staff of the caller's sites, for assignee and staff pickers."""
from collections import defaultdict

from flask_smorest import Blueprint

from api.auth import requires, site_ids, sites_in_scope
from api.models import User, UserSite
from api.resources import org_crud
from api.resources.users.schemas import StaffBody, StaffOut, StaffPatch, StaffRowOut, UserListArgs

blp = Blueprint("users", __name__, url_prefix="/users", description="Staff (for pickers).")


@blp.arguments(UserListArgs, location="query")
@blp.response(200, StaffOut(many=True))
@requires("user.list")
def list_staff(self, args):
    """Staff who belong to the caller's sites (supervisors and up), by name."""
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


@blp.response(200, StaffRowOut)
@requires("user.view")
def get_staff(self, user_id):
    """One staff member of the caller's sites (managers and up); another site's answers 404."""
    return org_crud.out_rows("staff", [org_crud.get_one("staff", user_id)])[0]


org_crud.register_crud(blp, "staff", body=StaffBody, patch=StaffPatch, row_out=StaffRowOut, nouns="staff",
                       id_name="user_id", list_view=list_staff, get_view=get_staff, docs={
                           "create": "Create a staff account with its 工号 (manager of its sites, or admin); "
                                     "``password`` is the initial one. The same body again answers the stored "
                                     "account (200).",
                           "patch": "Change some fields (a manager only staff below manager, only their own "
                                    "sites' links).",
                           "deactivate": "Deactivate an account (it stays in history); its sessions end at once."})
