"""Demo step: load the shipped checklists and schedules, and lay out the demo days' tasks."""
import os
from datetime import timedelta

from api.config import Config


def checklists_dir():
    """PATROL_CHECKLISTS_DIR from the running app's config, else from the environment."""
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("PATROL_CHECKLISTS_DIR"):
        return current_app.config["PATROL_CHECKLISTS_DIR"]
    return Config().PATROL_CHECKLISTS_DIR


def run(ctx):
    from api.audit import audit
    from api.domain.catalog_sync import sync
    from api.domain.schedules import ensure_days, local_today, mark_missed
    from api.models import Site, utcnow

    directory = checklists_dir()
    result = sync(directory, audit_fn=audit)
    changed = [c for c in result["checklists"] if c["action"] != "unchanged"]
    sched_changed = [s for s in result["schedules"] if s["action"] != "unchanged"]
    sites = list(Site.select().order_by(Site.id))
    made = 0
    if sites:
        today = local_today(sites[0].timezone)
        # the demo's past days get their tasks now, so the history step's inspections complete
        # them and what nobody did shows as missed
        made = ensure_days(sites, today - timedelta(days=int(ctx.get("days") or 0)), today)
        mark_missed(utcnow())
    ctx["checklists"] = result
    ctx["echo"](f"demo: {len(result['checklists'])} checklists from {os.path.abspath(directory)} "
                f"({len(changed)} new versions), {len(sched_changed)} schedule changes, {made} tasks")
