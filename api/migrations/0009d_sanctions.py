"""seedrules: sanctions on the ledger (sanction) and the supervisor's share verified
(supervisor_verification), seed 004 4.2.3/4.2.4/4.2.6 and seed 003 第十九条."""
from peewee import (AutoField, BooleanField, CharField, DateTimeField, DecimalField, ForeignKeyField, Model,
                    TextField)


def _models(db):
    def ref(name):
        class Meta:
            database = db
            table_name = name

        return type(name.title().replace("_", ""), (Model,), {"id": AutoField(), "Meta": Meta})

    Site, User, Deduction, ServiceRequest = ref("site"), ref("user"), ref("deduction"), ref("service_request")

    class Sanction(Model):
        id = AutoField()
        site = ForeignKeyField(Site, on_delete="CASCADE", column_name="site_id")
        month = CharField(max_length=7)
        staff = ForeignKeyField(User, on_delete="RESTRICT", column_name="staff_id")
        kind = CharField(max_length=16)
        amount = DecimalField(max_digits=12, decimal_places=2, auto_round=True, default=0)
        reason = TextField()
        request = ForeignKeyField(ServiceRequest, null=True, on_delete="SET NULL", column_name="request_id")
        decided_by = ForeignKeyField(User, on_delete="RESTRICT", column_name="decided_by_id")
        decided_at = DateTimeField()
        carried_out_by = ForeignKeyField(User, null=True, on_delete="SET NULL", column_name="carried_out_by_id")
        carried_out_at = DateTimeField(null=True)
        carried_out_note = TextField(default="")

        class Meta:
            database = db
            table_name = "sanction"
            legacy_table_names = False
            indexes = ((("site", "month", "staff", "kind"), True),)

    class SupervisorVerification(Model):
        id = AutoField()
        deduction = ForeignKeyField(Deduction, unique=True, on_delete="CASCADE", column_name="deduction_id")
        verified = BooleanField()
        finding = TextField()
        verified_by = ForeignKeyField(User, on_delete="RESTRICT", column_name="verified_by_id")
        verified_at = DateTimeField()

        class Meta:
            database = db
            table_name = "supervisor_verification"
            legacy_table_names = False

    return [Sanction, SupervisorVerification]


def up(db, migrator):
    db.create_tables(_models(db), safe=True)


def down(db, migrator):
    db.drop_tables(_models(db), safe=True)
