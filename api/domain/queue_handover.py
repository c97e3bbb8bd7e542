"""A departed guard's queue, sent by a supervisor (issue #16): entries a person left on a shared
post phone are theirs and wait for their login; when the person has been deactivated, or the
entries have waited ``phone.handover_after_hours`` (policy), a supervisor of one of their sites
may send them from that phone. What is stored is the guard's (inspector, reporter), and every
audit row the request writes names the supervisor who sent it (``sent_by``)."""
from datetime import timedelta

from api.domain.errors import Forbidden, Invalid
from api.domain.permissions import require
from api.models import User


def handover_reason(*, sender, owner_active, shared_site, same_person, queued_at, now, after_hours):
    """Why ``sender`` may send the owner's entry ("deactivated" / "waited"), or Forbidden. Pure."""
    if same_person:
        raise Invalid({"X-On-Behalf-Of": ["Your own entries are sent with your own login."]}, location="headers")
    require(sender, "queue.send_on_behalf")
    if not shared_site:
        raise Forbidden("This person works at none of your sites.")
    if not owner_active:
        return "deactivated"
    if queued_at is not None and now - queued_at >= timedelta(hours=after_hours):
        return "waited"
    raise Forbidden(f"This person's entries are theirs to send for {after_hours} hours after they were queued, "
                    f"unless they are deactivated.")


def owner_for(sender, username, *, queued_at, now, after_hours, sites_of):
    """``(owner, reason)``: the person whose queued entry ``sender`` sends, checked by the policy."""
    owner = User.get_or_none(User.username == (username or "").strip())
    if owner is None:
        raise Invalid({"X-On-Behalf-Of": ["No such person."]}, location="headers")
    reason = handover_reason(sender=sender, owner_active=owner.active,
                             shared_site=bool(set(sites_of(sender)) & set(sites_of(owner))),
                             same_person=owner.id == sender.id, queued_at=queued_at, now=now,
                             after_hours=after_hours)
    return owner, reason
