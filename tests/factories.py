"""Plain gen_* functions that make test data (CTFd style)."""
from api.demo import checklists as demo_checklists
from api.demo import org as demo_org

PASSWORD = "test-pass-123"


def gen_org():
    """The demo organisation (sites, zones, users, checkpoints) and the checklists."""
    ctx = {"password": PASSWORD, "echo": lambda *a, **k: None, "days": 0, "seed": 1}
    demo_org.run(ctx)
    demo_checklists.run(ctx)
    return ctx
