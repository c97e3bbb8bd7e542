"""Every resource blueprint, registered in this order under /api/v1."""
import importlib
import importlib.util
import logging

RESOURCES = [
    "auth", "me", "sites", "checkpoints", "checklists", "tasks", "photos", "inspections",
    "findings", "work_orders", "deductions", "ledger", "reports", "policy", "requests", "users", "audit",
    "rounds",
    "holidays", "appeal_chain", "handover", "sanctions", "performance", "complaints",
    "corrective_actions",
    "notifications",
    "sync",
    "zones", "buildings", "units", "schedules", "imports",
    "vocabulary",
    "drafts",
]

log = logging.getLogger(__name__)


def register_resources(api):
    for name in RESOURCES:
        modname = f"{__name__}.{name}.routes"
        if importlib.util.find_spec(f"{__name__}.{name}") is None or importlib.util.find_spec(modname) is None:
            log.warning("resource %s not present", name)
            continue
        module = importlib.import_module(modname)
        api.register_blueprint(module.blp, url_prefix="/api/v1" + (module.blp.url_prefix or ""))
