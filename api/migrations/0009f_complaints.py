"""seedrules: complaint_record (validity, reply, general property manager), incoming_mail (收文登记本),
revisit_referral (unsatisfied repair revisits passed to the department head)."""
from peewee import (AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    TextField)


def _models(db):
    def ref(name):
        class Meta:
            database = db
            table_name = name

        return type(name.title().replace("_", ""), (Model,), {"id": AutoField(), "Meta": Meta})

    Site, User, ServiceRequest = ref("site"), ref("user"), ref("service_request")

    class Meta:
        database = db
        legacy_table_names = False

    class ComplaintRecord(Model):
        id = AutoField()
        request = ForeignKeyField(ServiceRequest, unique=True, on_delete="CASCADE", column_name="request_id")
        valid = BooleanField(null=True)
        validity_reason = TextField(default="")
        judged_by = ForeignKeyField(User, null=True, on_delete="SET NULL", column_name="judged_by_id")
        judged_at = DateTimeField(null=True)
        reply_method = CharField(max_length=8, null=True)
        reply_text = TextField(default="")
        replied_by = ForeignKeyField(User, null=True, on_delete="SET NULL", column_name="replied_by_id")
        replied_at = DateTimeField(null=True)
        gm_reason = TextField(default="")
        gm_referred_by = ForeignKeyField(User, null=True, on_delete="SET NULL", column_name="gm_referred_by_id")
        gm_referred_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "complaint_record"
            legacy_table_names = False

    class IncomingMail(Model):
        id = AutoField()
        site = ForeignKeyField(Site, on_delete="CASCADE", column_name="site_id")
        year = IntegerField()
        number = IntegerField()
        request = ForeignKeyField(ServiceRequest, unique=True, on_delete="CASCADE", column_name="request_id")
        sender = CharField(max_length=120)
        subject = CharField(max_length=200)
        received_at = DateTimeField()
        reported_to = CharField(max_length=120)
        registered_by = ForeignKeyField(User, on_delete="RESTRICT", column_name="registered_by_id")
        registered_at = DateTimeField()
        answered_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "incoming_mail"
            legacy_table_names = False
            indexes = ((("site", "year", "number"), True),)

    class RevisitReferral(Model):
        id = AutoField()
        request = ForeignKeyField(ServiceRequest, on_delete="CASCADE", column_name="request_id")
        head = ForeignKeyField(User, on_delete="RESTRICT", column_name="head_id")
        referred_at = DateTimeField()
        note = TextField(default="")

        class Meta:
            database = db
            table_name = "revisit_referral"
            legacy_table_names = False
            indexes = ((("request", "head", "referred_at"), True),)

    return [ComplaintRecord, IncomingMail, RevisitReferral]


def up(db, migrator):
    db.create_tables(_models(db), safe=True)


def down(db, migrator):
    db.drop_tables(_models(db), safe=True)
