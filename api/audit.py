"""The append-only audit log: who did what to which object, from which request."""
from flask import g, has_request_context, request

from api.models import AuditLog


def audit(action, object_type, object_id, site_id=None, before=None, after=None, user=None):
    user = user or (g.get("user") if has_request_context() else None)
    AuditLog.create(
        user=user,
        role=user.role if user else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        site_id=site_id,
        before=before,
        after=after,
        request_id=(g.get("request_id", "") if has_request_context() else "")[:64],
        ip=((request.remote_addr or "") if has_request_context() else "")[:64],
    )
