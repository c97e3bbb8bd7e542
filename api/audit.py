"""The append-only audit log: who did what to which object, from which request."""
from flask import g, has_request_context, request

from api.models import AuditLog, utcnow
from api.sql import insert

_FIELDS = (AuditLog.at, AuditLog.user, AuditLog.role, AuditLog.action, AuditLog.object_type, AuditLog.object_id,
           AuditLog.site_id, AuditLog.before, AuditLog.after, AuditLog.request_id, AuditLog.ip)


def audit(action, object_type, object_id, site_id=None, before=None, after=None, user=None):
    """One row of the log, in the caller's transaction (pre-written SQL: every write comes here)."""
    user = user or (g.get("user") if has_request_context() else None)
    sent_by = g.get("sent_by") if has_request_context() else None
    if sent_by:  # a supervisor sent this person's queued entry: the row says so
        after = dict(after or {}, sent_by=sent_by)
    insert(AuditLog, _FIELDS, [(
        utcnow(),
        user,
        user.role if user else "",
        action,
        object_type,
        str(object_id),
        site_id,
        before,
        after,
        (g.get("request_id", "") if has_request_context() else "")[:64],
        ((request.remote_addr or "") if has_request_context() else "")[:64],
    )])
