"""The policy file's format (policy.yaml), validated the way the API validates input, and ``Policy``:
the validated policy as a dict with a few readable helpers."""
import copy
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import (RAISE, Schema, ValidationError, fields, validate, validates,
                         validates_schema)

from api.domain.vocabulary import PRIORITIES, TRADES


TIERS = ("extra_fine", "sanction", "dismissal")
TIER_ORDER = ("none",) + TIERS


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _money(**kw):
    return fields.Decimal(places=2, as_string=False, validate=validate.Range(min=Decimal("0")), **kw)


def _hours(**kw):
    return fields.Float(validate=validate.Range(min=0, min_inclusive=False), allow_none=True, **kw)


class TierSchema(_Strict):
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    min_points = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    extra_fine = _money(required=True)


class PostingSchema(_Strict):
    min_points = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    same_problem_times = fields.Integer(required=True, strict=True, validate=validate.Range(min=2))


class SplitSchema(_Strict):
    staff_percent = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    supervisor_percent = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))

    @validates_schema
    def _sums_to_100(self, data, **kw):
        if data.get("staff_percent", 0) + data.get("supervisor_percent", 0) != 100:
            raise ValidationError("staff_percent and supervisor_percent must add up to 100.",
                                  "supervisor_percent")


class DeductionPolicySchema(_Strict):
    yuan_per_point = _money(required=True)
    tiers = fields.List(fields.Nested(TierSchema), required=True, validate=validate.Length(min=1))
    posting = fields.Nested(PostingSchema, required=True)
    supervisor_split = fields.Nested(SplitSchema, required=True)
    same_problem_brings_in_supervisor = fields.Integer(required=True, strict=True,
                                                       validate=validate.Range(min=2))
    ledger_due_day = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=28))
    closed_month = fields.String(required=True, validate=validate.OneOf(["refuse"]))
    # whose monthly total gives the tier and the posting (004 4.2.2 違規責任人每月累計扣分): the person's
    # across the company (default), or per management office (site)
    count_points_per = fields.String(load_default="person", validate=validate.OneOf(["person", "site"]))

    @validates("tiers")
    def _ascending(self, tiers, **kw):
        mins = [t["min_points"] for t in tiers]
        if mins != sorted(set(mins)):
            raise ValidationError("Tiers must be listed with strictly increasing min_points.")
        names = [t["tier"] for t in tiers]
        if len(set(names)) != len(names):
            raise ValidationError("Each tier may appear only once.")


class PriorityHours(_Strict):
    emergency = _hours(required=True)
    normal = _hours(required=True)
    planned = _hours(required=True)


class PartialPriorityHours(_Strict):
    emergency = _hours()
    normal = _hours()
    planned = _hours()


class EscalationSchema(_Strict):
    supervisor_after_hours = fields.Float(required=True, validate=validate.Range(min=0))
    manager_after_hours = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))


class WorkOrderPolicySchema(_Strict):
    respond_hours = fields.Nested(PriorityHours, required=True)
    resolve_hours = fields.Nested(PriorityHours, required=True)
    time_limits = fields.Dict(keys=fields.String(validate=validate.OneOf(TRADES)),
                              values=fields.Nested(PartialPriorityHours), load_default=dict)
    planned_resolve_time = fields.Time(required=True)
    revisit_working_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=30))
    escalation = fields.Nested(EscalationSchema, required=True)
    # which orders guards, cleaners and technicians may open: their own, or also their zones'
    field_staff_see = fields.String(load_default="assigned", validate=validate.OneOf(["assigned", "zone"]))

    @validates("resolve_hours")
    def _resolve_all_set(self, value, **kw):
        missing = [p for p in PRIORITIES if value.get(p) is None]
        if missing:
            raise ValidationError(f"Every priority needs a resolve limit (missing: {', '.join(missing)}).")


class ComplaintPolicySchema(_Strict):
    desk_same_day = fields.Boolean(required=True)
    transfer_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=60))
    transfer_days_kind = fields.String(required=True, validate=validate.OneOf(["calendar", "working"]))
    urgent_to_duty_manager = fields.Boolean(load_default=True)
    # special/urgent complaints (特殊或紧急投诉): up to this many days (seed 003 暂行规定 6)
    special_days = fields.Integer(load_default=3, strict=True, validate=validate.Range(min=1, max=60))
    special_days_kind = fields.String(load_default="calendar", validate=validate.OneOf(["calendar", "working"]))
    # optional: a late-evening complaint gets at least this many hours (None: strictly the same day)
    desk_min_hours = _hours(load_default=None)
    # a request registered this long after it was received is flagged "registered late" (迟报)
    register_within_hours = fields.Float(load_default=2, validate=validate.Range(min=0, min_inclusive=False))


APPEAL_LEVELS = ("department_head", "office_director", "office_manager")
DEFAULT_APPEALS = {"levels": [{"level": "department_head", "roles": ["supervisor", "manager", "admin"]},
                              {"level": "office_director", "roles": ["manager", "admin"]},
                              {"level": "office_manager", "roles": ["manager", "admin"]}],
                   "retaliation_starts_at": "office_director"}


class AppealLevelSchema(_Strict):
    level = fields.String(required=True, validate=validate.OneOf(APPEAL_LEVELS))
    roles = fields.List(fields.String(validate=validate.OneOf(["supervisor", "manager", "admin"])), required=True,
                        validate=validate.Length(min=1))


class AppealPolicySchema(_Strict):
    """申诉 (seed 004 4.3): the chain of levels, lowest first, and who decides at each."""

    levels = fields.List(fields.Nested(AppealLevelSchema), required=True, validate=validate.Length(min=1, max=3))
    # an appeal about retaliation by an inspector (4.3.1) starts above the inspector's own department
    retaliation_starts_at = fields.String(load_default="office_director", validate=validate.OneOf(APPEAL_LEVELS))

    @validates_schema
    def _in_order(self, data, **kw):
        names = [lv["level"] for lv in data.get("levels", [])]
        if names != [n for n in APPEAL_LEVELS if n in names]:
            raise ValidationError("Levels go up in the order department_head, office_director, office_manager, "
                                  "each once.", "levels")
        if data.get("retaliation_starts_at") and data["retaliation_starts_at"] not in names:
            raise ValidationError("Must be one of the levels listed.", "retaliation_starts_at")


PERFORMANCE_DEFAULT = {"yuan_per_point": "10.00",
                       "categories": {"dedication": 15, "coordination": 15, "innovation": 15, "discipline": 15,
                                      "teamwork_service": 15, "incidents_complaints": 25}}


class PerformancePolicySchema(_Strict):
    """绩效考核 (seed 004, second scheme): category maxima and the rate for penalties and rewards."""

    yuan_per_point = _money(required=True)
    categories = fields.Dict(keys=fields.String(validate=validate.OneOf(
        ["dedication", "coordination", "innovation", "discipline", "teamwork_service", "incidents_complaints"])),
        values=fields.Integer(strict=True, validate=validate.Range(min=1, max=100)), required=True,
        validate=validate.Length(min=1))


class ZoneRankingSchema(_Strict):
    pass_rate_weight = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    on_time_weight = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    rework_weight = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=100))
    complaint_weight = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=100))
    complaint_allowance = fields.Integer(load_default=5, strict=True, validate=validate.Range(min=1, max=1000))


PRESENCE_METHODS = ("qr", "nfc", "gps", "typed")


def _methods(**kw):
    return fields.List(fields.String(validate=validate.OneOf(PRESENCE_METHODS)),
                       validate=validate.Length(min=1), **kw)


class PresencePolicySchema(_Strict):
    """巡更到位: which proofs of presence count, per checkpoint or kind of checkpoint."""
    radius_m = fields.Float(load_default=60, validate=validate.Range(min=1, max=10000))
    max_accuracy_m = fields.Float(load_default=100, validate=validate.Range(min=1, max=100000))
    outside_radius = fields.String(load_default="flag", validate=validate.OneOf(["flag", "refuse"]))
    missing = fields.String(load_default="allow", validate=validate.OneOf(["allow", "flag", "refuse"]))
    typed_needs_reason = fields.Boolean(load_default=True)
    default = _methods(load_default=lambda: list(PRESENCE_METHODS))
    by_kind = fields.Dict(keys=fields.String(), values=_methods(), load_default=dict)
    by_checkpoint = fields.Dict(keys=fields.String(), values=_methods(), load_default=dict)


class PhonePolicySchema(_Strict):
    """The phone app: what its photo picker takes, when a failing entry is set aside."""
    max_photo_mb = fields.Float(load_default=25, validate=validate.Range(min=0.1, max=500))
    set_aside_after_tries = fields.Integer(load_default=3, strict=True, validate=validate.Range(min=1, max=50))


class PhotoPolicySchema(_Strict):
    long_edge_px = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=20000))
    jpeg_quality = fields.Float(required=True, validate=validate.Range(min=0.3, max=1.0))


class PolicySchema(_Strict):
    timezone = fields.String(required=True)
    deductions = fields.Nested(DeductionPolicySchema, required=True)
    work_orders = fields.Nested(WorkOrderPolicySchema, required=True)
    complaints = fields.Nested(ComplaintPolicySchema, required=True)
    zone_ranking = fields.Nested(ZoneRankingSchema, load_default=lambda: {
        "pass_rate_weight": 70, "on_time_weight": 30, "rework_weight": 0, "complaint_weight": 0,
        "complaint_allowance": 5})
    presence = fields.Nested(PresencePolicySchema, load_default=lambda: PresencePolicySchema().load({}))
    phone = fields.Nested(PhonePolicySchema, load_default=lambda: PhonePolicySchema().load({}))
    appeals = fields.Nested(AppealPolicySchema, load_default=lambda: copy.deepcopy(DEFAULT_APPEALS))
    # which schemes of seed 004 the company runs: the points-deduction ledger, the performance scores, or both
    schemes = fields.List(fields.String(validate=validate.OneOf(["deductions", "performance"])),
                          load_default=lambda: ["deductions", "performance"], validate=validate.Length(min=1))
    performance = fields.Nested(PerformancePolicySchema, load_default=lambda: copy.deepcopy(PERFORMANCE_DEFAULT))
    photos = fields.Nested(PhotoPolicySchema, load_default=lambda: {"long_edge_px": 1600, "jpeg_quality": 0.8})

    @validates("timezone")
    def _tz(self, value, **kw):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"Unknown time zone {value!r}.")


class Policy(dict):
    """The validated policy: a dict with a few readable helpers."""

    @property
    def tz(self):
        return ZoneInfo(self["timezone"])

    @property
    def yuan_per_point(self):
        return self["deductions"]["yuan_per_point"]

    def respond_hours(self, priority):
        return self["work_orders"]["respond_hours"].get(priority)

    def resolve_hours(self, priority, trade=None, item_hours=None):
        """The time-limit table: a checklist item's own limit, else the trade's, else the priority's."""
        if item_hours:
            return float(item_hours)
        by_trade = self["work_orders"]["time_limits"].get(trade or "", {})
        if by_trade.get(priority):
            return by_trade[priority]
        return self["work_orders"]["resolve_hours"][priority]
