"""Sites, zones, staff, tokens and checkpoints: who works where."""
from peewee import (AutoField, BooleanField, CharField, DateTimeField, DoubleField,
                    ForeignKeyField, IntegerField, TextField)

from api.models.base import BaseModel, JSONField, utcnow

from api.domain.vocabulary import DESK_ROLES, FIELD_ROLES, ROLES, TRADES  # noqa: F401 - the one source
# who stands above whom (the one place): nobody gives fault points to someone above them
ROLE_RANK = {"guard": 0, "cleaner": 0, "technician": 0, "service": 0, "supervisor": 1, "manager": 2, "admin": 3}


def above(role, other_role):
    """Whether ``role`` ranks above ``other_role`` (unknown roles rank lowest)."""
    return ROLE_RANK.get(role, 0) > ROLE_RANK.get(other_role, 0)


class Site(BaseModel):
    id = AutoField()
    code = CharField(max_length=40, unique=True)
    name = CharField(max_length=120)
    name_en = CharField(max_length=120, default="")
    kind = CharField(max_length=20, default="residential")  # residential / office / commercial
    timezone = CharField(max_length=64, default="Asia/Shanghai")
    address = CharField(max_length=255, default="")
    active = BooleanField(default=True)


class Zone(BaseModel):
    id = AutoField()
    site = ForeignKeyField(Site, backref="zones", on_delete="CASCADE")
    code = CharField(max_length=40)
    name = CharField(max_length=120)
    name_en = CharField(max_length=120, default="")
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("site", "code"), True),)

    def responsible_for(self, trade):
        row = (ZoneResponsible.select().where((ZoneResponsible.zone == self) & (ZoneResponsible.trade == trade))
               .first())
        return row.user if row else None


class User(BaseModel):
    id = AutoField()
    username = CharField(max_length=64, unique=True)
    name = CharField(max_length=120)
    role = CharField(max_length=20, index=True)
    password_hash = CharField(max_length=255)
    supervisor = ForeignKeyField("self", null=True, backref="reports", on_delete="SET NULL")
    trade = CharField(max_length=20, null=True)
    phone = CharField(max_length=32, default="")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    employee_no = CharField(max_length=32, null=True, unique=True)  # 工号; unique where set
    department = CharField(max_length=120, default="")
    post = CharField(max_length=120, default="")  # 岗位

    @property
    def site_ids(self):
        return [us.site_id for us in UserSite.select(UserSite.site).where(UserSite.user == self)
                .order_by(UserSite.site)]


class UserSite(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, backref="site_links", on_delete="CASCADE")
    site = ForeignKeyField(Site, backref="user_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("user", "site"), True),)


class ZoneResponsible(BaseModel):
    """片区责任制: the person who answers for a zone's public facilities in one trade."""

    id = AutoField()
    zone = ForeignKeyField(Zone, backref="responsibles", on_delete="CASCADE")
    trade = CharField(max_length=20)
    user = ForeignKeyField(User, backref="zones_responsible", on_delete="CASCADE")

    class Meta:
        indexes = ((("zone", "trade"), True),)


class ApiToken(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    revoked_at = DateTimeField(null=True)
    last_used_at = DateTimeField(null=True)
    user_agent = CharField(max_length=255, default="")


class LoginFailure(BaseModel):
    """Failed logins by account and by address, for throttling across workers."""

    id = AutoField()
    key = CharField(max_length=160, index=True)
    at = DateTimeField(default=utcnow, index=True)


class Checkpoint(BaseModel):
    id = AutoField()
    site = ForeignKeyField(Site, backref="checkpoints", on_delete="CASCADE")
    zone = ForeignKeyField(Zone, backref="checkpoints", on_delete="CASCADE")
    code = CharField(max_length=64, unique=True)
    name = CharField(max_length=120)
    name_en = CharField(max_length=120, default="")
    kind = CharField(max_length=40)  # lobby, car_park, road_lamp, road, drain_cover, repair_site ...
    checklist_keys = JSONField(default=list)
    lat = DoubleField(null=True)  # REAL would round a position to about a metre on PostgreSQL
    lon = DoubleField(null=True)
    active = BooleanField(default=True)
    sort_order = IntegerField(default=0)
    note = TextField(default="")
    nfc_tag_id = CharField(max_length=64, null=True, unique=True)  # unique where set


class Building(BaseModel):
    """楼栋: a building of a site, in the zone whose staff answer for it (a unit's requests go there)."""

    id = AutoField()
    site = ForeignKeyField(Site, backref="buildings", on_delete="CASCADE")
    zone = ForeignKeyField(Zone, null=True, backref="buildings", on_delete="SET NULL")
    code = CharField(max_length=40)
    name = CharField(max_length=120)
    name_en = CharField(max_length=120, default="")
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("site", "code"), True),)


class Unit(BaseModel):
    """单元/房号 of a building, e.g. "1-1201"."""

    id = AutoField()
    building = ForeignKeyField(Building, backref="units", on_delete="CASCADE")
    code = CharField(max_length=40)
    floor = IntegerField(null=True)
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("building", "code"), True),)
