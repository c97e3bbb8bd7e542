"""A checklists directory (checklists/*.yaml, schedules.yaml, policy.yaml) into the database:
validated first, then the changed checklists become new versions and the schedules are stored,
in one transaction; nothing is stored while any file has a problem."""
from api.db import write_tx
from api.domain.checklist_versions import sync_checklists
from api.domain.checklists import load_dir, policy_problems
from api.domain.errors import Invalid
from api.domain.schedules import drop_future_tasks
from api.models import Schedule, Site, Zone


def sync(directory, audit_fn=None):
    """Validate a checklists directory, then store changed checklists and the schedules, in one
    transaction. Refuses (Invalid, nothing stored) while any file has a problem."""
    cat = load_dir(directory)
    problems = cat.problems + policy_problems(directory)
    if problems:
        raise Invalid({"checklists": problems}, message="The checklist files are not valid; nothing was stored.")
    with write_tx():
        checklists = sync_checklists(cat.checklists, audit_fn)
        schedules = sync_schedules(cat.schedules, audit_fn)
    return {"checklists": checklists, "schedules": schedules}


def sync_schedules(schedules, audit_fn=None):
    """Store the schedules of schedules.yaml (site code -> list); a schedule that left the file is
    made inactive (its past tasks stay). Sites not in the database are reported and skipped.
    The caller owns the transaction."""
    changes = []
    for code, entries in schedules.items():
        site = Site.get_or_none(Site.code == code)
        if site is None:
            changes.append({"site": code, "action": "skipped", "reason": "no such site"})
            continue
        keep = set()
        for entry in entries:
            zone = None
            if entry.get("zone"):
                zone = Zone.get_or_none((Zone.site == site) & (Zone.code == entry["zone"]))
                if zone is None:
                    changes.append({"site": code, "schedule": entry["key"], "action": "skipped",
                                    "reason": f"no zone {entry['zone']}"})
                    continue
            values = {"name": entry["name"], "name_en": entry["name_en"], "checklist_key": entry["checklist"],
                      "role": entry["role"], "zone": zone.id if zone else None,
                      "checkpoint_kinds": list(entry["checkpoint_kinds"]), "rule": entry["rule"],
                      "window_minutes": entry["window_minutes"], "active": entry["active"]}
            keep.add(entry["key"])
            row = Schedule.get_or_none((Schedule.site == site) & (Schedule.key == entry["key"]))
            if row is None:
                row = Schedule.create(site=site, key=entry["key"], **values)
                action, before = "created", None
            else:
                before = _schedule_values(row)
                if before == values:
                    changes.append({"site": code, "schedule": entry["key"], "action": "unchanged"})
                    continue
                Schedule.update(**values).where(Schedule.id == row.id).execute()
                drop_future_tasks(row.id)
                action = "updated"
            changes.append({"site": code, "schedule": entry["key"], "action": action})
            if audit_fn:
                audit_fn(f"schedule.{action}", "schedule", row.id, site.id, before, values)
        gone = Schedule.select().where((Schedule.site == site) & (Schedule.active == True)  # noqa: E712
                                       & Schedule.key.not_in(list(keep) or [""]))
        for row in gone:
            Schedule.update(active=False).where(Schedule.id == row.id).execute()
            drop_future_tasks(row.id)
            changes.append({"site": code, "schedule": row.key, "action": "deactivated"})
            if audit_fn:
                audit_fn("schedule.deactivated", "schedule", row.id, site.id, {"active": True}, {"active": False})
    return changes


def _schedule_values(row):
    return {"name": row.name, "name_en": row.name_en, "checklist_key": row.checklist_key, "role": row.role,
            "zone": row.zone_id, "checkpoint_kinds": list(row.checkpoint_kinds or []), "rule": row.rule,
            "window_minutes": row.window_minutes, "active": row.active}
