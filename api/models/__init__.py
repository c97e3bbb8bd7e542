"""The domain's vocabulary as peewee models; ALL_MODELS is in dependency order."""
from api.models.base import BaseModel, JSONField, to_utc_naive, utcnow  # noqa: F401
from api.models.org import Building, Unit  # noqa: F401
from api.models.org import (ApiToken, Checkpoint, LoginFailure, Site, User, UserSite, Zone,  # noqa: F401
                            ZoneResponsible, ROLES, FIELD_ROLES, DESK_ROLES, TRADES)
from api.models.checklists import Checklist, ChecklistVersion, Schedule, Task  # noqa: F401
from api.models.inspections import (Finding, FindingPhoto, Inspection, ItemResult,  # noqa: F401
                                    ItemResultPhoto, Photo, PhotoSite, PRIORITIES)
from api.models.workorders import (WorkOrder, WorkOrderEvent, WorkOrderFinding,  # noqa: F401
                                   WorkOrderPhoto, WORK_ORDER_STATUSES)
from api.models.deductions import Appeal, Deduction, DeductionPhoto, LedgerCorrection, LedgerMonth  # noqa: F401
from api.models.requests import RequestEvent, RequestPhoto, ServiceRequest  # noqa: F401
from api.models.audit import AuditLog, IdempotencyRecord  # noqa: F401
from api.models.calendar import HolidayDay, HOLIDAY_KINDS  # noqa: F401
from api.models.appeals import AppealStep  # noqa: F401
from api.models.handover import LedgerHandover  # noqa: F401
from api.models.sanctions import Sanction, SupervisorVerification, SANCTION_KINDS  # noqa: F401
from api.models.performance import (PerformanceEntry, PerformanceMonth, PERFORMANCE_CATEGORIES,  # noqa: F401
                                    PERFORMANCE_PERIODS)
from api.models.complaints import ComplaintRecord, IncomingMail, RevisitReferral, REPLY_METHODS  # noqa: F401
from api.models.corrective import CorrectiveAction, ACTION_KINDS, ACTION_SOURCES  # noqa: F401
from api.models.notifications import (AppSecret, Notification, NotificationChannel, NotifyPref,  # noqa: F401
                                      PushSubscription, CHANNEL_KINDS)
from api.models.uploads import PhotoUpload, VoiceNote  # noqa: F401
from api.models.policy import PolicyVersion  # noqa: F401
from api.models.drafts import FormDraft  # noqa: F401

ALL_MODELS = [
    Site, Zone, User, UserSite, ZoneResponsible, ApiToken, LoginFailure, Checkpoint,
    Building, Unit,
    Checklist, ChecklistVersion, Schedule, Task,
    Photo, PhotoSite, Inspection, ItemResult, ItemResultPhoto, Finding, FindingPhoto,
    WorkOrder, WorkOrderFinding, WorkOrderEvent, WorkOrderPhoto,
    Deduction, DeductionPhoto, Appeal, LedgerMonth, LedgerCorrection,
    ServiceRequest, RequestEvent, RequestPhoto,
    AuditLog, IdempotencyRecord,
    HolidayDay, AppealStep, LedgerHandover, Sanction, SupervisorVerification,
    PerformanceEntry, PerformanceMonth, ComplaintRecord, IncomingMail, RevisitReferral, CorrectiveAction,
    NotificationChannel, Notification, PushSubscription, NotifyPref, AppSecret,
    PhotoUpload, VoiceNote,
    PolicyVersion,
    FormDraft,
]
