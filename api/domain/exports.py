"""Payroll exports of a month's ledger (.xlsx and .csv) and the printable public-posting notice.

Every figure comes from the ledger itself, so the files match it to the fen.
"""
import csv
import html
import io
from decimal import Decimal

ZERO = Decimal("0.00")

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from api.domain.cells import append_text_safe, csv_row

COLUMNS = [
    ("username", "工号/账号", "Username"),
    ("name", "姓名", "Staff"),
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


def payroll_rows(ledger):
    """One row per person plus a totals row, values as the ledger has them."""
    rows = []
    for ln in ledger["lines"]:
        rows.append({"username": ln["username"], "name": ln["name"], "points": ln["points"],
                     "own_amount": ln["own_amount"], "extra_fine": ln["extra_fine"],
                     "supervisor_share": ln["supervisor_share"], "tier": "—" if ln["tier"] == "none" else f"{ln['tier_name']} / {ln['tier_name_en']}",
                     "total": ln["total"], "correction": ln.get("correction", ZERO),
                     "correction_reason": "；".join(c["reason"] for c in ln.get("corrections", ())),
                     "sanctions": "；".join(f"{x['name']} / {x['name_en']}" for x in ln.get("sanctions", ())),
                     "sanction_fine": Decimal(ln.get("sanction_fine", ZERO)),
                     "basic_wage_only": "是 / yes" if ln.get("basic_wage_only") else "",
                     "perf_penalty": Decimal(ln.get("perf_penalty", ZERO)),
                     "perf_reward": Decimal(ln.get("perf_reward", ZERO)),
                     "net": Decimal(ln.get("net", ln["total"]))})
    t = ledger["totals"]
    rows.append({"username": "", "name": "合计 / Total", "points": t["points"], "own_amount": t["own_amount"],
                 "extra_fine": t["extra_fine"], "supervisor_share": t["supervisor_share"], "tier": "",
                 "total": t["total"], "correction": sum((r["correction"] for r in rows), ZERO),
                 "correction_reason": "", "sanctions": "",
                 "sanction_fine": sum((r["sanction_fine"] for r in rows), ZERO), "basic_wage_only": "",
                 "perf_penalty": sum((r["perf_penalty"] for r in rows), ZERO),
                 "perf_reward": sum((r["perf_reward"] for r in rows), ZERO),
                 "net": sum((r["net"] for r in rows), ZERO)})
    return rows


def _title(ledger):
    return f"{ledger['site_name']} {ledger['month']} 员工扣分工资台账 / Payroll deductions"


def payroll_csv(ledger):
    """UTF-8 with a byte-order mark, so Excel opens the Chinese correctly."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([f"{zh} / {en}" for _k, zh, en in COLUMNS])
    for row in payroll_rows(ledger):
        w.writerow(csv_row([f"{row[k]:.2f}" if isinstance(row[k], Decimal) else row[k] for k, _zh, _en in COLUMNS]))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def payroll_xlsx(ledger):
    wb = Workbook()
    ws = wb.active
    ws.title = ledger["month"]
    append_text_safe(ws, [_title(ledger)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"{zh}\n{en}" for _k, zh, en in COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in payroll_rows(ledger):
        r = append_text_safe(ws, [row[k] for k, _zh, _en in COLUMNS])
        for col in (4, 5, 6, 8, 9):
            ws.cell(row=r, column=col).number_format = "0.00"
    for row in ws.iter_rows(min_row=ws.max_row, max_row=ws.max_row):
        for cell in row:
            cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJ", (12, 12, 8, 14, 12, 14, 22, 12, 12, 48)):
        ws.column_dimensions[letter].width = width
    ws.append([])
    ws.append([f"状态 / status: {'已关账 closed' if ledger['closed'] else '未关账 open'}；"
               f"报送财务截止 / due to finance: {ledger['due_to_finance']}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_CSS = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;margin:2.5em;color:#111}
h1{font-size:1.8em;text-align:center;margin:0 0 .1em;letter-spacing:.3em}
.en{text-align:center;color:#555;margin:0 0 1.5em}
.meta{display:flex;justify-content:space-between;margin-bottom:1em;font-size:.95em}
table{border-collapse:collapse;width:100%;font-size:1em}
th,td{border:1px solid #333;padding:.45em .6em;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.num{text-align:right;white-space:nowrap}
small{color:#555}
.foot{margin-top:2em;font-size:.9em;line-height:1.7}
.sign{margin-top:3em;text-align:right}
@media print{body{margin:1.2cm}.noprint{display:none}th{background:#eee!important;-webkit-print-color-adjust:exact}}
"""


def posting_html(ledger, policy):
    """A clean printable notice (公布张贴) of who is posted this month and why. No external assets."""
    e = html.escape
    dp = policy["deductions"]
    rows = []
    for n, p in enumerate(ledger["posting"], 1):
        reasons = "<br>".join(e(r) for r in p["reasons"])
        tier = next((ln for ln in ledger["lines"] if ln["staff_id"] == p["staff_id"]), {})
        rows.append(f"<tr><td class=num>{n}</td><td>{e(p['name'])}<br><small>{e(p['username'])}</small></td>"
                    f"<td class=num>{p['points']}</td><td>{e(tier.get('tier_name', ''))}"
                    f"<br><small>{e(tier.get('tier_name_en', ''))}</small></td><td>{reasons}</td></tr>")
    if not rows:
        rows.append("<tr><td colspan=5 style='text-align:center'>本月无需公布人员 / Nobody is posted this month</td></tr>")
    status = "已关账 / closed" if ledger["closed"] else "未关账（草稿）/ open (draft)"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{e(ledger['site_name'])} {e(ledger['month'])} 违规公布</title><style>{_CSS}</style></head>
<body>
<h1>员工违规情况公布</h1>
<p class="en">Notice of staff faults — {e(ledger.get('site_name_en') or '')} {e(ledger['month'])}</p>
<div class="meta"><span>项目 / Site：{e(ledger['site_name'])}</span><span>月份 / Month：{e(ledger['month'])}</span>
<span>{e(status)}</span></div>
<table>
<thead><tr><th>序号<br><small>No.</small></th><th>姓名<br><small>Staff</small></th><th>扣分<br><small>Points</small></th>
<th>处理<br><small>Consequence</small></th><th>公布原因<br><small>Reason</small></th></tr></thead>
<tbody>
{''.join(rows)}
</tbody></table>
<div class="foot">
<p>依据《管理处客户服务质量考核办法》：每月累计扣分达 {dp['posting']['min_points']} 分（含）以上，或同一问题发生
{dp['posting']['same_problem_times']} 次（含）以上者，予以公布张贴。如有异议，请于公布之日起向部门负责人提出申诉。</p>
<p><small>Under the service-quality assessment rules, staff with {dp['posting']['min_points']} or more points in the month,
or the same problem {dp['posting']['same_problem_times']} or more times, are posted. Appeals go to the department head.</small></p>
</div>
<p class="sign">管理处 / Management office<br>{e(ledger['month'])}</p>
<p class="noprint"><button onclick="window.print()">打印 / Print</button></p>
</body></html>"""
