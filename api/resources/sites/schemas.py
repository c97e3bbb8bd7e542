"""Sites and their zones."""
from marshmallow import fields

from api.domain.orgrows import SiteRow
from api.resources.common import OutSchema


class ZoneOut(OutSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    active = fields.Boolean()
    responsible = fields.Method("get_responsible")

    def get_responsible(self, zone):
        return {r.trade: {"id": r.user_id, "name": r.user.name} for r in zone.responsibles}


class SiteOut(OutSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    kind = fields.String()
    timezone = fields.String()
    address = fields.String()
    active = fields.Boolean()
    zones = fields.List(fields.Nested(ZoneOut))


class SiteBody(SiteRow):
    """A site as the API, the Excel sheet and ``patrol import sites`` all take it."""


class SitePatch(SiteRow):
    """Only the fields to change."""


class SiteRowOut(SiteRow):
    id = fields.Integer()
