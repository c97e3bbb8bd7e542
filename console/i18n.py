"""Console wording in Chinese (default) and English; ``t("key")`` picks the session's language.

The Chinese is the wording a property-management office uses (巡检、工单、扣分、申诉、月度台账、片区评比),
not a translation of the English.
"""
LANGS = {"zh": "中文", "en": "English"}
DEFAULT_LANG = "zh"

# key: (中文, English)
STRINGS = {
    "app_title": ("物业巡检管理台", "Patrol console"),
    "language": ("语言 / Language", "语言 / Language"),
    # login
    "login_title": ("登录管理台", "Log in to the console"),
    "login_intro": ("主管、经理使用：巡检问题派单、扣分与月度台账。", "For supervisors and managers: dispatch findings, "
                    "deductions and the monthly ledger."),
    "username": ("账号", "Username"),
    "password": ("密码", "Password"),
    "login": ("登录", "Log in"),
    "logout": ("退出登录", "Log out"),
    "login_failed": ("账号或密码不正确。", "Wrong username or password."),
    "login_missing": ("请输入账号和密码。", "Enter your username and password."),
    "session_expired": ("登录已过期，请重新登录。", "Your session has expired; please log in again."),
    "field_staff_no_console": ("管理台供客服、主管和经理使用；一线员工请使用手机端 /m/。",
                               "The console is for service desk, supervisors and managers; field staff use the phone app at /m/."),
    "signed_in_as": ("当前用户：{name}（{role}）", "Signed in: {name} ({role})"),
    # errors
    "api_down": ("无法连接服务器，请稍后重试或联系管理员。（{detail}）",
                 "The server cannot be reached; try again shortly or call the administrator. ({detail})"),
    "api_error": ("操作未成功：{message}", "That did not work: {message}"),
    "forbidden": ("您的角色无权进行此操作：{message}", "Your role may not do this: {message}"),
    "not_found": ("找不到该记录（可能已删除或不属于您的项目）。", "Not found (deleted, or not one of your sites)."),
    "conflict": ("无法完成：{message}", "Cannot be done: {message}"),
    "fix_fields": ("请更正标红的内容后重新提交。", "Correct the fields marked below and submit again."),
    "retry": ("重试", "Retry"),
    # navigation
    "nav_today": ("今日概况", "Today"),
    "nav_findings": ("巡检问题", "Findings"),
    "nav_work_orders": ("工单", "Work orders"),
    "nav_deductions": ("扣分与台账", "Deductions"),
    "nav_reports": ("报表", "Reports"),
    "nav_checklists": ("检查表", "Checklists"),
    "nav_audit": ("操作日志", "Audit log"),
    "nav_login": ("登录", "Log in"),
    "nav_group_daily": ("日常管理", "Daily work"),
    "nav_group_analysis": ("统计与设置", "Analysis and setup"),
    # common
    "site": ("项目", "Site"),
    "all_sites": ("全部项目", "All sites"),
    "zone": ("片区", "Zone"),
    "all": ("全部", "All"),
    "date": ("日期", "Date"),
    "date_from": ("开始日期", "From"),
    "date_to": ("结束日期", "To"),
    "month": ("月份", "Month"),
    "status": ("状态", "Status"),
    "trade": ("专业", "Trade"),
    "priority": ("优先级", "Priority"),
    "checklist": ("检查表", "Checklist"),
    "checkpoint": ("巡检点", "Checkpoint"),
    "title": ("标题", "Title"),
    "note": ("备注", "Note"),
    "reason": ("理由", "Reason"),
    "points": ("扣分", "Points"),
    "staff": ("员工", "Staff"),
    "assignee": ("负责人", "Assignee"),
    "reporter": ("发现人", "Reported by"),
    "time": ("时间", "Time"),
    "created_at": ("登记时间", "Registered"),
    "select": ("选择", "Select"),
    "photos": ("照片", "Photos"),
    "no_photo": ("无照片", "No photo"),
    "none": ("无", "None"),
    "load_more": ("加载更多", "Load more"),
    "nothing_here": ("暂无记录。", "Nothing here."),
    "refresh": ("刷新", "Refresh"),
    "submit": ("提交", "Submit"),
    "cancel": ("取消", "Cancel"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "saved": ("已保存。", "Saved."),
    "details": ("详情", "Details"),
    "view_large": ("查看大图", "View large"),
    "close": ("关闭", "Close"),
    "unassigned": ("未指派", "Unassigned"),
    "default_responsible": ("默认：片区责任人", "Default: zone's responsible person"),
    # today
    "today_title": ("今日概况", "Today"),
    "rounds_done": ("已完成巡检", "Rounds done"),
    "rounds_due": ("待巡检", "Rounds due"),
    "rounds_missed": ("漏检", "Rounds missed"),
    "completion_rate": ("完成率", "Completion"),
    "open_findings": ("未处理问题", "Open findings"),
    "open_orders": ("未完成工单", "Open work orders"),
    "overdue_orders": ("超时工单", "Overdue orders"),
    "sla_rate": ("按时完成率", "On time (SLA)"),
    "rework_rate": ("返修率", "Rework rate"),
    "rounds_by_zone": ("各片区巡检完成情况", "Rounds by zone"),
    "latest_open_findings": ("最新未处理问题", "Latest open findings"),
    "overdue_list": ("超时工单", "Overdue work orders"),
    "no_tasks_today": ("今天没有排班的巡检任务。", "No rounds are scheduled for this day."),
    "count": ("数量", "Count"),
    # findings
    "findings_title": ("巡检问题", "Findings"),
    "filters": ("筛选", "Filters"),
    "found_n": ("共显示 {n} 条", "{n} shown"),
    "selected_n": ("已选 {n} 条", "{n} selected"),
    "select_hint": ("勾选问题卡片上的“选择”，然后在页面下方一次性派单和/或开具过失单。",
                    "Tick Select on the findings, then dispatch and/or deduct at the bottom in one step."),
    "act_on_selected": ("处理所选问题", "Act on the selected findings"),
    "make_order": ("生成工单", "Create a work order"),
    "one_per_finding": ("每个问题单独派一张工单", "One work order per finding"),
    "make_deductions": ("开具过失单（扣分）", "Issue fault notices (deductions)"),
    "supervisor_shares": ("主管连带责任（员工70%／主管30%）", "Supervisor shares liability (70% staff / 30% supervisor)"),
    "deduct_staff": ("扣分对象", "Person penalised"),
    "points_each": ("每条扣分（留空用检查表默认分值）", "Points each (empty: the checklist's default)"),
    "do_it": ("确认处理", "Do it"),
    "pick_one_action": ("请至少选择生成工单或开具过失单之一。", "Choose a work order, deductions, or both."),
    "pick_findings": ("请先勾选问题。", "Tick at least one finding first."),
    "order_created": ("已生成工单 {ids}", "Work order(s) created: {ids}"),
    "deductions_created": ("已开具过失单 {n} 张", "{n} fault notice(s) issued"),
    "dismiss": ("作废此问题", "Dismiss"),
    "dismiss_reason": ("作废理由", "Reason for dismissing"),
    "preview_of": ("问题 #{id} 照片", "Finding #{id} photos"),
    "description": ("说明", "Description"),
    # work orders
    "wo_title": ("工单看板", "Work-order board"),
    "overdue_only": ("只看超时", "Overdue only"),
    "respond_by": ("响应时限", "Respond by"),
    "resolve_by": ("完成时限", "Resolve by"),
    "revisit_due": ("回访期限", "Revisit by"),
    "left": ("剩余 {d}", "{d} left"),
    "overdue_by": ("已超时 {d}", "Overdue by {d}"),
    "open_order": ("打开工单", "Open order"),
    "order_n": ("工单 #{id}", "Work order #{id}"),
    "timeline": ("处理记录", "Timeline"),
    "before_photos": ("问题照片", "Before photos"),
    "after_photos": ("完工照片", "After photos"),
    "linked_findings": ("关联问题", "Linked findings"),
    "assign": ("派单", "Assign"),
    "verify": ("回访验收", "Revisit / verify"),
    "satisfied": ("业主/检查人满意", "Satisfied"),
    "unsatisfied_reopens": ("不满意将退回返工。", "Not satisfied sends the job back for rework."),
    "reopen": ("退回返工", "Reopen (rework)"),
    "cancel_order": ("撤销工单", "Cancel order"),
    "action_done": ("已{action}。", "{action}: done."),
    "escalated": ("已升级", "Escalated"),
    "reopened_n": ("返工 {n} 次", "Reworked {n}×"),
    "no_actions": ("当前状态下没有可执行的操作。", "No action is possible in this state."),
    "back_to_board": ("返回看板", "Back to the board"),
    # deductions
    "ded_title": ("扣分与月度台账", "Deductions and monthly ledger"),
    "tab_ledger": ("月度台账", "Monthly ledger"),
    "tab_posting": ("公示名单", "Public posting"),
    "tab_notices": ("过失单明细", "Fault notices"),
    "tab_appeals": ("申诉处理", "Appeals"),
    "ledger_closed": ("本月台账已封账（{at}），不可再改动。", "This month is closed ({at}); nothing in it changes."),
    "ledger_open": ("本月台账未封账。", "This month is still open."),
    "yuan": ("金额（元）", "Amount (¥)"),
    "extra_fine": ("额外罚款（元）", "Extra fine (¥)"),
    "supervisor_share": ("作为主管连带（元）", "As supervisor (¥)"),
    "covered_by_supervisor": ("其中主管承担（元）", "Of which the supervisor bears (¥)"),
    "due_to_finance": ("须于 {day} 前报送财务。", "Due to finance by {day}."),
    "pending_appeals_n": ("尚有 {n} 条申诉待裁决。", "{n} appeal(s) still pending."),
    "tier": ("处理等级", "Tier"),
    "posted": ("公示", "Posted"),
    "total_yuan": ("合计（元）", "Total (¥)"),
    "total_points": ("总扣分", "Total points"),
    "people": ("人数", "People"),
    "close_month": ("封账（提交财务）", "Close the month (to finance)"),
    "close_confirm": ("我确认本月台账无误，封账后不可修改", "I confirm the ledger; a closed month cannot change"),
    "closed_ok": ("已封账。", "Month closed."),
    "download_xlsx": ("下载工资扣款表（Excel）", "Download payroll (Excel)"),
    "download_csv": ("下载工资扣款表（CSV）", "Download payroll (CSV)"),
    "posting_notice": ("公示通知（可打印）", "Posting notice (printable)"),
    "download_posting": ("下载公示通知", "Download the posting notice"),
    "print": ("打印", "Print"),
    "no_posting": ("本月无需公示人员。", "Nobody is posted this month."),
    "appeal_by": ("申诉人", "Filed by"),
    "appeal_reason": ("申诉理由", "Appeal reason"),
    "decision_reason": ("裁决理由", "Reason for the decision"),
    "uphold": ("申诉成立（撤销扣分）", "Uphold (void the deduction)"),
    "reject": ("驳回申诉", "Reject"),
    "decided": ("已裁决。", "Decided."),
    "no_appeals": ("没有待处理的申诉。", "No pending appeals."),
    "managers_only": ("仅管理处经理可操作。", "Managers only."),
    "file_appeal": ("代员工提出申诉", "File an appeal for the staff member"),
    "problem": ("问题", "Problem"),
    "posting_reason": ("公示原因", "Why posted"),
    # reports
    "rep_title": ("统计报表", "Reports"),
    "pass_rate": ("合格率", "Pass rate"),
    "pass_rate_by_checklist": ("各检查表合格率趋势", "Pass rate by checklist"),
    "pass_rate_by_zone": ("各片区合格率趋势", "Pass rate by zone"),
    "zone_ranking": ("片区评比", "Zone ranking"),
    "rank": ("名次", "Rank"),
    "score": ("得分", "Score"),
    "wo_performance": ("工单时效与返修", "Work-order SLA and rework"),
    "group_by": ("分组", "Group by"),
    "by_trade": ("按专业", "By trade"),
    "by_zone": ("按片区", "By zone"),
    "by_person": ("按人员", "By person"),
    "interval": ("周期", "Interval"),
    "day": ("日", "Day"),
    "week": ("周", "Week"),
    "month_i": ("月", "Month"),
    "respond_sla": ("响应及时率", "Responded in time"),
    "resolve_sla": ("完成及时率", "Resolved in time"),
    "mttr_hours": ("平均完成时长（小时）", "Mean time to resolve (h)"),
    "mtta_hours": ("平均响应时长（小时）", "Mean time to respond (h)"),
    "completed": ("已完成", "Completed"),
    "reopened": ("返工", "Reopened"),
    "inspections": ("检查次数", "Inspections"),
    "items_checked": ("检查项", "Items checked"),
    "items_failed": ("不合格项", "Items failed"),
    "period": ("时间段", "Period"),
    # checklists
    "cl_title": ("检查表与考核标准", "Checklists and policy"),
    "version": ("版本", "Version"),
    "current_version": ("当前版本 v{n}", "Current version v{n}"),
    "applies_to": ("适用巡检点类型", "Applies to"),
    "item": ("检查项", "Item"),
    "item_en": ("Item (English)", "Item (English)"),
    "photo_on_fail": ("不合格须拍照", "Photo if failed"),
    "resolve_hours": ("整改时限（小时）", "Resolve within (h)"),
    "policy_figures": ("考核标准", "Policy figures"),
    "policy_yuan": ("每分 {y} 元，从次月工资中扣除", "¥{y} per point, deducted from next month's wages"),
    "items_n": ("{n} 项", "{n} items"),
    "max_points": ("单次满扣 {p} 分（约 {y} 元）", "All items failed: {p} points (≈ ¥{y})"),
    # audit
    "audit_title": ("操作日志", "Audit log"),
    "object_type": ("对象类型", "Object type"),
    "object_id": ("对象编号", "Object id"),
    "action": ("操作", "Action"),
    "user": ("操作人", "User"),
    "since": ("起始日期", "Since"),
    "before": ("修改前", "Before"),
    "after": ("修改后", "After"),
    "user_id": ("操作人", "User"),
}

# labels of the API's enum values
ENUMS = {
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
        "in_progress": ("维修中", "In progress"), "done": ("待回访", "Done, to revisit"),
        "verified": ("已验收", "Verified"), "cancelled": ("已撤销", "Cancelled"),
    },
    "wo_action": {
        "create": ("登记", "registered"), "assign": ("派单", "assigned"), "accept": ("接单", "accepted"),
        "start": ("开始维修", "started"), "finish": ("完工", "finished"), "verify": ("回访验收", "verified"),
        "reopen": ("退回返工", "reopened"), "cancel": ("撤销", "cancelled"), "escalate": ("超时升级", "escalated"),
    },
    "tier": {
        "none": ("—", "—"), "extra_fine": ("加罚", "Extra fine"), "sanction": ("行政处分", "Sanction"),
        "dismissal": ("辞退", "Dismissal"),
    },
    "deduction_status": {"active": ("有效", "Active"), "voided": ("已撤销", "Voided")},
    "appeal_status": {
        "pending": ("待裁决", "Pending"), "upheld": ("申诉成立", "Upheld"), "rejected": ("已驳回", "Rejected"),
    },
    "task_status": {"done": ("已完成", "Done"), "due": ("待巡检", "Due"), "missed": ("漏检", "Missed")},
    "kind": {
        "lobby": ("大堂", "Lobby"), "car_park": ("车场", "Car park"), "road_lamp": ("路灯", "Road lamp"),
        "road": ("道路", "Road"), "drain_cover": ("井盖", "Drain cover"), "repair_site": ("维修点", "Repair site"),
    },
}


def lang():
    """The session's language; outside a Streamlit session, Chinese."""
    try:
        import streamlit as st

        return st.session_state.get("lang", DEFAULT_LANG)
    except Exception:  # noqa: BLE001 - no script run context (plain import in tests)
        return DEFAULT_LANG


def t(key, **fmt):
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[0] if lang() == "zh" else pair[1]
    return text.format(**fmt) if fmt else text


def label(kind, value):
    """The label of an enum value, e.g. ``label("wo_status", "done")`` -> 待回访."""
    if value is None:
        return "—"
    pair = ENUMS.get(kind, {}).get(value)
    if pair is None:
        return str(value)
    return pair[0] if lang() == "zh" else pair[1]


def pick(obj, field):
    """A bilingual object's name: ``name`` in Chinese, ``name_en`` in English when present."""
    if not obj:
        return ""
    if lang() == "en" and obj.get(f"{field}_en"):
        return obj[f"{field}_en"]
    return obj.get(field) or obj.get(f"{field}_en") or ""
