"""Demo step: a month of the service desk at 绿荷苑 — complaints, repair requests and suggestions in
every state: handled at the desk, transferred to departments, reworked after an unhappy revisit,
overdue and escalated, waiting for their revisit, cancelled.

Each request carries a fixed client_id, so running the demo again finds it and leaves it alone.
Times are counted back from now in the site's time zone; every step runs with its own "now".
"""
from datetime import timedelta, timezone

from api.db import write_tx
from api.demo.history import _storage, demo_photo_bytes
from api.domain.service_requests import desk as request_desk, limits, upkeep
from api.domain import workorders as wo
from api.domain.photos import ingest_photo
from api.domain.policy import current_policy
from api.models import ServiceRequest, User, utcnow

ZONE_OF_BUILDING = {"1": "A", "2": "A", "3": "A", "4": "B", "5": "B", "6": "B"}
SUPERVISOR_OF_TRADE = {"engineering": "super1", "security": "super1", "cleaning": "super2", "landscaping": "super2"}

# key, days ago, local time, kind, channel, category, owner, phone, (building, unit, room, public area),
# what happened, what the owner asks, priority, urgent, script [(hours after receipt, step, arg)]
SCENARIOS = [
    ("leak-3-1201", 27, "08:30", "repair", "phone", "water_leak", "张建华", "13912345601", ("3", "2", "1201", ""),
     "厨房水槽下方水管接头漏水，地面有积水，楼下 1101 天花板已有水渍", "尽快派师傅维修，并查看楼下受损情况",
     "emergency", False,
     [(0.3, "transfer", "engineering"), (5, "orders_done", None), (22, "revisit", (True, "业主确认不再漏水，满意"))]),
    ("lift-2", 24, "19:10", "repair", "phone", "lift", "李秀英", "13812345602", ("2", "1", "", "电梯"),
     "电梯停在 7-8 层之间，轿厢内困 2 人", "立即救援", "emergency", True,
     [(0.1, "transfer", "engineering"), (2.5, "orders_done", None), (16, "revisit", (True, "救援及时，业主表示感谢"))]),
    ("noise-5-602", 20, "21:40", "complaint", "phone", "noise", "王芳", "13712345603", ("5", "1", "602", ""),
     "楼上 702 装修，晚上九点后仍在电钻施工", "请物业立即制止夜间施工", "normal", False,
     [(0.1, "handle", None), (0.8, "complete", "秩序维护员上门劝阻，装修户已停工并承诺按规定时间施工"),
      (14, "revisit", (True, "当晚已安静，业主满意"))]),
    ("barrier-b1", 18, "07:50", "repair", "patrol", "parking", "", "", ("", "", "", "地下车库 B1 出口道闸"),
     "巡逻发现 B1 出口道闸抬杆后不落，车辆跟车进出", "", "normal", False,
     [(0.5, "transfer", "engineering"), (20, "orders_done", None)]),
    ("clean-6", 15, "10:20", "complaint", "wechat", "cleaning", "刘洋", "13612345604", ("6", "2", "", "楼道 3-6 层"),
     "楼道 3-6 层两天没有拖地，有垃圾袋和水渍", "请安排保洁清理，并说明以后的清扫频次", "normal", False,
     [(0.5, "transfer", "cleaning"), (4, "orders_done", None), (20, "revisit", (False, "业主说只拖了一楼，楼上仍脏")),
      (24, "orders_done", None), (40, "revisit", (True, "复查已清理干净，业主满意"))]),
    ("tree-4", 14, "09:15", "repair", "phone", "greenery", "陈静", "13512345605", ("4", "1", "302", ""),
     "窗外香樟树枝伸到窗边，遮挡采光且有虫子爬进室内", "修剪树枝", "normal", False,
     [(1, "transfer", "landscaping"), (30, "orders_done", None), (46, "revisit", (True, "已修剪，满意"))]),
    ("bench-plaza", 12, "15:00", "suggestion", "visit", "facility", "杨磊", "13412345606", ("", "", "", "中心广场"),
     "中心广场老人多，座椅太少", "建议在广场东侧增设 4 张座椅", "normal", False,
     [(0.2, "handle", None), (3, "complete", "已报管理处，计划下月增设 4 张座椅，届时通知业主"),
      (20, "revisit", (True, "业主认可处理方案"))]),
    ("guard-attitude", 11, "20:45", "complaint", "wechat", "security", "赵敏", "13312345607", ("", "", "", "南门岗亭"),
     "南门岗亭保安对访客态度生硬，拒绝帮忙联系业主", "要求道歉并加强培训", "normal", False,
     [(0.5, "transfer", "security"), (18, "orders_done", None), (26, "revisit", (True, "主管已致电道歉，业主接受"))]),
    ("leak-3-1201-again", 9, "09:00", "repair", "phone", "water_leak", "张建华", "13912345601",
     ("3", "2", "1201", ""), "厨房水管接头再次渗水", "彻底更换接头，不要再修修补补", "normal", False,
     [(0.5, "transfer", "engineering"), (8, "orders_done", None), (24, "revisit", (True, "已整段更换水管，满意"))]),
    ("dog-1-802", 8, "22:30", "complaint", "phone", "noise", "黄海", "13212345608", ("1", "3", "802", ""),
     "隔壁 801 的狗每晚叫到凌晨，影响休息", "请物业协调邻居", "normal", False,
     [(2.5, "escalate", None), (10.5, "handle", "super1"), (12.5, "complete", "已上门与 801 业主沟通，对方同意夜间将狗关在室内")]),
    ("ev-charger", 6, "11:00", "suggestion", "wechat", "parking", "周杰", "13112345609", ("", "", "", "地下车库"),
     "车库没有充电桩，电动车只能拉线充电", "建议加装公共充电桩", "normal", False,
     [(1, "handle", None), (5, "complete", "已向业委会提交加装充电桩方案，待业主大会表决")]),
    ("lamp-4", 5, "20:00", "repair", "phone", "lighting", "吴婷", "13012345610", ("4", "", "", "门前路灯"),
     "4 号楼门前两盏路灯不亮，晚上回家很黑", "尽快修好", "normal", False,
     [(0.4, "transfer", "engineering"), (1, "accept", None)]),
    ("tiles-2", 3, "16:20", "complaint", "visit", "facility", "郑伟", "18912345611", ("2", "", "", "外墙"),
     "2 号楼 10 层以上外墙瓷砖空鼓，昨天掉下一块砸到花坛", "立即围挡并维修，防止伤人", "emergency", True,
     [(0.2, "transfer", "engineering"), (0.5, "accept", None)]),
    ("drain-5", 2, "08:40", "repair", "wechat", "drainage", "孙丽", "18812345612", ("5", "", "", "东侧雨水井"),
     "雨水井堵塞，下雨后路面积水到脚踝", "疏通", "normal", False,
     [(1, "transfer", "engineering"), (6, "orders_finished", None)]),
    ("fees-question", 4, "14:10", "complaint", "phone", "fees", "冯涛", "18712345613", ("6", "1", "1102", ""),
     "询问物业费为何比去年高", "解释收费标准", "normal", False,
     [(0.3, "cancel", "属收费咨询，非投诉：已当场解释收费标准并登记为咨询")]),
    ("bins-3", 1, "18:30", "complaint", "wechat", "cleaning", "何静", "18612345614", ("3", "", "", "垃圾分类点"),
     "垃圾桶满溢，周围有异味，晚上还没清运", "马上清运", "normal", False,
     [(7, "escalate", None)]),
    ("parking-3-201", 0, "-1.5", "complaint", "phone", "parking", "罗军", "18512345615", ("3", "2", "201", ""),
     "自家车位被外来车辆占用，联系不上车主", "请秩序维护员处理", "normal", False,
     [(0.2, "handle", None)]),
    ("leak-6-1502", 0, "-2", "repair", "wechat", "water_leak", "梁洁", "18412345616", ("6", "2", "1502", ""),
     "卫生间天花板滴水，疑似楼上 1602 防水问题", "派人查看", "normal", False, []),
]


def _received(now_local, days_ago, at):
    """A local receive time: "HH:MM" on a day counted back, or "-H" hours ago."""
    if at.startswith("-"):
        local = now_local - timedelta(hours=float(at[1:]))
    else:
        hh, mm = (int(x) for x in at.split(":"))
        local = (now_local - timedelta(days=days_ago)).replace(hour=hh, minute=mm, second=0, microsecond=0)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


class _Demo:
    def __init__(self, ctx, site, policy):
        self.users = ctx["users"]
        self.zones = ctx["zones"]
        self.site = site
        self.policy = policy
        self.storage = _storage()
        self.photo_n = 0

    def after_photo(self, uploader):
        self.photo_n += 1
        photo, _ = ingest_photo(demo_photo_bytes(100 + self.photo_n, "requests"), user=uploader,
                                site_ids=[self.site.id], storage=self.storage)
        return photo.id

    def order_step(self, req, step, at):
        for order in request_desk.linked_orders(req):
            if order.status in ("verified", "cancelled"):
                continue
            sup = self.users[SUPERVISOR_OF_TRADE.get(order.trade, "super1")]
            if order.status == "open":
                default = order.zone.responsible_for(order.trade) if order.zone_id else None
                worker = default or self.users["tech1"]
                wo.transition(order, "assign", sup, assignee_id=worker.id, now=at, policy=self.policy)
            worker = User.get_by_id(order.assignee_id)
            if order.status == "assigned":
                wo.transition(order, "accept", worker, now=at + timedelta(minutes=20), policy=self.policy)
            if step == "accept":
                continue
            if order.status == "accepted":
                wo.transition(order, "start", worker, now=at + timedelta(minutes=40), policy=self.policy)
            if order.status == "in_progress":
                wo.transition(order, "finish", worker, photo_ids=[self.after_photo(worker)],
                              note="已处理，附完工照片", now=at + timedelta(hours=1), policy=self.policy,
                              actor_site_ids=[self.site.id])
            if step == "orders_done" and order.status == "done":
                wo.transition(order, "verify", sup, satisfied=True, note="主管验收合格",
                              now=at + timedelta(hours=1, minutes=30), policy=self.policy)
        if step == "orders_done":
            upkeep.follow_orders(at + timedelta(hours=1, minutes=31), [self.site.id], self.policy)

    def run_one(self, scenario, now, now_local):
        (key, days_ago, at, kind, channel, category, owner, phone, (building, unit, room, area), what, ask,
         priority, urgent, script) = scenario
        client_id = f"demo-req-{key}"
        if ServiceRequest.get_or_none(ServiceRequest.client_id == client_id):
            return False
        received = _received(now_local, days_ago, at)
        desk = self.users["service1"]
        zone = self.zones.get(("LHY", ZONE_OF_BUILDING.get(building) or ("P" if "车库" in area else "A")))
        data = request_desk.NewRequest(site_id=self.site.id, kind=kind, channel=channel, category=category,
                             description=what, received_at=received, owner_name=owner, owner_phone=phone,
                             building=building, unit=unit, room=room, public_area=area, owner_ask=ask,
                             priority=priority, urgent=urgent, zone_id=zone.id if zone else None,
                             client_id=client_id)
        registered_at = min(now, received + timedelta(minutes=6))
        req, _ = request_desk.register(data, desk, visible_sites=[self.site.id], now=registered_at, policy=self.policy)
        for hours, step, arg in script:
            t = received + timedelta(hours=hours)
            if t > now:
                break
            req = ServiceRequest.get_by_id(req.id)
            if step in ("handle", "transfer", "complete", "cancel"):
                actor = self.users[arg] if step == "handle" and arg else desk
                request_desk.transition(req, step, actor, trade=arg if step == "transfer" else None,
                              note=arg if step in ("complete", "cancel") else "", now=t, policy=self.policy)
            elif step in ("orders_done", "orders_finished", "accept"):
                self.order_step(req, step, t)
            elif step == "revisit":
                satisfied, note = arg
                request_desk.revisit(req, desk, satisfied=satisfied, note=note, now=t, policy=self.policy)
            elif step == "escalate":
                upkeep.escalate_overdue(t, [self.site.id], self.policy, request_ids=[req.id])
        return True


def run(ctx):
    echo = ctx["echo"]
    site = ctx["sites"]["LHY"]
    policy = current_policy()
    now = utcnow()
    now_local = now.replace(tzinfo=timezone.utc).astimezone(limits.site_tz(site))
    demo = _Demo(ctx, site, policy)
    made = 0
    for scenario in SCENARIOS:
        with write_tx():
            made += demo.run_one(scenario, now, now_local)
    with write_tx():
        steps = upkeep.upkeep(now, [site.id], policy)
    echo(f"demo: {made} service-desk requests ({ServiceRequest.select().count()} in all), "
         f"{len(steps['escalated'])} escalation steps now")
