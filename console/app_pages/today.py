"""今日概况: rounds done/due/missed by zone, open findings, overdue orders and the key figures."""
import altair as alt
import pandas as pd
import streamlit as st

from console import ui
from console.i18n import label, pick, t

st.title(t("today_title"))
ui.flash()

c1, c2, _ = st.columns([2, 2, 4])
site_id = ui.site_picker("today_site", container=c1)
day = c2.date_input(t("date"), value=ui.local_today(site_id), key="today_date")
client = ui.client()


def zone_name(row):
    z = row.get("zone")
    if isinstance(z, dict):
        return pick(z, "name")
    for zone in ui.zones():
        if zone["id"] == row.get("zone_id"):
            return pick(zone, "name")
    return pick(row, "zone_name") or str(row.get("zone_id", "—"))


tasks = ui.try_load(client.tasks_summary, date=day.isoformat(), site_id=site_id, default=None) or {}
zone_rows = tasks.get("zones", []) if isinstance(tasks, dict) else []
totals = tasks.get("totals") if isinstance(tasks, dict) else None
if totals is None:
    totals = {k: sum(int(r.get(k) or 0) for r in zone_rows) for k in ("done", "due", "missed")}
summary = ui.try_load(client.report_summary, site_id=site_id, date=day.isoformat(), default=None) or {}

scheduled = sum(int(totals.get(k) or 0) for k in ("done", "due", "missed"))
m = st.columns(4)
m[0].metric(t("rounds_done"), totals.get("done", 0))
m[1].metric(t("rounds_due"), totals.get("due", 0))
m[2].metric(t("rounds_missed"), totals.get("missed", 0), delta=None)
m[3].metric(t("completion_rate"), ui.pct(totals.get("done", 0) / scheduled) if scheduled else "—")

if summary:
    findings_s = summary.get("findings") or {}
    orders_s = summary.get("work_orders") or {}
    m2 = st.columns(5)
    m2[0].metric(t("open_findings"), findings_s.get("open", summary.get("open_findings", "—")))
    m2[1].metric(t("open_orders"), orders_s.get("open", summary.get("open_work_orders", "—")))
    m2[2].metric(t("overdue_orders"), orders_s.get("overdue", summary.get("overdue_work_orders", "—")))
    m2[3].metric(t("sla_rate"), ui.pct(orders_s.get("sla_rate", summary.get("sla_rate"))))
    m2[4].metric(t("rework_rate"), ui.pct(orders_s.get("rework_rate", summary.get("rework_rate"))))

st.subheader(t("rounds_by_zone"))
if zone_rows:
    data = pd.DataFrame([
        {t("zone"): zone_name(r), t("status"): label("task_status", k), "k": k, t("count"): int(r.get(k) or 0)}
        for r in zone_rows for k in ("done", "due", "missed")
    ])
    colors = alt.Scale(domain=[label("task_status", k) for k in ("done", "due", "missed")],
                       range=["#2e7d32", "#f9a825", "#c62828"])
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y(f"{t('zone')}:N", sort=None, title=None),
        x=alt.X(f"{t('count')}:Q", stack="zero"),
        color=alt.Color(f"{t('status')}:N", scale=colors, legend=alt.Legend(orient="bottom")),
        order=alt.Order("k:N"),
        tooltip=[t("zone"), t("status"), t("count")],
    ).properties(height=max(120, 42 * len(zone_rows)))
    st.altair_chart(chart, width="stretch")
    st.dataframe(pd.DataFrame([{t("zone"): zone_name(r), label("task_status", "done"): r.get("done", 0),
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
        st.dataframe(pd.DataFrame([{
            "#": f["id"],
            t("time"): ui.fmt_time(f.get("created_at"), f.get("site_id")),
            t("checkpoint"): pick(f.get("checkpoint") or {}, "name") or f.get("checkpoint_name") or "—",
            t("title"): pick(f, "title"),
            t("trade"): label("trade", f.get("trade")),
        } for f in items]), hide_index=True)
        st.page_link("app_pages/findings.py", label=t("nav_findings"), icon=":material/arrow_forward:")
    else:
        st.caption(t("nothing_here"))
with right:
    st.subheader(t("overdue_list"))
    page = ui.try_load(client.work_orders, site_id=site_id, overdue=True, limit=10, default=None) or {}
    items = page.get("items", []) if isinstance(page, dict) else page
    if items:
        rows = []
        for o in items:
            deadline = o.get("resolve_by") if o.get("status") in ("accepted", "in_progress") else (
                o.get("respond_by") or o.get("resolve_by"))
            text, _ = ui.countdown(deadline)
            rows.append({"#": o["id"], t("title"): o.get("title"), t("status"): label("wo_status", o.get("status")),
                         t("assignee"): ui.name_of(o.get("assignee")) if o.get("assignee") else t("unassigned"),
                         t("resolve_by"): text or "—"})
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        st.page_link("app_pages/work_orders.py", label=t("nav_work_orders"), icon=":material/arrow_forward:")
    else:
        st.caption(t("nothing_here"))
