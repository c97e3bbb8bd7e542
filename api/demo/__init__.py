"""Demo data: two sites, their staff and checkpoints, and a month of history.

``build_demo`` is safe to run twice: every step finds what it already made.
"""
import importlib

# each step is a module of this package with run(ctx); they run in this order
STEPS = ["org", "checklists", "history", "workorders", "requests"]


def build_demo(password="patrol-demo", days=30, seed=7, echo=print):
    from api.migrations import migrate_up

    migrate_up()
    ctx = {"password": password, "days": days, "seed": seed, "echo": echo}
    for name in STEPS:
        importlib.import_module(f"{__name__}.{name}").run(ctx)
    return ctx
