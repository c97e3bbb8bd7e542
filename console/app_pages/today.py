"""今日概况: rounds done/due/missed by zone, open findings, overdue orders and the key figures."""
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from console import ui
from console.i18n import label, pick, t

st.title(t("today_title"))
ui.flash()

c1, c2, _ = st.columns([2, 2, 4])
site_id = ui.site_picker("today_site", allow_all=False, container=c1)
day = c2.date_input(t("date"), value=ui.local_today(site_id), key="today_date")
client = ui.client()


def zone_name(row):
    return pick(row.get("zone") or {}, "name") or "—"


tasks = ui.try_load(client.tasks_summary, date=day.isoformat(), site_id=site_id, default=None) or {}
zone_rows = tasks.get("zones", [])
totals = tasks.get("totals") or {}
summary = ui.try_load(client.report_summary, site_id=site_id, date=day.isoformat(), default=None) or {}
if summary.get("rounds"):
    totals = summary["rounds"]

scheduled = sum(int(totals.get(k) or 0) for k in ("done", "due", "missed"))
m = st.columns(4)
m[0].metric(t("rounds_done"), totals.get("done", 0))
m[1].metric(t("rounds_due"), totals.get("due", 0))
m[2].metric(t("rounds_missed"), totals.get("missed", 0))
m[3].metric(t("completion_rate"), ui.pct(totals.get("done", 0) / scheduled) if scheduled else "—")

if summary:
    fs = summary.get("findings") or {}
    ws = summary.get("work_orders") or {}
    sla = summary.get("sla_30d") or {}
    ds = summary.get("deductions_month") or {}
    m2 = st.columns(4)
    m2[0].metric(t("open_findings"), fs.get("open", "—"), delta=t("new_today_n", n=fs.get("new_today", 0)),
                 delta_color="off", delta_arrow="off")
    m2[1].metric(t("open_orders"), ws.get("open", "—"), delta=t("created_today_n", n=ws.get("created_today", 0)),
                 delta_color="off", delta_arrow="off")
    m2[2].metric(t("overdue_orders"), ws.get("overdue", "—"), help=ui.figure_help("overdue"),
                 delta=t("escalated_n", n=ws.get("escalated", 0)) if ws.get("escalated") else None,
                 delta_color="inverse", delta_arrow="off")
    m2[3].metric(t("awaiting_revisit"), ws.get("awaiting_revisit", "—"),
                 delta=t("revisit_overdue_n", n=ws.get("revisit_overdue")) if ws.get("revisit_overdue") else None,
                 delta_color="inverse", delta_arrow="off")
    m3 = st.columns(4)
    m3[0].metric(t("respond_sla") + t("last_30d"), ui.pct(sla.get("respond")), help=ui.figure_help("respond_sla"))
    m3[1].metric(t("resolve_sla") + t("last_30d"), ui.pct(sla.get("resolve")), help=ui.figure_help("resolve_sla"))
    m3[2].metric(t("rework_rate") + t("this_month"), ui.pct(summary.get("rework_rate_month")),
                 help=ui.figure_help("rework_rate"))
    m3[3].metric(t("points") + t("this_month"), ds.get("points", "—"),
                 delta=t("pending_appeals_n", n=ds.get("pending_appeals")) if ds.get("pending_appeals") else None,
                 delta_color="off", delta_arrow="off")

st.subheader(t("rounds_by_zone"))
if zone_rows:
    data = pd.DataFrame([
        {t("zone"): zone_name(r), t("status"): label("task_status", k), "k": k, t("count"): int(r.get(k) or 0)}
        for r in zone_rows for k in ("done", "due", "missed")
    ])
    colors = alt.Scale(domain=[label("task_status", k) for k in ("done", "due", "missed")],
                       range=["#2e7d32", "#f9a825", "#c62828"])
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y(f"{t('zone')}:N", sort=None, title=None, axis=alt.Axis(labelLimit=240)),
        x=alt.X(f"{t('count')}:Q", stack="zero", title=None, axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color(f"{t('status')}:N", scale=colors, legend=alt.Legend(orient="top", title=None)),
        order=alt.Order("k:N"),
        tooltip=[t("zone"), t("status"), t("count")],
    ).properties(height=alt.Step(34))
    st.altair_chart(chart, width="stretch")
    st.dataframe(ui.frame([{t("zone"): zone_name(r), label("task_status", "done"): r.get("done", 0),
                                label("task_status", "due"): r.get("due", 0),
                                label("task_status", "missed"): r.get("missed", 0)} for r in zone_rows]),
                 hide_index=True)
else:
    st.info(t("no_tasks_today"))

left, right = st.columns(2)
with left:
    st.subheader(t("latest_open_findings"))
    page = ui.try_load(client.findings, site_id=site_id, status="open", limit=10, default=None) or {}
    items = page.get("items", [])
    if items:
        st.dataframe(ui.frame([{
            "#": f["id"],
            t("time"): ui.fmt_time(f.get("created_at"), f.get("site_id")),
            t("checkpoint"): pick(f.get("checkpoint") or {}, "name") or f.get("place") or "—",
            t("failed_item"): pick(f, "title"),  # the standard that was not met, e.g. 照明正常
            t("trade"): label("trade", f.get("trade")),
        } for f in items]), hide_index=True)
        if ui.may("finding.dismiss"):
            st.page_link("app_pages/findings.py", label=t("go_to", page=t("nav_findings")),
                         icon=":material/arrow_forward:")
    else:
        st.caption(t("nothing_here"))
with right:
    st.subheader(t("overdue_list"))
    page = ui.try_load(client.work_orders, site_id=site_id, overdue=True, limit=10, default=None) or {}
    items = page.get("items", [])
    if items:
        rows = []
        for o in items:
            secs = [-left for left in (o.get("respond_seconds_left"), o.get("resolve_seconds_left"))
                    if left is not None and left < 0]
            # how late, first and short: in half a 1366 px screen the last column is the one that gets cut
            rows.append({"#": o["id"], t("late_by"): ui.fmt_duration(timedelta(seconds=max(secs))) if secs else "—",
                         t("title"): o.get("title"),
                         t("status"): label("wo_status", o.get("status")),
                         t("assignee"): ui.name_of(o.get("assignee")) if o.get("assignee") else t("unassigned")})
        st.dataframe(ui.frame(rows), hide_index=True,
                     column_config={"#": st.column_config.NumberColumn(width=48)})
        if ui.may("work_order.create"):
            st.page_link("app_pages/work_orders.py", label=t("go_to", page=t("wo_title")),
                         icon=":material/arrow_forward:")
    else:
        st.caption(t("nothing_here"))

# service desk: requests escalated past their limit (三级负责制), for the supervisor's and manager's day
if ui.may("request.view"):
    st.subheader(t("sd_tab_escalated"))
    level = 2 if ui.may("complaint.refer_general_manager") else 1
    page = ui.try_load(client.escalated_requests, site_id=site_id, min_level=level, limit=10, default=None) or {}
    items = page.get("items", [])
    if items:
        st.dataframe(ui.frame([{
            "#": r["id"], t("sd_received"): ui.fmt_time(r.get("received_at"), r.get("site_id")),
            t("sd_kind"): label("req_kind", r.get("kind")), t("sd_location"): r.get("location"),
            t("status"): label("req_status", r.get("status")), t("sd_level"): label("req_level", r.get("escalation_level")),
        } for r in items]), hide_index=True)
        st.page_link("app_pages/service_desk.py", label=t("go_to", page=t("nav_service_desk")),
                     icon=":material/arrow_forward:")
    else:
        st.caption(t("nothing_here"))
