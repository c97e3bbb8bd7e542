"""Policy versions in the database (policy_version): the shipped policy.yaml becomes the first
version the first time the policy is read (api.domain.policy.ensure_initial_policy)."""
from peewee import DateField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


def _frozen(db):
    class User(Model):  # only the key the foreign key points at
        class Meta:
            database = db
            table_name = "user"

    class PolicyVersion(Model):
        effective_from = DateField(index=True)
        body = TextField()
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        created_at = DateTimeField()
        note = TextField(default="")
        based_on = IntegerField(null=True)

        class Meta:
            database = db
            table_name = "policy_version"
            legacy_table_names = False  # index names as the live models make them (policy_version_...)

    return PolicyVersion


def up(db, migrator):
    db.create_tables([_frozen(db)])


def down(db, migrator):
    db.drop_tables([_frozen(db)])
