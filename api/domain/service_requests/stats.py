"""The desk's month: on-time and satisfaction rates, breakdowns, units raising the same thing again,
and the month's workbook."""
from collections import Counter, defaultdict
from datetime import date, timedelta

from api.domain.deadlines import month_bounds
from api.domain.errors import Invalid
from api.domain.service_requests.limits import to_local, site_tz
from api.domain.service_requests.privacy import location_text, mask_name, mask_phone
from api.domain.service_requests.terms import (CATEGORY_NAMES, CHANNEL_NAMES, KIND_NAMES, STATUS_NAMES,
                                               TRADE_NAMES)
from api.models import ServiceRequest, utcnow


def on_time(row):
    """True/False for a request whose outcome is known, None while it can still be on time.

    On time: finished (done) by its due time and, for a repair, responded to by respond_by."""
    due, done_at = row.get("due_at"), row.get("done_at")
    respond_by, responded_at = row.get("respond_by"), row.get("responded_at")
    responded_ok = respond_by is None or (responded_at is not None and responded_at <= respond_by)
    now = row["now"]
    if row["status"] == "cancelled":
        return None
    if done_at is not None:
        return bool(responded_ok and (due is None or done_at <= due))
    if (respond_by is not None and responded_at is None and respond_by < now) or (due is not None and due < now):
        return False
    if responded_at is not None and respond_by is not None and responded_at > respond_by:
        return False
    return None


def _rate(num, den):
    return None if not den else round(num / den, 4)


def _unit_key(r):
    return (r.get("building") or "", r.get("unit") or "", r["room"], r.get("category") or "other")


def _counts_as_complaint(r):
    return r["kind"] in ("complaint", "repair") and r.get("room") and r["status"] != "cancelled"


def repeat_units(rows, earlier=()):
    """Units (a room) that raised the same category again: at least twice counting this month's
    complaints/repairs and those of the lookback before it, with at least one this month."""
    now_n, before_n = defaultdict(int), defaultdict(int)
    for r in rows:
        if _counts_as_complaint(r):
            now_n[_unit_key(r)] += 1
    for r in earlier:
        if _counts_as_complaint(r) and _unit_key(r) in now_n:
            before_n[_unit_key(r)] += 1
    return [{"building": b, "unit": u, "room": rm, "category": c, "count": n, "earlier": before_n[(b, u, rm, c)]}
            for (b, u, rm, c), n in sorted(now_n.items()) if n + before_n[(b, u, rm, c)] >= 2]


def compute_stats(rows, now, earlier=None):
    """Monthly statistics from plain rows (dicts with kind, channel, building, unit, room, trade,
    category, status, due_at, done_at, respond_by, responded_at, satisfied, reopen_count,
    escalation_level). Cancelled requests are counted by kind but not in rates. ``earlier``: rows
    of the lookback before the month, for units raising the same thing again."""
    by = {"kind": Counter(), "building": Counter(), "trade": Counter(), "channel": Counter(),
          "category": Counter(), "status": Counter()}
    ontime = late = satisfied = revisited = reopened = escalated = 0
    for r in rows:
        r = dict(r, now=now)
        by["kind"][r["kind"]] += 1
        by["building"][r.get("building") or "公共区域"] += 1
        by["trade"][r.get("trade") or "unassigned"] += 1
        by["channel"][r["channel"]] += 1
        by["category"][r.get("category") or "other"] += 1
        by["status"][r["status"]] += 1
        verdict = on_time(r)
        ontime += verdict is True
        late += verdict is False
        if r.get("satisfied") is not None:
            revisited += 1
            satisfied += bool(r["satisfied"])
        reopened += (r.get("reopen_count") or 0) > 0
        escalated += (r.get("escalation_level") or 0) > 0
    repeat_list = repeat_units(rows, earlier or [])
    return {
        "total": len(rows),
        "by_kind": dict(sorted(by["kind"].items())),
        "by_building": dict(sorted(by["building"].items())),
        "by_trade": dict(sorted(by["trade"].items())),
        "by_channel": dict(sorted(by["channel"].items())),
        "by_category": dict(sorted(by["category"].items())),
        "by_status": dict(sorted(by["status"].items())),
        "on_time": ontime, "late": late, "on_time_rate": _rate(ontime, ontime + late),
        "revisited": revisited, "satisfied": satisfied, "satisfaction_rate": _rate(satisfied, revisited),
        "reopened": reopened, "escalated": escalated,
        "repeat_units": repeat_list,
    }


# --- the thin part ----------------------------------------------------------------------


REPEAT_LOOKBACK_DAYS = 90  # "again": the same unit and category within the three months before


def month_rows(site, month):
    """Plain rows of the requests received in a YYYY-MM month (site time)."""
    start, end = month_bounds(month, site_tz(site))
    return _rows(site, start, end)


def _rows(site, start, end):
    q = (ServiceRequest.select().where((ServiceRequest.site == site.id) & (ServiceRequest.received_at >= start)
                                       & (ServiceRequest.received_at < end)).order_by(ServiceRequest.id))
    keys = ("id", "kind", "channel", "category", "building", "unit", "room", "public_area", "trade", "status",
            "received_at", "due_at", "done_at", "respond_by", "responded_at", "satisfied", "reopen_count",
            "escalation_level", "owner_name", "owner_phone", "description")
    return [{k: getattr(r, k) for k in keys} for r in q]


def monthly_stats(site, month, now=None):
    now = now or utcnow()
    start, end = month_bounds(month, site_tz(site))
    rows = _rows(site, start, end)
    earlier = _rows(site, start - timedelta(days=REPEAT_LOOKBACK_DAYS), start)
    out = compute_stats(rows, now, earlier)
    out.update(site_id=site.id, month=month)
    return out, rows


def stats_workbook(site, month, stats, rows):
    """The month's statistics as an .xlsx (bytes): summary, breakdowns, repeat units, the list (masked)."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from api.domain.cells import append_text_safe

    tz = site_tz(site)
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总 Summary"
    bold = Font(bold=True)
    append_text_safe(ws, [f"{site.name} 客服月报 {month}"])
    ws["A1"].font = bold
    for label, key in (("受理总数 Total", "total"), ("按时 On time", "on_time"), ("超时 Late", "late"),
                       ("按时率 On-time rate", "on_time_rate"), ("已回访 Revisited", "revisited"),
                       ("满意 Satisfied", "satisfied"), ("满意率 Satisfaction rate", "satisfaction_rate"),
                       ("返修/重开 Reopened", "reopened"), ("升级 Escalated", "escalated")):
        append_text_safe(ws, [label, stats[key]])
    # words, not codes: a department is 工程维修, not engineering (labels from api/domain/vocabulary.py)
    for title, key, names in (("类别 Kind", "by_kind", KIND_NAMES), ("楼栋 Building", "by_building", {}),
                              ("部门 Department", "by_trade", TRADE_NAMES), ("渠道 Channel", "by_channel", CHANNEL_NAMES),
                              ("事项 Category", "by_category", CATEGORY_NAMES)):
        sheet = wb.create_sheet(title)
        append_text_safe(sheet, [title, "数量 Count"])
        for k, n in stats[key].items():
            append_text_safe(sheet, [names.get(k, k or "未分派") if names else (k or "公共区域"), n])
    rep = wb.create_sheet("重复投诉 Repeats")
    append_text_safe(rep, ["楼栋", "单元", "房号", "事项", "本月次数", f"此前 {REPEAT_LOOKBACK_DAYS} 天"])
    for r in stats["repeat_units"]:
        append_text_safe(rep, [r["building"], r["unit"], r["room"], CATEGORY_NAMES.get(r["category"], r["category"]), r["count"],
                    r["earlier"]])
    lst = wb.create_sheet("明细 Requests")
    append_text_safe(lst, ["#", "受理时间", "类别", "渠道", "事项", "位置", "业主", "电话", "部门", "状态", "时限", "完成",
                "满意"])
    for r in rows:
        fmt = (lambda d: to_local(d, tz).strftime("%Y-%m-%d %H:%M") if d else "")
        append_text_safe(lst, [r["id"], fmt(r["received_at"]), KIND_NAMES.get(r["kind"], r["kind"]),
                    CHANNEL_NAMES.get(r["channel"], r["channel"]), CATEGORY_NAMES.get(r["category"], r["category"]),
                    location_text(r["building"], r["unit"], r["room"], r["public_area"]),
                    mask_name(r["owner_name"]), mask_phone(r["owner_phone"]),
                    TRADE_NAMES.get(r["trade"], r["trade"] or ""), STATUS_NAMES.get(r["status"], r["status"]),
                    fmt(r["due_at"]), fmt(r["done_at"]),
                    "" if r["satisfied"] is None else ("是" if r["satisfied"] else "否")])
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse_month(month):
    """'2025-04' -> the same string, or 422."""
    try:
        date(int(month[:4]), int(month[5:7]), 1)
        if len(month) != 7 or month[4] != "-":
            raise ValueError
    except (ValueError, TypeError):
        raise Invalid({"month": "A month as YYYY-MM."}, location="query")
    return month
