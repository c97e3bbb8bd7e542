"""Helpers for the organisation tests: a manager of one site only, audit rows of an object."""
from api.auth import hash_password
from api.models import AuditLog, Site, User, UserSite
from tests.factories import PASSWORD


def manager_of(site_code, username="mgr_only"):
    """A manager who belongs to one site (the demo's manager1 has both)."""
    user = User.create(username=username, name="钱经理", role="manager", password_hash=hash_password(PASSWORD))
    UserSite.create(user=user, site=Site.get(Site.code == site_code))
    return user


def audits(object_type, object_id):
    return list(AuditLog.select().where((AuditLog.object_type == object_type)
                                        & (AuditLog.object_id == str(object_id))).order_by(AuditLog.id))
