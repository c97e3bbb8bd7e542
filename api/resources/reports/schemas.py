"""Report arguments and figures (rates are 0–1 fractions, null when there is nothing to measure)."""
from datetime import date

from marshmallow import fields, validate, validates_schema, ValidationError

from api.resources.common import OutSchema, QuerySchema


# a year outside this range is a typo; month keys and day arithmetic assume four-digit years
DAY = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31), error="A day from 2000 to 2099.")


class SummaryArgs(QuerySchema):
    site_id = fields.Integer()
    date = fields.Date(validate=DAY, metadata={"description": "Local day; default today at the site."})


class RangeArgs(QuerySchema):
    site_id = fields.Integer()
    since = fields.Date(validate=DAY, metadata={"description": "First local day; default 30 days before `until`."})
    until = fields.Date(validate=DAY, metadata={"description": "Last local day (inclusive); default today."})

    @validates_schema
    def _order(self, data, **kw):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("since must not be after until.", "since")
        if data.get("since") and data.get("until") and (data["until"] - data["since"]).days > 400:
            raise ValidationError("At most 400 days at a time.", "since")


class PassRateArgs(RangeArgs):
    group = fields.String(load_default="checklist", validate=validate.OneOf(["checklist", "zone"]))
    interval = fields.String(load_default="day", validate=validate.OneOf(["day", "week", "month"]))


class WorkOrderReportArgs(RangeArgs):
    by = fields.String(load_default="trade", validate=validate.OneOf(["trade", "zone", "person"]))


class ZoneRankingArgs(QuerySchema):
    site_id = fields.Integer()
    month = fields.String(validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
                          metadata={"description": "YYYY-MM; default this month."})


class Rounds(OutSchema):
    done = fields.Integer()
    due = fields.Integer()
    missed = fields.Integer()
    total = fields.Integer()


class SummaryOut(OutSchema):
    site_id = fields.Integer()
    date = fields.String()
    month = fields.String()
    rounds = fields.Nested(Rounds, allow_none=True)
    findings = fields.Dict(metadata={"description": "{open, in_work, new_today}"})
    work_orders = fields.Dict(metadata={"description": "{open, overdue, escalated, awaiting_revisit, "
                                                      "revisit_overdue, done_today, created_today}"})
    sla_30d = fields.Dict(metadata={"description": "{respond, resolve, mean_respond_hours, mean_resolve_hours}"})
    rework_rate_month = fields.Float(allow_none=True)
    deductions_month = fields.Dict(metadata={"description": "{points, notices, pending_appeals}"})


class PassRatePoint(OutSchema):
    key = fields.String()
    name = fields.String()
    name_en = fields.String()
    period = fields.String(metadata={"description": "First day of the day/week/month bucket"})
    passed = fields.Integer()
    failed = fields.Integer()
    inspections = fields.Integer()
    pass_rate = fields.Float(allow_none=True)


class PassRateOut(OutSchema):
    site_id = fields.Integer()
    since = fields.Date()
    until = fields.Date()
    group = fields.String()
    interval = fields.String()
    series = fields.List(fields.Nested(PassRatePoint))


class ScorePart(OutSchema):
    key = fields.String(metadata={"description": "pass_rate, on_time, rework or complaints"})
    value = fields.Float(allow_none=True)
    weight = fields.Integer()
    points = fields.Float(allow_none=True)


class ZoneRankOut(OutSchema):
    rank = fields.Integer()
    zone_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    score = fields.Float(allow_none=True, metadata={"description": "0–100, weights from policy"})
    pass_rate = fields.Float(allow_none=True)
    items_passed = fields.Integer()
    items_failed = fields.Integer()
    findings = fields.Integer()
    orders = fields.Integer()
    orders_on_time_rate = fields.Float(allow_none=True)
    orders_overdue = fields.Integer()
    orders_reopened = fields.Integer()
    orders_due = fields.Integer(metadata={"description": "Orders counted for the on-time rate"})
    orders_late = fields.Integer()
    rework_rate = fields.Float(allow_none=True)
    complaints = fields.Integer()
    deduction_points = fields.Integer()
    components = fields.List(fields.Nested(ScorePart), metadata={
        "description": "The score's parts: value 0–1, policy weight, points out of the 100"})


class ZoneRankingOut(OutSchema):
    site_id = fields.Integer()
    month = fields.String()
    zones = fields.List(fields.Nested(ZoneRankOut))


class WorkOrderFigures(OutSchema):
    key = fields.Raw(allow_none=True, metadata={"description": "trade, zone id or assignee id"})
    name = fields.String(allow_none=True)
    name_en = fields.String(allow_none=True)
    username = fields.String(allow_none=True)
    orders = fields.Integer()
    open = fields.Integer()
    overdue = fields.Integer()
    done = fields.Integer()
    verified = fields.Integer()
    cancelled = fields.Integer()
    reopened = fields.Integer()
    completed = fields.Integer()
    respond_sla = fields.Float(allow_none=True, metadata={
        "description": "Accepted by respond_by ÷ (accepted + never accepted and past respond_by)"})
    resolve_sla = fields.Float(allow_none=True, metadata={
        "description": "Done by resolve_by ÷ (done + open and past resolve_by)"})
    respond_counted = fields.Integer(metadata={"description": "The respond_sla denominator"})
    respond_late = fields.Integer()
    resolve_counted = fields.Integer(metadata={"description": "The resolve_sla denominator"})
    resolve_late = fields.Integer()
    mean_respond_hours = fields.Float(allow_none=True)
    mean_resolve_hours = fields.Float(allow_none=True, metadata={"description": "MTTR: created to done"})
    rework_rate = fields.Float(allow_none=True, metadata={"description": "Reopened ÷ completed (返修率)"})


class WorkOrderReportOut(OutSchema):
    site_id = fields.Integer()
    since = fields.Date()
    until = fields.Date()
    by = fields.String()
    overall = fields.Nested(WorkOrderFigures, allow_none=True)
    groups = fields.List(fields.Nested(WorkOrderFigures))


class RoundsReportArgs(QuerySchema):
    site_id = fields.Integer()
    date = fields.Date(validate=DAY, metadata={"description": "Local day; default today at the site."})
