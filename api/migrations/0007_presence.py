"""Proof of presence on inspections: how the guard showed they were at the checkpoint.

``presence_method`` qr / nfc / gps / typed (null: a phone that did not say), the GPS fix's
accuracy and distance from the checkpoint, the reason a code was typed, and the flag a supervisor
sees (``typed_code``, ``outside_radius``, ``poor_accuracy``, ``no_checkpoint_position``,
``nfc_unregistered``; null: nothing to look at). Columns only, all nullable or defaulted.
"""
from peewee import CharField, FloatField, TextField
from playhouse.migrate import migrate

COLUMNS = {
    "presence_method": CharField(max_length=8, null=True),
    "presence_accuracy_m": FloatField(null=True),
    "presence_distance_m": FloatField(null=True),
    "presence_reason": TextField(default=""),
    "presence_flag": CharField(max_length=24, null=True),
}


def up(db, migrator):
    migrate(*[migrator.add_column("inspection", name, field) for name, field in COLUMNS.items()])


def down(db, migrator):
    migrate(*[migrator.drop_column("inspection", name) for name in COLUMNS])
