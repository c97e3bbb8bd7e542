"""Sites the caller belongs to."""
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import get_visible, requires, site_ids
from api.models import Site
from api.resources import org_crud
from api.resources.sites.schemas import SiteBody, SiteOut, SitePatch, SiteRowOut

blp = Blueprint("sites", __name__, url_prefix="/sites", description="Sites and zones.")


@blp.route("")
class Sites(MethodView):
    @blp.response(200, SiteOut(many=True))
    @requires("org.view")
    def get(self):
        """The caller's sites with their zones."""
        return list(Site.select().where(Site.id.in_(site_ids())).order_by(Site.id))

    @blp.arguments(SiteBody)
    @blp.response(201, SiteRowOut)
    @blp.alt_response(200, schema=SiteRowOut, description="The same body again: the stored row.")
    @requires("site.create")
    def post(self, body):
        """Create a site (administrators); the same body again answers the stored one (200)."""
        return org_crud.create("sites", body)


@blp.route("/<int:site_id>")
class SiteOne(MethodView):
    @blp.response(200, SiteOut)
    @requires("org.view")
    def get(self, site_id):
        """One of the caller's sites."""
        return get_visible(Site, site_id, "site", site_attr="id")

    @blp.arguments(SitePatch(partial=True))
    @blp.response(200, SiteRowOut)
    @requires("org.edit")
    def patch(self, patch, site_id):
        """Change a site's fields (its manager, or an administrator); audited with before and after."""
        return org_crud.update("sites", site_id, patch)


@blp.route("/<int:site_id>/deactivate")
class SiteDeactivate(MethodView):
    @blp.response(200, SiteRowOut)
    @requires("org.edit")
    def post(self, site_id):
        """Make a site inactive (nothing referenced is deleted)."""
        return org_crud.deactivate("sites", site_id)
