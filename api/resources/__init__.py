"""Every resource blueprint, registered in this order under /api/v1."""
import importlib

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
]


def register_resources(api):
    for name in RESOURCES:
        module = importlib.import_module(f"{__name__}.{name}.routes")
        api.register_blueprint(module.blp, url_prefix="/api/v1" + (module.blp.url_prefix or ""))
