"""Sanctions (行政处分) and the supervisor's share verified (经查实)."""
from marshmallow import ValidationError, fields, validate

from api.resources.common import OutSchema, QuerySchema, StrictSchema, UtcDateTime
from api.resources.ledger.schemas import Money

def _fine_range(value):
    # a callable, not validate.Range: apispec would document a Decimal bound as the string "100000.00"
    if value is not None and not (0 <= value <= 100000):
        raise ValidationError("A fine from 0 to 100000 yuan.")


MONTH = [validate.Length(max=7), validate.Regexp(r"^20\d{2}-(0[1-9]|1[0-2])$", error="A month as YYYY-MM, e.g. 2026-03.")]


class SanctionIn(StrictSchema):
    site_id = fields.Integer(required=True)
    month = fields.String(required=True, validate=MONTH)
    staff_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(
        ["warning", "fine", "demerit", "dismissal", "basic_wage_only", "self_criticism"]), metadata={
        "description": "行政警告 warning / 行政罚款 fine / 行政记过 demerit (11–19 points), 开除 dismissal (20+); for a "
                       "hidden or missed complaint (request_id): self_criticism, basic_wage_only, dismissal"})
    amount = fields.Decimal(places=2, as_string=True, allow_none=True,
                            validate=_fine_range, metadata={"description": "fine only, yuan (0 to 100000)"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    request_id = fields.Integer(allow_none=True, metadata={"description": "The hidden or missed complaint"})


class SanctionListArgs(QuerySchema):
    site_id = fields.Integer()
    month = fields.String(validate=MONTH)


class CarryOutIn(StrictSchema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class SanctionOut(OutSchema):
    id = fields.Integer()
    site_id = fields.Integer()
    month = fields.String()
    staff_id = fields.Integer()
    kind = fields.String()
    name = fields.Function(lambda s: __import__("api.domain.sanctions", fromlist=["NAMES"]).NAMES[s.kind][0])
    amount = Money()
    reason = fields.String()
    request_id = fields.Integer(allow_none=True)
    decided_by_id = fields.Integer()
    decided_at = UtcDateTime()
    carried_out_by_id = fields.Integer(allow_none=True)
    carried_out_at = UtcDateTime(allow_none=True)
    carried_out_note = fields.String()


class SanctionList(OutSchema):
    items = fields.List(fields.Nested(SanctionOut))


class VerificationIn(StrictSchema):
    verified = fields.Boolean(required=True, metadata={"description": "The supervisor does share responsibility"})
    finding = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class VerificationOut(OutSchema):
    id = fields.Integer()
    deduction_id = fields.Integer()
    verified = fields.Boolean()
    finding = fields.String()
    verified_by_id = fields.Integer()
    verified_at = UtcDateTime()
