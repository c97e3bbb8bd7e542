"""The policy figures as the API shows them: amounts are exact yuan strings ("5.00"), hours are numbers."""
from marshmallow import fields

from api.resources.common import OutSchema, StrictSchema, Text, UtcDateTime


def Money(**kw):
    # documented as what it is on the wire: an exact decimal string
    return fields.Decimal(places=2, as_string=True, metadata={"type": "string", "format": "decimal",
                                                               "example": "5.00"}, **kw)


def Hours(**kw):
    return fields.Float(allow_none=True, **kw)


class TierOut(OutSchema):
    tier = fields.String(metadata={"description": "extra_fine / sanction / dismissal"})
    min_points = fields.Integer(metadata={"description": "The tier runs from here up to the next tier's start."})
    extra_fine = Money()


class PostingOut(OutSchema):
    min_points = fields.Integer()
    same_problem_times = fields.Integer()


class SplitOut(OutSchema):
    staff_percent = fields.Integer()
    supervisor_percent = fields.Integer()


class DeductionPolicyOut(OutSchema):
    yuan_per_point = Money()
    tiers = fields.List(fields.Nested(TierOut))
    posting = fields.Nested(PostingOut)
    supervisor_split = fields.Nested(SplitOut)
    same_problem_brings_in_supervisor = fields.Integer()
    ledger_due_day = fields.Integer()
    closed_month = fields.String()


class PriorityHoursOut(OutSchema):
    emergency = Hours()
    normal = Hours()
    planned = Hours()


class EscalationOut(OutSchema):
    supervisor_after_hours = fields.Float()
    manager_after_hours = fields.Float()


class WorkOrderPolicyOut(OutSchema):
    respond_hours = fields.Nested(PriorityHoursOut)
    resolve_hours = fields.Nested(PriorityHoursOut)
    time_limits = fields.Dict(keys=fields.String(), values=fields.Nested(PriorityHoursOut),
                              metadata={"description": "Per trade, overriding the priority defaults."})
    planned_resolve_time = fields.Time()
    revisit_working_days = fields.Integer()
    escalation = fields.Nested(EscalationOut)


class ComplaintPolicyOut(OutSchema):
    desk_same_day = fields.Boolean()
    transfer_days = fields.Integer()
    transfer_days_kind = fields.String()
    urgent_to_duty_manager = fields.Boolean()
    desk_min_hours = Hours()
    register_within_hours = fields.Float()


class ZoneRankingPolicyOut(OutSchema):
    pass_rate_weight = fields.Integer()
    on_time_weight = fields.Integer()
    rework_weight = fields.Integer()
    complaint_weight = fields.Integer()
    complaint_allowance = fields.Integer()


class PresencePolicyOut(OutSchema):
    radius_m = fields.Float()
    max_accuracy_m = fields.Float()
    outside_radius = fields.String()
    missing = fields.String()
    typed_needs_reason = fields.Boolean()
    default = fields.List(fields.String())
    by_kind = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    by_checkpoint = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class PhonePolicyOut(OutSchema):
    max_photo_mb = fields.Float()
    set_aside_after_tries = fields.Integer()


class PhotoPolicyOut(OutSchema):
    long_edge_px = fields.Integer(metadata={"description": "The phone downscales photos to this long edge (0: as taken)."})
    jpeg_quality = fields.Float()
    send_originals_on_wifi = fields.Boolean(metadata={
        "description": "The phone also sends each full original later, only on Wi-Fi (PUT /photos/{id}/full)."})


class PolicyOut(OutSchema):
    timezone = fields.String()
    deductions = fields.Nested(DeductionPolicyOut)
    work_orders = fields.Nested(WorkOrderPolicyOut)
    complaints = fields.Nested(ComplaintPolicyOut)
    zone_ranking = fields.Nested(ZoneRankingPolicyOut)
    presence = fields.Nested(PresencePolicyOut)
    phone = fields.Nested(PhonePolicyOut)
    photos = fields.Nested(PhotoPolicyOut)


class PolicyVersionIn(StrictSchema):
    effective_from = fields.Date(required=True, metadata={"description": "In force from this day (today or later)."})
    based_on = fields.Integer(required=True, strict=True,
                              metadata={"description": "The id of the newest version the editor started from."})
    note = Text(500, load_default="")
    policy = fields.Dict(required=True, metadata={"description": "The whole policy, as GET /policy shows it."})


class PolicyVersionOut(OutSchema):
    id = fields.Integer()
    effective_from = fields.Date()
    in_force = fields.Boolean(metadata={"description": "The version in force today."})
    created_at = UtcDateTime()
    created_by_id = fields.Integer(allow_none=True)
    created_by_name = fields.String(allow_none=True)
    note = fields.String()
    based_on = fields.Integer(allow_none=True)
    policy = fields.Nested(PolicyOut)
