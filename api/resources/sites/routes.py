"""Sites the caller belongs to."""
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import get_visible, site_ids
from api.models import Site
from api.resources.sites.schemas import SiteOut

blp = Blueprint("sites", __name__, url_prefix="/sites", description="Sites and zones.")


@blp.route("")
class Sites(MethodView):
    @blp.response(200, SiteOut(many=True))
    def get(self):
        """The caller's sites with their zones."""
        return list(Site.select().where(Site.id.in_(site_ids())).order_by(Site.id))


@blp.route("/<int:site_id>")
class SiteOne(MethodView):
    @blp.response(200, SiteOut)
    def get(self, site_id):
        """One of the caller's sites."""
        return get_visible(Site, site_id, "site", site_attr="id")
