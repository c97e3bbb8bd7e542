"""The product's vocabulary, once: roles, trades, priorities, every status set and state machine, and
their Chinese and English labels. Models, domain modules, the API's ``/vocabulary`` and (through it)
the console and the phone app all read these; nothing else defines them.

Pure data and small pure functions: no imports from the rest of ``api``.
"""
# --- people --------------------------------------------------------------------------------
ROLES = ("guard", "cleaner", "technician", "service", "supervisor", "manager", "admin")
FIELD_ROLES = ("guard", "cleaner", "technician")
DESK_ROLES = ("service", "supervisor", "manager", "admin")
SUPERVISING = ("supervisor", "manager", "admin")
MANAGING = ("manager", "admin")
REVISITING = SUPERVISING + ("service",)
ASSIGNABLE = FIELD_ROLES + ("supervisor",)  # who may be given a work order (a supervisor takes any trade's)
FRONT_LINE = FIELD_ROLES + ("service",)  # whom a fault notice is usually written to (the desk lists them first)
ROLE_GROUPS = {"field": FIELD_ROLES, "desk": DESK_ROLES, "supervising": SUPERVISING, "managing": MANAGING,
               "revisiting": REVISITING, "assignable": ASSIGNABLE, "front_line": FRONT_LINE}

# --- work ----------------------------------------------------------------------------------
TRADES = ("cleaning", "engineering", "security", "landscaping", "customer_service")
DEPARTMENTS = tuple(t for t in TRADES if t != "customer_service")
PRIORITIES = ("emergency", "normal", "planned")

# --- work orders ---------------------------------------------------------------------------
WORK_ORDER_STATUSES = ("open", "assigned", "accepted", "in_progress", "done", "verified", "cancelled")
WORK_ORDER_ACTIVE = ("open", "assigned", "accepted", "in_progress", "done")
WORK_ORDER_OPEN = ("open", "assigned", "accepted", "in_progress")
# action -> (statuses it may start from, status it leads to; None: decided by the action)
WORK_ORDER_TRANSITIONS = {
    "assign": (("open", "assigned", "accepted"), "assigned"),
    "accept": (("assigned",), "accepted"),
    "start": (("accepted",), "in_progress"),
    "finish": (("accepted", "in_progress"), "done"),
    "verify": (("done",), None),
    "reopen": (("done", "verified"), None),
    "cancel": (("open", "assigned", "accepted", "in_progress"), "cancelled"),
}
# who may take each action: api/domain/permissions.py (the permission table)

# --- findings ------------------------------------------------------------------------------
FINDING_STATUSES = ("open", "in_work", "resolved", "dismissed")
FINDING_TRANSITIONS = {"open": ("in_work", "dismissed", "resolved"), "in_work": ("resolved", "open"),
                       "resolved": ("in_work",), "dismissed": ()}

# --- service requests (客服单) -----------------------------------------------------------------
REQUEST_KINDS = ("complaint", "repair", "suggestion")
REQUEST_CHANNELS = ("phone", "visit", "wechat", "patrol", "letter")  # letter: 来函 (seed 003 暂行规定 2)
REQUEST_STATUSES = ("open", "handling", "transferred", "done", "closed", "cancelled")
REQUEST_ACTIVE = ("open", "handling", "transferred")
REQUEST_CATEGORIES = ("water_leak", "lift", "noise", "parking", "cleaning", "security", "lighting",
                      "drainage", "greenery", "facility", "fees", "other")
REQUEST_FAULTS = ("hidden", "late_registration", "overdue")
REQUEST_TRANSITIONS = {
    "handle": (("open",), "handling"),
    "transfer": (("open", "handling", "transferred"), "transferred"),
    "complete": (("handling", "transferred"), "done"),
    "reopen": (("done", "closed"), None),
    "cancel": (("open", "handling"), "cancelled"),
}

# --- deductions and appeals ------------------------------------------------------------------
DEDUCTION_STATUSES = ("active", "voided")
APPEAL_STATUSES = ("pending", "upheld", "rejected")
APPEAL_TRANSITIONS = {"decide": (("pending",), None)}
DEDUCTION_TRANSITIONS = {"void": (("active",), "voided")}
TIERS = ("none", "extra_fine", "sanction", "dismissal")
TASK_STATUSES = ("due", "done", "missed")
CHECKPOINT_KINDS = ("lobby", "car_park", "road_lamp", "road", "drain_cover", "repair_site")
SITE_KINDS = ("residential", "office", "commercial")

# --- notifications ---------------------------------------------------------------------------
CHANNEL_KINDS = ("wecom", "dingtalk", "feishu", "webhook", "email")  # what a site configures
DELIVERY_KINDS = CHANNEL_KINDS + ("webpush",)  # and a user's own phone
NOTIFICATION_EVENTS = ("work_order_assigned", "emergency_finding", "emergency_order", "deadline_missed",
                       "work_order_escalated", "missed_round", "request_escalated", "revisit_due", "appeal_filed",
                       "appeal_decided", "ledger_due", "morning_briefing", "complaint_summary", "weekly_report",
                       "test")
NOTIFICATION_STATUSES = ("pending", "sending", "sent", "failed")

# --- labels: kind -> value -> (中文, English) ----------------------------------------------------
LABELS = {
    "role": {
        "guard": ("秩序维护员", "Guard"), "cleaner": ("保洁员", "Cleaner"), "technician": ("维修工", "Technician"),
        "service": ("客服", "Customer service"), "supervisor": ("主管", "Supervisor"),
        "manager": ("管理处经理", "Manager"), "admin": ("系统管理员", "Administrator"),
    },
    "trade": {
        "cleaning": ("保洁", "Cleaning"), "engineering": ("工程维修", "Engineering"),
        "security": ("秩序维护", "Security"), "landscaping": ("绿化", "Landscaping"),
        "customer_service": ("客服", "Customer service"),
    },
    "priority": {
        "emergency": ("紧急（2小时响应）", "Emergency (2 h)"), "normal": ("一般（24小时响应）", "Normal (24 h)"),
        "planned": ("计划维修", "Planned"),
    },
    "finding_status": {
        "open": ("待处理", "Open"), "in_work": ("处理中", "In work"), "resolved": ("已整改", "Resolved"),
        "dismissed": ("已作废", "Dismissed"),
    },
    "wo_status": {
        "open": ("待派单", "Open"), "assigned": ("已派单", "Assigned"), "accepted": ("已接单", "Accepted"),
        "in_progress": ("维修中", "In progress"), "done": ("已完工待回访", "Done, to revisit"),
        "verified": ("已回访关闭", "Verified"), "cancelled": ("已撤销", "Cancelled"),
    },
    "wo_level": {1: ("主管", "supervisor"), 2: ("经理", "manager")},
    "wo_action": {
        "create": ("登记", "registered"), "assign": ("派单", "assign"), "accept": ("接单", "accept"),
        "start": ("开始维修", "start"), "finish": ("完工", "finish"), "verify": ("回访验收", "verify"),
        "reopen": ("退回返工", "reopen"), "cancel": ("撤销", "cancel"), "escalate": ("超时升级", "escalated"),
    },
    "wo_source": {"finding": ("巡检问题", "Finding"), "manual": ("手工登记", "By hand"),
                  "request": ("客服转单", "Service desk")},
    "tier": {
        "none": ("—", "—"), "extra_fine": ("额外罚款", "Extra fine"), "sanction": ("行政处分", "Sanction"),
        "dismissal": ("开除", "Dismissal"),
    },
    "deduction_status": {"active": ("有效", "Active"), "voided": ("已撤销", "Voided")},
    "appeal_status": {
        "pending": ("待裁决", "Pending"), "upheld": ("申诉成立", "Upheld"), "rejected": ("已驳回", "Rejected"),
    },
    "task_status": {"done": ("已完成", "Done"), "due": ("待巡检", "Due"), "missed": ("漏检", "Missed")},
    "round_timing": {"early": ("提前", "Early"), "on_time": ("按时", "On time"),
                     "late": ("迟巡（过时限，不计完成）", "Late (after the window: not counted)"),
                     "missed": ("漏检", "Missed"), "due": ("待巡", "Due")},
    "kind": {
        "lobby": ("大堂", "Lobby"), "car_park": ("车场", "Car park"), "road_lamp": ("路灯", "Road lamp"),
        "road": ("道路", "Road"), "drain_cover": ("井盖", "Drain cover"), "repair_site": ("维修点", "Repair site"),
    },
    "req_kind": {"complaint": ("投诉", "Complaint"), "repair": ("报修", "Repair"),
                 "suggestion": ("建议", "Suggestion")},
    "req_channel": {"phone": ("来电", "Phone"), "visit": ("来访", "Visit"), "wechat": ("微信", "WeChat"),
                    "patrol": ("巡查发现", "Patrol"), "letter": ("来函", "Letter")},
    "req_category": {
        "water_leak": ("漏水", "Water leak"), "lift": ("电梯", "Lift"), "noise": ("噪音", "Noise"),
        "parking": ("车场/道闸", "Parking"), "cleaning": ("清洁卫生", "Cleaning"),
        "security": ("安全秩序", "Security"), "lighting": ("照明", "Lighting"),
        "drainage": ("排水/井盖", "Drainage"), "greenery": ("绿化", "Greenery"),
        "facility": ("公共设施", "Facilities"), "fees": ("收费", "Fees"), "other": ("其他", "Other"),
    },
    "req_status": {
        "open": ("待受理", "Open"), "handling": ("客服处理中", "Handling"), "transferred": ("已转部门", "Transferred"),
        "done": ("已办结待回访", "Done, to revisit"), "closed": ("已回访关闭", "Closed"),
        "cancelled": ("已作废", "Cancelled"),
    },
    "req_level": {0: ("接待人", "Receptionist"), 1: ("客服主管", "CS supervisor"),
                  2: ("主管副总经理/值班经理", "Deputy GM / duty manager"),
                  3: ("总物业经理", "General property manager")},
    "req_fault": {"hidden": ("隐瞒投诉", "Hidden complaint"), "late_registration": ("漏记/迟报投诉", "Registered late"),
                  "overdue": ("投诉处理超时", "Handled late")},
    "req_action": {
        "register": ("登记", "registered"), "handle": ("受理", "handle"), "transfer": ("转交部门", "transfer"),
        "complete": ("办结", "complete"), "reopen": ("重新打开", "reopen"), "cancel": ("作废", "cancel"),
        "revisit": ("回访", "revisited"), "escalate": ("超时升级", "escalated"), "fault": ("开具过失单", "fault notice"),
        "orders_cancelled": ("工单取消退回", "orders cancelled"),
    },
    "req_scope": {"desk": ("客服中心处理", "Service desk"), "transferred": ("转部门处理", "Transferred")},
    "site_kind": {"residential": ("住宅小区", "Residential"), "office": ("写字楼", "Office"),
                  "commercial": ("商业", "Commercial")},
    "channel_kind": {"wecom": ("企业微信群机器人", "WeCom robot"), "dingtalk": ("钉钉群机器人", "DingTalk robot"),
                     "feishu": ("飞书群机器人", "Feishu robot"), "webhook": ("通用 Webhook", "Webhook"),
                     "email": ("邮件", "Email"), "webpush": ("手机推送", "Phone push")},
    "notification_event": {
        "work_order_assigned": ("派单给本人", "Order assigned to you"), "emergency_finding": ("紧急问题上报", "Emergency report"),
        "emergency_order": ("紧急工单", "Emergency order"), "deadline_missed": ("工单超时", "Deadline missed"),
        "work_order_escalated": ("工单超时升级", "Order escalated"), "missed_round": ("漏巡", "Missed round"),
        "request_escalated": ("客服单升级", "Request escalated"), "revisit_due": ("回访到期", "Revisit due"),
        "appeal_filed": ("扣分申诉", "Appeal filed"), "appeal_decided": ("申诉结果", "Appeal decided"),
        "ledger_due": ("台账报财务", "Ledger due"), "morning_briefing": ("每日早报", "Morning briefing"),
        "complaint_summary": ("投诉日汇总", "Complaint summary"), "weekly_report": ("周报", "Weekly report"),
        "test": ("测试消息", "Test message"),
    },
    "notification_status": {"pending": ("待重试", "Retrying"), "sending": ("发送中", "Sending"),
                            "sent": ("已送达", "Sent"), "failed": ("已放弃", "Given up")},
}

LANGS = ("zh", "en")


def label(kind, value, lang="zh"):
    """``label("wo_status", "done")`` -> 已完工待回访; the value itself when it has no label."""
    if value is None:
        return ""
    pair = LABELS.get(kind, {}).get(value)
    if pair is None:
        return str(value)
    return pair[1] if lang == "en" else pair[0]


def labels(lang="zh", kinds=None):
    """Every label (or those of ``kinds``) in one language: ``{kind: {value: text}}`` (integer values as
    strings, for JSON)."""
    i = 1 if lang == "en" else 0
    return {kind: {str(v): pair[i] for v, pair in values.items()} for kind, values in LABELS.items()
            if kinds is None or kind in kinds}


def _machine(transitions, actors, statuses):
    return {"statuses": list(statuses),
            "actions": {a: {"from": list(frm), "to": to, "who": actors.get(a, [])}
                        for a, (frm, to) in transitions.items()}}


def document(lang="zh", actors=None):
    """What ``GET /vocabulary`` serves: the sets, the state machines and the labels in one language.
    ``actors``: machine -> action -> who may take it (``permissions.machine_actors()``)."""
    actors = actors or {}
    return {
        "lang": lang,
        "roles": list(ROLES), "role_groups": {k: list(v) for k, v in ROLE_GROUPS.items()},
        "trades": list(TRADES), "departments": list(DEPARTMENTS), "priorities": list(PRIORITIES),
        "machines": {
            "work_order": _machine(WORK_ORDER_TRANSITIONS, actors.get("work_order", {}), WORK_ORDER_STATUSES),
            "request": _machine(REQUEST_TRANSITIONS, actors.get("request", {}), REQUEST_STATUSES),
            "finding": {"statuses": list(FINDING_STATUSES),
                        "next": {k: list(v) for k, v in FINDING_TRANSITIONS.items()}},
            "deduction": _machine(DEDUCTION_TRANSITIONS, actors.get("deduction", {}), DEDUCTION_STATUSES),
            "appeal": _machine(APPEAL_TRANSITIONS, actors.get("appeal", {}), APPEAL_STATUSES),
        },
        "sets": {"work_order_active": list(WORK_ORDER_ACTIVE), "work_order_open": list(WORK_ORDER_OPEN),
                 "request_active": list(REQUEST_ACTIVE), "request_kinds": list(REQUEST_KINDS),
                 "request_channels": list(REQUEST_CHANNELS), "request_categories": list(REQUEST_CATEGORIES),
                 "request_faults": list(REQUEST_FAULTS), "tiers": list(TIERS), "task_statuses": list(TASK_STATUSES),
                 "checkpoint_kinds": list(CHECKPOINT_KINDS), "site_kinds": list(SITE_KINDS),
                 "channel_kinds": list(CHANNEL_KINDS), "notification_events": list(NOTIFICATION_EVENTS),
                 "notification_statuses": list(NOTIFICATION_STATUSES)},
        "labels": labels(lang),
    }

