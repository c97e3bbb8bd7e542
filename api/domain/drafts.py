"""Form drafts: what a console user has typed into a form and not yet sent, kept on the server so a refresh,
a dropped connection or the next morning (on any computer) finds it. Scoped to the one user, bounded in
size and number, and gone after ``DRAFT_DAYS`` or once the form is sent."""
import json
import re
from datetime import timedelta

from api.db import write_tx
from api.domain.errors import Invalid, NotFound
from api.models import FormDraft

DRAFT_DAYS = 7  # a Friday's half-typed call is still there on Monday; owners' details do not linger longer
MAX_BYTES = 16 * 1024  # a long complaint is a few thousand characters; this is a form, not a file store
MAX_PER_USER = 50  # the oldest go first
FORM_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")


def check(form, values):
    """Refuse a bad form name or an oversized draft (pure)."""
    if not FORM_NAME.match(form or ""):
        raise Invalid({"form": "Letters, digits and _ . : - only, at most 80."})
    if len(json.dumps(values, ensure_ascii=False).encode()) > MAX_BYTES:
        kb = MAX_BYTES // 1024
        raise Invalid({"values": f"A draft may hold at most {kb} KB."})


def stale_before(now):
    return now - timedelta(days=DRAFT_DAYS)


def get(user, form, now):
    draft = FormDraft.get_or_none((FormDraft.user == user) & (FormDraft.form == form)
                                  & (FormDraft.updated_at >= stale_before(now)))
    if draft is None:
        raise NotFound("No draft.")
    return draft


def save(user, form, values, now):
    """Keep ``values`` as the user's draft of ``form`` (the last write wins); drops stale drafts and the
    user's oldest beyond ``MAX_PER_USER``."""
    check(form, values)
    with write_tx():
        FormDraft.delete().where(FormDraft.updated_at < stale_before(now)).execute()
        (FormDraft.insert(user=user, form=form, values=values, updated_at=now)
         .on_conflict(conflict_target=[FormDraft.user, FormDraft.form],
                      update={FormDraft.values: values, FormDraft.updated_at: now})
         .execute())
        keep = (FormDraft.select(FormDraft.id).where(FormDraft.user == user)
                .order_by(FormDraft.updated_at.desc(), FormDraft.id.desc()).limit(MAX_PER_USER))
        FormDraft.delete().where((FormDraft.user == user) & FormDraft.id.not_in(keep)).execute()
    return get(user, form, now)


def discard(user, form):
    """Forget the user's draft of ``form`` (sent or abandoned); safe to repeat."""
    with write_tx():
        FormDraft.delete().where((FormDraft.user == user) & (FormDraft.form == form)).execute()
