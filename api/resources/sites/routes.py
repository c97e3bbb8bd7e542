"""Sites the caller belongs to."""
from flask_smorest import Blueprint

from api.auth import get_visible, requires, site_ids
from api.models import Site
from api.resources import org_crud
from api.resources.sites.schemas import SiteBody, SiteOut, SitePatch, SiteRowOut

blp = Blueprint("sites", __name__, url_prefix="/sites", description="Sites and zones.")


@blp.response(200, SiteOut(many=True))
@requires("org.view")
def list_sites(self):
    """The caller's sites with their zones."""
    return list(Site.select().where(Site.id.in_(site_ids())).order_by(Site.id))


@blp.response(200, SiteOut)
@requires("org.view")
def get_site(self, site_id):
    """One of the caller's sites."""
    return get_visible(Site, site_id, "site", site_attr="id")


org_crud.register_crud(blp, "sites", body=SiteBody, patch=SitePatch, row_out=SiteRowOut, nouns="sites",
                       id_name="site_id", list_view=list_sites, get_view=get_site, create_action="site.create", docs={
                           "create": "Create a site (administrators); the same body again answers the stored one (200).",
                           "patch": "Change a site's fields (its manager, or an administrator); audited with before "
                                    "and after.",
                           "deactivate": "Make a site inactive (nothing referenced is deleted)."})
