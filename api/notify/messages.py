"""Short messages, Chinese first (English for users who chose it): what, where, by when, a link.

``render(event, params, lang, tz)`` -> (title, body). ``params`` holds plain values (JSON): times
as ISO strings in naive UTC, shown in the site's time zone.
"""
from datetime import datetime, timezone

LEVEL_ZH = {1: "主管", 2: "经理"}
LEVEL_EN = {1: "the supervisor", 2: "the manager"}
REQ_LEVEL_ZH = {1: "客服主管", 2: "主管副总经理/值班经理"}
REQ_LEVEL_EN = {1: "the customer-service supervisor", 2: "the deputy general manager"}
KIND_ZH = {"complaint": "投诉", "repair": "报修", "suggestion": "建议"}
OVERDUE_ZH = {"respond": "响应", "resolve": "完成"}
OVERDUE_EN = {"respond": "accepted", "resolve": "finished"}


def when(iso, tz):
    """An ISO naive-UTC time as the site's local "MM-DD HH:MM"."""
    if not iso:
        return "—"
    dt = datetime.fromisoformat(str(iso)).replace(tzinfo=timezone.utc).astimezone(tz)
    return dt.strftime("%m-%d %H:%M")


def _place(p):
    return " · ".join(x for x in (p.get("site"), p.get("place")) if x)


def _briefing_zh(p):
    lines = [f"【早报】{p['site']} {p['day']}",
             f"昨日巡查：完成 {p['done']}，漏巡 {p['missed']}（共 {p['total']}）"]
    for z in p.get("zones", []):
        if z["missed"]:
            lines.append(f"  · {z['name']}：完成 {z['done']}，漏巡 {z['missed']}")
    lines.append(f"工单：未完成 {p['open_orders']}，其中超时 {p['overdue_orders']}，紧急 {p['emergency_orders']}")
    lines.append(f"昨日新投诉 {p['new_complaints']}，客服单超时 {p['overdue_requests']}")
    return "\n".join(lines)


def _briefing_en(p):
    lines = [f"[Morning briefing] {p['site_en'] or p['site']} {p['day']}",
             f"Yesterday's rounds: {p['done']} done, {p['missed']} missed (of {p['total']})"]
    for z in p.get("zones", []):
        if z["missed"]:
            lines.append(f"  · {z['name_en'] or z['name']}: {z['done']} done, {z['missed']} missed")
    lines.append(f"Work orders: {p['open_orders']} open, {p['overdue_orders']} overdue, "
                 f"{p['emergency_orders']} emergency")
    lines.append(f"New complaints yesterday: {p['new_complaints']}; overdue requests: {p['overdue_requests']}")
    return "\n".join(lines)


def render(event, p, lang, tz):
    en = lang == "en"
    w = lambda k: when(p.get(k), tz)  # noqa: E731
    place = _place(p)
    if event == "work_order_assigned":
        return (("New work order" if en else "新工单"),
                (f"[Work order #{p['id']}] {place}: {p['title']}. Respond by {w('respond_by')}, finish by {w('resolve_by')}."
                 if en else f"【工单 #{p['id']}】{place}：{p['title']}。请于 {w('respond_by')} 前接单，{w('resolve_by')} 前完成。"))
    if event == "emergency_finding":
        return (("Emergency reported" if en else "紧急问题上报"),
                (f"[EMERGENCY] {place}: {p['title']} (reported by {p.get('by', '')}). {p.get('note', '')}".strip()
                 if en else f"【紧急】{place}：{p['title']}（{p.get('by', '')} 上报）。{p.get('note', '')}".strip()))
    if event == "emergency_order":
        return (("Emergency work order" if en else "紧急工单"),
                (f"[EMERGENCY order #{p['id']}] {place}: {p['title']}. Respond by {w('respond_by')}."
                 if en else f"【紧急工单 #{p['id']}】{place}：{p['title']}，须于 {w('respond_by')} 前响应。"))
    if event == "deadline_missed":
        return (("Deadline missed" if en else "工单超时"),
                (f"[Overdue #{p['id']}] {place}: {p['title']} was not {OVERDUE_EN[p['overdue']]} by {w('deadline')}."
                 if en else f"【超时 #{p['id']}】{place}：{p['title']} 未在 {w('deadline')} 前{OVERDUE_ZH[p['overdue']]}。"))
    if event == "work_order_escalated":
        lvl = int(p["level"])
        return (("Work order escalated" if en else "工单升级"),
                (f"[Escalated to {LEVEL_EN[lvl]} #{p['id']}] {place}: {p['title']}, overdue since {w('deadline')}."
                 if en else f"【升级至{LEVEL_ZH[lvl]} #{p['id']}】{place}：{p['title']}，自 {w('deadline')} 起超时未{OVERDUE_ZH[p['overdue']]}。"))
    if event == "missed_round":
        cps = "、".join(p.get("checkpoints", [])[:5])
        more = f" 等 {p['count']} 处" if p["count"] > 5 else ""
        return (("Missed round" if en else "漏巡"),
                (f"[Missed round] {p.get('site_en') or p['site']} · {p.get('zone_en') or p['zone']}: {p['count']} checkpoint(s) "
                 f"not inspected by {w('deadline')} ({cps})."
                 if en else f"【漏巡】{p['site']} · {p['zone']}：{cps}{more} 未在 {w('deadline')} 前巡查。"))
    if event == "request_escalated":
        lvl = int(p["level"])
        kind = KIND_ZH.get(p.get("kind"), p.get("kind", ""))
        return (("Service request escalated" if en else "客服单升级"),
                (f"[Request #{p['id']} to {REQ_LEVEL_EN[lvl]}] {place}: limit {w('deadline')} missed."
                 if en else f"【{kind} #{p['id']} 上报{REQ_LEVEL_ZH[lvl]}】{place}：时限 {w('deadline')} 已过，未处理完毕。"))
    if event == "revisit_due":
        what = f"工单 #{p['id']}" if p.get("what") == "order" else f"客服单 #{p['id']}"
        return (("Revisit due" if en else "回访到期"),
                (f"[Revisit due] {p.get('what', 'order')} #{p['id']} {place}: revisit by {w('deadline')}."
                 if en else f"【回访到期】{what} {place}：请于 {w('deadline')} 前回访。"))
    if event == "appeal_filed":
        return (("Appeal filed" if en else "扣分申诉"),
                (f"[Appeal] {p['staff']} appealed notice #{p['id']} ({p['points']} points): {p['reason']}"
                 if en else f"【申诉】{p['staff']} 对扣分单 #{p['id']}（{p['points']} 分）提出申诉：{p['reason']}"))
    if event == "appeal_decided":
        ok = p["upheld"]
        return (("Appeal decided" if en else "申诉结果"),
                (f"[Appeal] notice #{p['id']}: {'upheld, the notice is void' if ok else 'rejected'}. {p['reason']}"
                 if en else f"【申诉结果】扣分单 #{p['id']}：{'申诉成立，扣分撤销' if ok else '申诉不成立'}。{p['reason']}"))
    if event == "ledger_due":
        return (("Ledger due to finance" if en else "扣分台账待报财务"),
                (f"[Ledger] {p['site']} {p['month']}: send the deduction ledger to finance by {p['due']}."
                 if en else f"【台账】{p['site']} {p['month']} 扣分台账须于 {p['due']} 前报财务。"))
    if event == "morning_briefing":
        return (("Morning briefing" if en else "每日早报"), _briefing_en(p) if en else _briefing_zh(p))
    if event == "complaint_summary":
        return (("Complaints today" if en else "今日投诉汇总"),
                (f"[Complaints {p['day']}] {p['site']}: {p['received']} received, {p['done']} done, "
                 f"{p['open']} open, {p['overdue']} overdue, {p['escalated']} escalated."
                 if en else f"【今日投诉 {p['day']}】{p['site']}：受理 {p['received']}，办结 {p['done']}，"
                 f"未结 {p['open']}，超时 {p['overdue']}，升级 {p['escalated']}。"))
    if event == "weekly_report":
        return (("Weekly report" if en else "周报"),
                (f"[Week {p['week']}] {p['site']}: rounds {p['done']}/{p['total']} done ({p['missed']} missed); "
                 f"orders {p['orders_created']} new, {p['orders_closed']} closed, {p['orders_overdue']} overdue; "
                 f"complaints {p['complaints']}, satisfaction {p['satisfaction']}."
                 if en else f"【周报 {p['week']}】{p['site']}：巡查完成 {p['done']}/{p['total']}（漏巡 {p['missed']}）；"
                 f"工单新增 {p['orders_created']}、关闭 {p['orders_closed']}、超时 {p['orders_overdue']}；"
                 f"投诉 {p['complaints']}，满意率 {p['satisfaction']}。"))
    if event == "test":
        return (("Test message" if en else "测试消息"),
                (f"[patrol] Test message for {p.get('site', '')}: this channel works."
                 if en else f"【巡检系统】{p.get('site', '')} 测试消息：此通道可以收到通知。"))
    return (event, str(p))
