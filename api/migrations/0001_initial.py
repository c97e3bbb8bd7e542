"""The first schema: every table of the models as they stood at the first release."""
from api.models import ALL_MODELS


def up(db, migrator):
    db.create_tables(ALL_MODELS)


def down(db, migrator):
    db.drop_tables(list(reversed(ALL_MODELS)))
