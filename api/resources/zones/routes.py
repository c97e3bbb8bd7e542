"""Zones (片区) of a site with their responsible staff per trade (片区责任人)."""
from flask_smorest import Blueprint

from api.models import Zone
from api.resources import org_crud
from api.resources.zones.schemas import ZoneBody, ZoneListArgs, ZonePage, ZonePatch, ZoneRowOut

blp = Blueprint("zones", __name__, url_prefix="/zones", description="Zones (片区) and their responsible staff per trade.")

org_crud.register_crud(blp, "zones", body=ZoneBody, patch=ZonePatch, row_out=ZoneRowOut, nouns="zones",
                       list_args=ZoneListArgs, page=ZonePage, list_query=lambda args: Zone.select(),
                       site_field=Zone.site)
