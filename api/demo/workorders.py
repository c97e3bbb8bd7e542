"""Demo step: work orders in every state from the history's findings, and a month of deductions.

Orders: verified with a satisfied revisit, reworked once then verified, done awaiting the revisit,
in progress, accepted, assigned but overdue (escalated), an emergency past its limit (escalated
to the manager), a planned order waiting for dispatch, and a cancelled one. Deductions: last month
with people crossing 5, 11 and 20 points, one problem three times, an upheld appeal, then closed;
this month a pending appeal and the reversing entry of an appeal upheld after closing.
Everything carries a ``demo-`` client id, so a second run finds it and adds nothing.
"""
from datetime import timedelta

from api.audit import audit
from api.db import write_tx
from api.domain import appeals, deductions as dd
from api.domain import workorder_escalation, workorders as wo
from api.domain.deadlines import month_bounds, month_of, previous_month
from api.domain.policy import current_policy
from api.models import Deduction, Finding, PhotoSite, Site, User, UserSite, WorkOrder, Zone, utcnow

H = timedelta(hours=1)
D = timedelta(days=1)

# scenario, trade, title (when there is no finding to work from), zone code per site
SCENARIOS = [
    ("verified", "engineering", "3 号楼大堂灯管闪烁"),
    ("reworked", "engineering", "东路井盖松动，车辆经过有响声"),
    ("awaiting_revisit", "cleaning", "B1 车库地面积水"),
    ("in_progress", "engineering", "主干道路灯 07 不亮"),
    ("accepted", "cleaning", "中心广场地面杂物"),
    ("overdue_assigned", "engineering", "车库减速带螺栓外露"),
    ("emergency_overdue", "engineering", "雨水井盖破损，存在安全隐患"),
    ("planned_open", "landscaping", "车库入口绿化带修剪"),
    ("cancelled", "cleaning", "大堂宣传架积灰（重复登记）"),
]


def _actors(site):
    """The site's first supervisor and manager."""
    first = {}
    for u in User.select().join(UserSite).where(UserSite.site == site.id).order_by(User.id):
        first.setdefault(u.role, u)
    return first.get("supervisor"), first.get("manager")


def _photos(site, n=3):
    return [p.photo_id for p in PhotoSite.select().where(PhotoSite.site == site.id).order_by(PhotoSite.id).limit(n)]


def _finish(order, actor, photos, at, policy):
    if photos:
        wo.transition(order, "finish", actor, photo_ids=photos[:1], note="已处理完毕，工完场清", now=at, policy=policy)
        return True
    return False


def _order(site, n, scenario, trade, title, finding, sup, mgr, photos, now, policy):
    cid = f"demo-wo-{site.code}-{n}"
    if WorkOrder.select().where(WorkOrder.client_id == cid).exists():
        return None
    ages = {"verified": 9, "reworked": 8, "awaiting_revisit": 2, "in_progress": 0.6, "accepted": 0.4,
            "overdue_assigned": 3, "emergency_overdue": 0.5, "planned_open": 1, "cancelled": 3}
    created = now - timedelta(days=ages[scenario])
    zones = list(Zone.select().where(Zone.site == site.id).order_by(Zone.code))
    zone = finding.zone if finding else zones[n % len(zones)]
    kw = dict(site=site, created_by=sup, client_id=cid, now=created, policy=policy)
    if scenario == "planned_open":
        car_park = next((z for z in zones if z.code in ("P", "G")), zones[-1])
        order = wo.create_work_order(trade=trade, title=title, zone=car_park.id, priority="planned",
                                     scheduled_for=(now + 3 * D).date(), description="按季度计划修剪", **kw)
        if order.assignee_id:  # this site has a gardener for the car park: leave it for dispatch instead
            order.assignee = None
            order.status = "open"
            order.save()
        return order
    priority = "emergency" if scenario == "emergency_overdue" else None
    if finding:
        order = wo.create_work_order(finding_ids=[finding.id], priority=priority, **kw)
    else:
        order = wo.create_work_order(trade=trade, title=title, zone=zone.id, priority=priority or "normal", **kw)
    if order.assignee_id is None:
        return order
    tech = order.assignee
    t = created
    if scenario in ("verified", "reworked", "awaiting_revisit", "in_progress", "accepted", "emergency_overdue"):
        wo.transition(order, "accept", tech, note="收到，马上处理", now=t + H, policy=policy)
    if scenario in ("verified", "reworked", "awaiting_revisit", "in_progress", "emergency_overdue"):
        wo.transition(order, "start", tech, now=t + 2 * H, policy=policy)
    if scenario in ("verified", "reworked", "awaiting_revisit"):
        _finish(order, tech, photos, t + 5 * H, policy)
    if scenario == "verified" and order.status == "done":
        wo.transition(order, "verify", sup, satisfied=True, note="回访业主：满意", now=t + D, policy=policy)
    if scenario == "reworked" and order.status == "done":
        wo.transition(order, "verify", sup, satisfied=False, note="回访：仍有响声，返修", now=t + D, policy=policy)
        wo.transition(order, "accept", tech, now=t + D + H, policy=policy)
        wo.transition(order, "start", tech, now=t + D + 2 * H, policy=policy)
        _finish(order, tech, photos[1:] or photos, t + D + 4 * H, policy)
        wo.transition(order, "verify", sup, satisfied=True, note="二次回访：已解决", now=t + 2 * D, policy=policy)
    if scenario == "cancelled":
        wo.transition(order, "cancel", sup, note="与前一工单重复", now=t + 2 * H, policy=policy)
    return order


def _work_orders(site, sup, mgr, now, policy):
    findings = list(Finding.select().where((Finding.site == site.id) & (Finding.status == "open"))
                    .order_by(Finding.created_at, Finding.id).limit(len(SCENARIOS)))
    photos = _photos(site)
    made = 0
    for n, (scenario, trade, title) in enumerate(SCENARIOS):
        finding = findings[n] if n < len(findings) and scenario not in ("planned_open",) else None
        with write_tx():
            order = _order(site, n, scenario, trade, title, finding, sup, mgr, photos, now, policy)
            if order is not None:
                audit("work_order.create", "work_order", order.id, site.id, user=sup,
                      after={"status": order.status, "demo": True})
                made += 1
    with write_tx():
        # the overdue ones move up: supervisor now, and the emergency already past the manager's wait
        workorder_escalation.escalate_overdue(now - 25 * H, [site.id], policy)
        workorder_escalation.escalate_overdue(now, [site.id], policy)
    return made


def _notice(site, key, sup, staff, points, reason, problem, when, now, policy, shares=False):
    cid = f"demo-ded-{site.code}-{key}"
    found = Deduction.get_or_none(Deduction.client_id == cid)
    if found:
        return found
    d = dd.create_deduction(site=site, created_by=sup, staff_id=staff.id, points=points, reason=reason,
                            problem_key=problem, occurred_at=when, supervisor_shares=shares, client_id=cid,
                            now=now, policy=policy)
    audit("deduction.create", "deduction", d.id, site.id, user=sup, after=dd.snapshot(d))
    return d


def _local(month, day, hour, tz):
    start, _end = month_bounds(month, tz)
    return start + timedelta(days=day - 1, hours=hour)


def _deductions(site, sup, mgr, now, policy):
    tz = wo.site_tz(site)
    this = month_of(now, tz)
    last = previous_month(this)
    users = {u.username: u for u in User.select()}
    sup_of = {u: users[u] for u in users}

    def at_last(day, hour=10):
        return _local(last, day, hour, tz)

    def at_this(minutes):
        start, _ = month_bounds(this, tz)
        return max(start + timedelta(minutes=1), now - timedelta(minutes=minutes))

    if site.code == "LHY":
        plan = [
            # key, staff, points, reason, problem, when, supervisor shares
            ("L1", "guard1", 3, "夜间巡查漏巡 2 号楼", "round:missed", at_last(3)),
            ("L2", "guard1", 3, "岗位未着工装", "lobby:uniform", at_last(12)),
            ("L3", "guard3", 5, "车场岗位脱岗", "car_park:post_staffed", at_last(5)),
            ("L4", "guard3", 4, "车位被违规占用未处理", "car_park:no_illegal_parking", at_last(14)),
            ("L5", "guard3", 3, "巡查记录不实", "round:false_record", at_last(20)),
            ("L6", "guard3", 2, "交接班迟到", "duty:late", at_last(22)),          # appealed and upheld
            ("L7", "garden1", 10, "绿化带大面积枯死未上报", "landscape:dead_unreported", at_last(8)),
            ("L8", "garden1", 10, "修剪作业未设警示区域", "repair_site:warning_signs", at_last(18)),
            ("L9", "cleaner1", 1, "大堂地面有积水", "lobby:floor_clean", at_last(4, 9)),
            ("L10", "cleaner1", 1, "大堂地面有积水", "lobby:floor_clean", at_last(11, 9)),
            ("L11", "cleaner1", 1, "大堂地面有积水", "lobby:floor_clean", at_last(19, 9)),
            ("L12", "tech1", 3, "路灯报修超时未处理", "road_lamps:lamp_lit", at_last(9), True),
            ("L13", "cleaner2", 2, "井盖周边垃圾未清", "drain_covers:flowing", at_last(25)),  # upheld after close
            ("T1", "guard1", 2, "大堂电话三声未接", "lobby:phone_three_rings", at_this(90)),
            ("T2", "cleaner2", 4, "车库地面有明显浮尘", "car_park:floor_clean", at_this(60)),  # pending appeal
        ]
    else:
        plan = [
            ("L1", "guard2", 5, "大堂岗位脱岗 20 分钟", "lobby:post_staffed", at_last(6)),
            ("L2", "cleaner3", 2, "电梯厅地面有污渍", "lobby:floor_clean", at_last(15)),
            ("T1", "tech2", 2, "地灯不亮未及时维修", "road_lamps:lamp_lit", at_this(45)),
        ]
    made = {}
    for key, username, points, reason, problem, when, *shares in plan:
        if when > now or (key.startswith("L") and dd.is_closed(site.id, last)
                          and not Deduction.select().where(Deduction.client_id == f"demo-ded-{site.code}-{key}").exists()):
            continue
        with write_tx():
            made[key] = _notice(site, key, sup, sup_of[username], points, reason, problem, when, now, policy,
                                bool(shares and shares[0]))
    if site.code != "LHY":
        with write_tx():
            if not dd.is_closed(site.id, last):
                dd.close_month(site, last, mgr, now=now, policy=policy)
        return len(made)
    with write_tx():
        # an appeal upheld before closing voids the notice
        d = made.get("L6")
        if d is not None and not d.appeals.exists():
            appeals.file_appeal(d, users["guard3"], "当天按排班调休，有排班表为证", now=now - 3 * D)
            appeals.decide(d, mgr, True, "核实排班表，申诉成立", now=now - 3 * D + H, policy=policy)
        late = made.get("L13")
        if late is not None and not late.appeals.exists():
            appeals.file_appeal(late, users["cleaner2"], "垃圾为绿化修剪后遗留，不属保洁责任区", now=now - 2 * D)
        if not dd.is_closed(site.id, last):
            lm = dd.close_month(site, last, mgr, now=now, policy=policy)
            audit("ledger.close", "ledger_month", lm.id, site.id, user=mgr,
                  after={"month": last, "closed": True, "totals": lm.snapshot["totals"]})
        # ... and one upheld after closing books a reversing entry into this month
        if late is not None and late.appeals.first().status == "pending":
            _appeal, rev = appeals.decide(late, mgr, True, "责任区划分有误，申诉成立", now=now, policy=policy)
            if rev is not None:
                audit("deduction.reverse", "deduction", rev.id, site.id, user=mgr, after=dd.snapshot(rev))
        pending = made.get("T2")
        if pending is not None and not pending.appeals.exists():
            appeals.file_appeal(pending, users["cleaner2"], "当时车库正在施工，扬尘非保洁原因", now=now)
    return len(made)


def run(ctx):
    echo = ctx["echo"]
    policy = current_policy()
    now = utcnow()
    orders = notices = 0
    for site in Site.select().order_by(Site.id):
        sup, mgr = _actors(site)
        if sup is None or mgr is None:
            continue
        orders += _work_orders(site, sup, mgr, now, policy)
        notices += _deductions(site, sup, mgr, now, policy)
    echo(f"demo: {orders} new work orders (every state), {notices} fault notices in place; last month closed")

