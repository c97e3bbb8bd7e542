"""Plain gen_* functions that make test data (CTFd style)."""
from api.demo import org as demo_org

PASSWORD = "test-pass-123"


def gen_org():
    """The demo organisation (sites, zones, users, checkpoints) plus checklists when present."""
    ctx = {"password": PASSWORD, "echo": lambda *a, **k: None, "days": 0, "seed": 1}
    demo_org.run(ctx)
    import importlib.util

    if importlib.util.find_spec("api.demo.checklists"):
        from api.demo import checklists as demo_checklists

        demo_checklists.run(ctx)
    return ctx
