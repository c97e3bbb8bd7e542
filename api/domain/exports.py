"""Payroll exports of a month's ledger (.xlsx and .csv) and the printable public-posting notice.

Every figure comes from the ledger itself, so the files match it to the fen.
"""
import csv
import io
from collections import defaultdict
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from api.domain.cells import append_text_safe, csv_row
from api.domain.vocabulary import LABELS
from api.printables import render

ZERO = Decimal("0.00")

COLUMNS = [
    ("employee_no", "工号", "Staff no."),
    ("name", "姓名", "Staff"),
    ("department", "部门", "Department"),
    ("post", "岗位", "Post"),
    ("problems", "问题", "Problems"),
    ("points", "扣分", "Points"),
    ("own_amount", "扣款（元）", "Deduction amount"),
    ("extra_fine", "加罚（元）", "Extra fine"),
    ("supervisor_share", "连带扣款（元）", "Supervisor share"),
    ("tier", "处理等级", "Tier"),
    ("total", "合计（元）", "Total"),
    # after the total, which includes them: corrections of closed months paid with this month
    ("correction", "更正（元）", "Correction"),
    ("correction_reason", "更正说明", "Correction reason"),
    # sanctions of the month (004 4.2.3–4.2.4, 003 第十九条); the administrative fine is in the total
    ("sanctions", "行政处分", "Sanctions"),
    ("sanction_fine", "行政罚款（元）", "Administrative fine"),
    ("basic_wage_only", "当月只发基本工资", "Basic wage only"),
    # the performance scheme of the same seed (published month): penalty and reward at 1 point = ¥10, and the net
    ("perf_penalty", "绩效扣款（元）", "Performance penalty"),
    ("perf_reward", "绩效奖励（元）", "Performance reward"),
    ("net", "净扣款（元，负数为净奖励）", "Net deduction (negative: net reward)"),
]


def payroll_rows(ledger, context=None):
    """One row per person plus a totals row. With ``context`` (``payroll_context``): 工号, department,
    post and the month's problems in words; money given back for a closed month's notice (an appeal
    upheld after closing) moves out of the month's own columns into the correction columns, with its
    reason, so the month's deduction never reads as −¥10 with no explanation. Totals are unchanged."""
    ctx = context or {}
    people, problems, moved = ctx.get("people", {}), ctx.get("problems", {}), ctx.get("reversed", {})
    rows = []
    for ln in ledger["lines"]:
        who = people.get(ln["staff_id"], {})
        rev = moved.get(ln["staff_id"], {})
        own_back, share_back = rev.get("own", ZERO), rev.get("share", ZERO)
        reasons = [c["reason"] for c in ln.get("corrections", ())] + rev.get("reasons", [])
        rows.append({"employee_no": who.get("employee_no") or ln.get("username") or "",
                     "name": ln["name"], "department": who.get("department", ""), "post": who.get("post", ""),
                     "problems": "；".join(problems.get(ln["staff_id"], [])),
                     "points": ln["points"], "own_amount": ln["own_amount"] - own_back, "extra_fine": ln["extra_fine"],
                     "supervisor_share": ln["supervisor_share"] - share_back,
                     "tier": "" if ln["tier"] == "none" else f"{ln['tier_name']} / {ln['tier_name_en']}",
                     "total": ln["total"], "correction": ln.get("correction", ZERO) + own_back + share_back,
                     "correction_reason": "；".join(reasons),
                     "sanctions": "；".join(f"{x['name']} / {x['name_en']}" for x in ln.get("sanctions", ())),
                     "sanction_fine": Decimal(ln.get("sanction_fine", ZERO)),
                     "basic_wage_only": "是 / yes" if ln.get("basic_wage_only") else "",
                     "perf_penalty": Decimal(ln.get("perf_penalty", ZERO)),
                     "perf_reward": Decimal(ln.get("perf_reward", ZERO)),
                     "net": Decimal(ln.get("net", ln["total"]))})
    t = ledger["totals"]
    rows.append({"employee_no": "", "name": "合计 / Total", "department": "", "post": "", "problems": "",
                 "points": t["points"], "own_amount": sum((r["own_amount"] for r in rows), ZERO),
                 "extra_fine": t["extra_fine"], "supervisor_share": sum((r["supervisor_share"] for r in rows), ZERO),
                 "tier": "", "total": t["total"], "correction": sum((r["correction"] for r in rows), ZERO),
                 "correction_reason": "", "sanctions": "",
                 "sanction_fine": sum((r["sanction_fine"] for r in rows), ZERO), "basic_wage_only": "",
                 "perf_penalty": sum((r["perf_penalty"] for r in rows), ZERO),
                 "perf_reward": sum((r["perf_reward"] for r in rows), ZERO),
                 "net": sum((r["net"] for r in rows), ZERO)})
    return rows


def problem_words(keys, fallback=None):
    """``{problem_key: words}``: ``lobby:air_fresh`` -> 大堂·空气清新，无异味（未达标）; ``request:hidden`` ->
    隐瞒投诉; a key no checklist item names takes ``fallback[key]`` (the reason a supervisor wrote)."""
    fallback = fallback or {}
    from api.models import Checklist, ChecklistVersion

    out = {}
    wanted = defaultdict(set)
    for k in keys:
        if not k:
            continue
        prefix, _, rest = k.partition(":")
        if prefix == "request":
            out[k] = LABELS["req_fault"].get(rest, LABELS["req_kind"].get(rest, (None,)))[0] or rest
        elif rest:
            wanted[prefix].add(rest)
        else:
            out[k] = k
    if wanted:
        q = (ChecklistVersion.select(ChecklistVersion, Checklist).join(Checklist)
             .where(Checklist.key.in_(list(wanted)) & (ChecklistVersion.version == Checklist.current_version)))
        for v in q:
            for item_key in wanted[v.checklist.key]:
                it = v.item(item_key)
                if it:
                    out[f"{v.checklist.key}:{item_key}"] = f"{v.checklist.name}·{it.get('text') or item_key}（未达标）"
    for k in keys:
        out.setdefault(k, fallback.get(k) or k)
    return out


def payroll_context(site, month, ledger, policy):
    """What finance and the notice board need beyond the ledger's money: each person's 工号, department
    and post, the month's problems in words (with how often), and the money reversing entries gave back
    for a closed month's notices (own part and supervisor's part) with the reason."""
    from api.domain.ledger import reversal_split
    from api.models import Deduction, User

    ids = [ln["staff_id"] for ln in ledger["lines"]]
    people = {u.id: {"employee_no": u.employee_no or "", "department": u.department or "", "post": u.post or "",
                     "name": u.name, "username": u.username}
              for u in User.select().where(User.id.in_(ids))} if ids else {}
    D = Deduction
    counts = defaultdict(lambda: defaultdict(int))
    reasons = {}
    for d in (D.select(D.staff, D.problem_key, D.reason).where((D.site == site.id) & (D.month == month)
                                                              & (D.status == "active") & D.reverses.is_null(True))
              .order_by(D.id)):
        counts[d.staff_id][d.problem_key] += 1
        reasons[d.problem_key] = (d.reason or "").strip()[:60]
    words = problem_words({k for per in counts.values() for k in per}, reasons)
    problems = {uid: [words[k] + (f" ×{n}" if n > 1 else "") for k, n in sorted(per.items())]
                for uid, per in counts.items()}
    pct = policy["deductions"]["supervisor_split"]["supervisor_percent"]
    moved = defaultdict(lambda: {"own": ZERO, "share": ZERO, "reasons": []})
    Original = D.alias()
    for rev in (D.select(D, Original.month.alias("orig_month"), Original.reason.alias("orig_reason"))
                .join(Original, on=(D.reverses == Original.id))
                .where((D.site == site.id) & (D.month == month) & (D.status == "active")).objects()):
        from api.domain.deductions import ledger_row

        parts = reversal_split(ledger_row(rev), pct)
        orig = rev.reverses_id
        om = getattr(rev, "orig_month", None) or ""
        reason = f"撤销 {om} 过失单 #{orig}（申诉成立）：{getattr(rev, 'orig_reason', '') or ''}".rstrip("：")
        for uid, amount in parts.items():
            key = "own" if uid == rev.staff_id else "share"
            moved[uid][key] += Decimal(amount)
            if reason not in moved[uid]["reasons"]:
                moved[uid]["reasons"].append(reason)
    return {"people": people, "problems": problems, "reversed": dict(moved), "words": words}


def _local(dt, tz):
    from datetime import timezone

    return dt.replace(tzinfo=timezone.utc).astimezone(tz).strftime("%Y-%m-%d %H:%M") if dt else ""


WORK_ORDER_COLUMNS = ["工单号", "登记时间", "片区", "专业", "优先级", "标题", "状态", "负责人", "响应时限", "完成时限",
                      "完工时间", "返工次数", "来源"]


def _zh(kind, value):
    return LABELS.get(kind, {}).get(value, (value or "",))[0]


def work_orders_xlsx(orders, tz):
    """Orders as a workbook in words (labels, real names, local times): for the office's own records."""
    wb = Workbook()
    ws = wb.active
    ws.title = "工单记录"
    ws.append(WORK_ORDER_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for o in orders:
        zone = getattr(o, "zone", None) if o.zone_id else None
        who = getattr(o, "assignee", None) if o.assignee_id else None
        ws.append([o.id, _local(o.created_at, tz), zone.name if zone else "", _zh("trade", o.trade),
                   _zh("priority", o.priority), o.title, _zh("wo_status", o.status), who.name if who else "未指派",
                   _local(o.respond_by, tz), _local(o.resolve_by, tz), _local(o.done_at, tz), o.reopen_count,
                   _zh("wo_source", o.source)])
    for letter, width in zip("ABCDEFGHIJKLM", (8, 17, 16, 10, 16, 40, 12, 10, 17, 17, 17, 8, 10)):
        ws.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def work_order_sheet(order):
    """What the printable 派工单 shows, in words and local time."""
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    from api.models import Finding, WorkOrderFinding

    tz = ZoneInfo(order.site.timezone or "Asia/Shanghai")
    findings = list(Finding.select().join(WorkOrderFinding).where(WorkOrderFinding.work_order == order)
                    .order_by(Finding.id))
    return {"order": order, "site": order.site, "zone": order.zone.name if order.zone_id else "—",
            "trade": _zh("trade", order.trade), "priority": _zh("priority", order.priority),
            "status": _zh("wo_status", order.status), "source": _zh("wo_source", order.source),
            "created_at": _local(order.created_at, tz), "respond_by": _local(order.respond_by, tz) or "—",
            "resolve_by": _local(order.resolve_by, tz) or "—",
            "assignee": order.assignee.name if order.assignee_id else "未指派", "findings": findings,
            "printed_at": datetime.now(timezone.utc).astimezone(tz).strftime("%Y-%m-%d %H:%M")}


def _title(ledger):
    return f"{ledger['site_name']} {ledger['month']} 员工扣分工资台账 / Payroll deductions"


def payroll_csv(ledger, context=None):
    """UTF-8 with a byte-order mark, so Excel opens the Chinese correctly."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([f"{zh} / {en}" for _k, zh, en in COLUMNS])
    for row in payroll_rows(ledger, context):
        w.writerow(csv_row([f"{row[k]:.2f}" if isinstance(row[k], Decimal) else row[k] for k, _zh, _en in COLUMNS]))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def payroll_xlsx(ledger, context=None):
    wb = Workbook()
    ws = wb.active
    ws.title = ledger["month"]
    append_text_safe(ws, [_title(ledger)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"{zh}\n{en}" for _k, zh, en in COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    money_cols = [n for n, (k, _zh, _en) in enumerate(COLUMNS, 1)
                  if k in ("own_amount", "extra_fine", "supervisor_share", "total", "correction", "sanction_fine",
                           "perf_penalty", "perf_reward", "net")]
    for row in payroll_rows(ledger, context):
        r = append_text_safe(ws, [row[k] for k, _zh, _en in COLUMNS])
        for col in money_cols:
            ws.cell(row=r, column=col).number_format = "0.00"
    for row in ws.iter_rows(min_row=ws.max_row, max_row=ws.max_row):
        for cell in row:
            cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJKLMNOPQRST", (10, 10, 12, 10, 40, 7, 12, 10, 12, 20, 11, 11, 48, 20, 12, 12,
                                                        12, 12, 14)):
        ws.column_dimensions[letter].width = width
    ws.append([])
    ws.append([f"状态 / status: {'已关账 closed' if ledger['closed'] else '未关账 open'}；"
               f"报送财务截止 / due to finance: {ledger['due_to_finance']}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def posting_reasons(line, words, policy):
    """Why a person is posted, in words: the month's points, and each problem met the posting number of times."""
    out = []
    if line["points"] >= policy["deductions"]["posting"]["min_points"]:
        out.append(f"本月累计扣分 {line['points']} 分")
    for rp in line.get("repeated_problems", ()):
        out.append(f"同一问题发生 {rp['count']} 次：{words.get(rp['problem_key'], rp['problem_key'])}")
    return out


def posting_html(ledger, policy, context=None):
    """A clean printable notice (公布张贴) of who is posted this month and why: real names (and 工号,
    department), problems in words, never login names or problem keys. No external assets."""
    ctx = context or {}
    people, words = ctx.get("people", {}), ctx.get("words", {})
    rows = []
    for p in ledger["posting"]:
        tier = next((ln for ln in ledger["lines"] if ln["staff_id"] == p["staff_id"]), {})
        who = people.get(p["staff_id"], {})
        rows.append({"name": p["name"], "points": p["points"],
                     "sub": " · ".join(x for x in (who.get("employee_no"), who.get("department")) if x),
                     "tier_name": tier.get("tier_name", ""), "tier_name_en": tier.get("tier_name_en", ""),
                     "reasons": posting_reasons(tier, words, policy) if tier else p["reasons"]})
    return render("posting_notice.html", ledger=ledger, rows=rows, posting=policy["deductions"]["posting"])
