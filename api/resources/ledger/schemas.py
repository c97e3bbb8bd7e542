"""The monthly ledger: one line per person, totals, the posting list and the closed flag."""
from marshmallow import fields

from api.resources.common import OutSchema, QuerySchema, UtcDateTime


def Money(**kw):
    # documented as what it is on the wire: an exact decimal string ("5.00"), not a JSON number
    meta = {"type": "string", "format": "decimal", "example": "5.00", **kw.pop("metadata", {})}
    return fields.Decimal(places=2, as_string=True, metadata=meta, **kw)


class LedgerSiteArg(QuerySchema):
    site_id = fields.Integer(metadata={"description": "Needed when the caller belongs to several sites."})


class LedgerShareFor(OutSchema):
    staff_id = fields.Integer()
    name = fields.String()
    amount = Money()


class RepeatedProblem(OutSchema):
    problem_key = fields.String()
    count = fields.Integer()


class LineCorrectionOut(OutSchema):
    month = fields.String(metadata={"description": "The closed month corrected (YYYY-MM)"})
    amount = Money(metadata={"description": "Negative: given back"})
    reason = fields.String()


class LedgerLineOut(OutSchema):
    staff_id = fields.Integer()
    name = fields.String()
    username = fields.String()
    points = fields.Integer(metadata={"description": "This month's points (corrections of closed months not counted)."})
    reversed_points = fields.Integer(metadata={"description": "Points given back for closed months (negative)."})
    deduction_count = fields.Integer()
    amount = Money(metadata={"description": "points × rate, before any supervisor share"})
    supervisor_covers = Money(metadata={"description": "Part of `amount` the supervisor bears (30%)"})
    own_amount = Money(metadata={"description": "amount - supervisor_covers: what this person pays for own faults"})
    extra_fine = Money(metadata={"description": "The tier's extra fine (¥20 at 5–10 points)"})
    supervisor_share = Money(metadata={"description": "What this person pays as supervisor for others' faults"})
    supervisor_share_for = fields.List(fields.Nested(LedgerShareFor))
    correction = Money(metadata={"description": "Corrections of closed months booked here (an extra fine no longer "
                                              "due after an upheld appeal, a supervisor share undone); negative = given back"})
    corrections = fields.List(fields.Nested(LineCorrectionOut))
    total = Money(metadata={"description": "own_amount + extra_fine + supervisor_share + correction"})
    tier = fields.String(metadata={"description": "none / extra_fine / sanction / dismissal"})
    company_points = fields.Integer(metadata={"description": "The person's points this month at every site: "
                                              "they give the tier and the posting (004 4.2.2), by policy."})
    extra_fine_elsewhere = fields.Boolean(metadata={"description": "The tier's extra fine is booked at the "
                                                    "person's other site (once across the company)."})
    sanctions = fields.List(fields.Nested("SanctionOnLine"), metadata={
        "description": "Sanctions recorded for the month: 行政警告/行政罚款/行政记过/开除 (004 4.2.3–4.2.4), and "
                       "公开检讨/当月只发基本工资/解聘 for a hidden complaint (003 第十九条)"})
    sanction_fine = Money(metadata={"description": "Administrative fines of the month (in the total)"})
    basic_wage_only = fields.Boolean(metadata={"description": "Only the basic wage is paid this month (003 第十九条)"})
    perf_score = fields.Integer(allow_none=True, metadata={"description": "Performance score of the published "
                                                                          "month (of 100), the second scheme of 004"})
    perf_penalty = Money(metadata={"description": "Performance violations, 1 point = ¥10 (published month)"})
    perf_reward = Money(metadata={"description": "Performance rewards for outstanding work, 1 point = ¥10"})
    net = Money(metadata={"description": "total + perf_penalty - perf_reward: deducted (negative: a net reward)"})
    tier_name = fields.String()
    tier_name_en = fields.String()
    posting = fields.Boolean()
    posting_reasons = fields.List(fields.String())
    repeated_problems = fields.List(fields.Nested(RepeatedProblem))
    supervisor_liable_problems = fields.List(fields.String())


def _when(value):
    """A time as the API writes it (UTC with Z), whether live (datetime) or from a closed month's snapshot."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.replace(" ", "T").split(".")[0] + ("" if value.endswith("Z") else "Z")
    return UtcDateTime()._serialize(value, None, None)


class SanctionOnLine(OutSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "warning / fine / demerit / dismissal / basic_wage_only / "
                                                  "self_criticism"})
    name = fields.String()
    name_en = fields.String()
    amount = Money()
    reason = fields.String()
    request_id = fields.Integer(allow_none=True)
    decided_by_id = fields.Integer()
    decided_at = fields.Function(lambda x: _when(x.get("decided_at")))
    carried_out_by_id = fields.Integer(allow_none=True)
    carried_out_at = fields.Function(lambda x: _when(x.get("carried_out_at")))
    carried_out_note = fields.String()


class LedgerTotalsOut(OutSchema):
    sanction_fine = Money()
    perf_penalty = Money()
    perf_reward = Money()
    net = Money()
    people = fields.Integer()
    points = fields.Integer()
    reversed_points = fields.Integer()
    amount = Money()
    own_amount = Money()
    supervisor_share = Money()
    extra_fine = Money()
    total = Money()


class LedgerPostingOut(OutSchema):
    staff_id = fields.Integer()
    name = fields.String()
    username = fields.String()
    points = fields.Integer()
    tier = fields.String()
    reasons = fields.List(fields.String())


class ClosedMonthCorrectionOut(OutSchema):
    staff_id = fields.Integer()
    name = fields.String()
    booked_in = fields.String(metadata={"description": "The open month the correction is paid with"})
    amount = Money()
    extra_fine = Money(metadata={"description": "The part of `amount` that is the tier's extra fine"})
    reason = fields.String()


class LedgerOut(OutSchema):
    site_id = fields.Integer()
    site_name = fields.String()
    month = fields.String()
    closed = fields.Boolean()
    closed_at = UtcDateTime(allow_none=True)
    closed_by_id = fields.Integer(allow_none=True)
    due_to_finance = fields.Date(metadata={"description": "The ledger goes to finance by this day"})
    overdue_to_finance = fields.Boolean()
    pending_appeals = fields.Integer()
    lines = fields.List(fields.Nested(LedgerLineOut))
    totals = fields.Nested(LedgerTotalsOut)
    posting = fields.List(fields.Nested(LedgerPostingOut), metadata={
        "description": "Who is posted (公布张贴) and why; for a closed month, without notices whose appeals "
                       "were upheld after closing"})
    posting_at_close = fields.List(fields.Nested(LedgerPostingOut), metadata={
        "description": "A closed month's posting as it was closed (only when an appeal has changed it since)"})
    corrections = fields.List(fields.Nested(ClosedMonthCorrectionOut), metadata={
        "description": "A closed month's corrections booked into later months (appeals upheld after closing)"})
