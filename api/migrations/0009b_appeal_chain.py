"""seedrules: the appeal chain (seed 004 4.3): the level an appeal is at, its kind (ordinary or
retaliation by an inspector, and against whom), and every step (appeal_step)."""
from peewee import (AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    TextField)
from playhouse.migrate import migrate


def _models(db):
    class User(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "user"

    class Appeal(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "appeal"

    class AppealStep(Model):
        id = AutoField()
        appeal = ForeignKeyField(Appeal, on_delete="CASCADE", column_name="appeal_id")
        level = IntegerField()
        action = CharField(max_length=12)
        upheld = BooleanField(null=True)
        by = ForeignKeyField(User, on_delete="RESTRICT", column_name="by_id")
        at = DateTimeField()
        reason = TextField(default="")

        class Meta:
            database = db
            table_name = "appeal_step"
            legacy_table_names = False

    return User, AppealStep


def up(db, migrator):
    User, AppealStep = _models(db)
    migrate(
        migrator.add_column("appeal", "level", IntegerField(default=1)),
        migrator.add_column("appeal", "kind", CharField(max_length=12, default="ordinary")),
        migrator.add_column("appeal", "against_id", ForeignKeyField(User, null=True, on_delete="SET NULL",
                                                                    field=User.id)),  # indexed by add_column
    )
    db.create_tables([AppealStep], safe=True)


def down(db, migrator):
    db.drop_tables([_models(db)[1]], safe=True)
    migrate(
        migrator.drop_index("appeal", "appeal_against_id"),
        migrator.drop_column("appeal", "against_id"),
        migrator.drop_column("appeal", "kind"),
        migrator.drop_column("appeal", "level"),
    )
