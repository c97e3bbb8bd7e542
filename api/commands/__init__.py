"""Sub-command groups of the ``patrol`` CLI, one module each (``command`` in each), registered by
``api.cli``; they share ``connect()`` from here, so no command imports the CLI that registers it."""
from api.config import Config
from api.db import db, init_db


def connect():
    """Bind and open the configured database; returns the configuration."""
    cfg = Config()
    init_db(cfg.DATABASE_URL, cfg.PATROL_SQLITE_SYNCHRONOUS)
    db.connect(reuse_if_open=True)
    from api.domain import policy

    policy.configure(cfg.PATROL_CHECKLISTS_DIR)
    return cfg
