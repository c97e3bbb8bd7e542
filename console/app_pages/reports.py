"""报表: pass rate by checklist and zone over time, zone ranking (片区评比), rework rate and SLA compliance."""
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from console import ui
from console.i18n import label, pick, t

client = ui.client()
st.title(t("rep_title"))


def rate(value):
    """The API's rates are 0–1 fractions (null: nothing to measure); charts show percent."""
    return None if value is None else round(float(value) * 100, 1)


c = st.columns([2, 3, 3])
site_id = ui.site_picker("rep_site", allow_all=False, container=c[0])
today = ui.local_today(site_id)
span = c[1].date_input(t("date"), value=(today - timedelta(days=29), today), max_value=today, key="rep_dates")
interval = ui.choose(t("interval"), {"day": t("day"), "week": t("week"), "month": t("month_i")}, "rep_interval",
                     c[2], widget="segmented_control", default="day") or "day"
first, last = (span[0], span[-1]) if isinstance(span, (tuple, list)) and span else (today, today)

# --- pass rate over time ----------------------------------------------------------------------------
for group, title in (("checklist", t("pass_rate_by_checklist")), ("zone", t("pass_rate_by_zone"))):
    st.subheader(title)
    body = ui.try_load(client.report_pass_rate, site_id=site_id, since=first.isoformat(), until=last.isoformat(),
                       group=group, interval=interval, default=None) or {}
    series = body.get("series", [])
    if not series:
        st.caption(t("nothing_here"))
        continue
    fmt = (lambda d: d[:7]) if interval == "month" else (lambda d: d[5:10])
    data = pd.DataFrame([{
        t("period"): fmt(r["period"]), t(group): pick(r, "name") or r.get("key"), t("pass_rate"): rate(r["pass_rate"]),
        t("inspections"): r.get("inspections"), t("items_failed"): r.get("failed"),
    } for r in series])
    chart = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X(f"{t('period')}:O", title=None, sort="ascending", axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{t('pass_rate')}:Q", title=f"{t('pass_rate')} %", scale=alt.Scale(zero=False)),
        color=alt.Color(f"{t(group)}:N", legend=alt.Legend(orient="bottom", columns=4, title=None)),
        tooltip=list(data.columns),
    ).properties(height=280)
    st.altair_chart(chart, width="stretch")

# --- zone ranking (片区评比) -------------------------------------------------------------------------
st.subheader(t("zone_ranking"))
rk_month = ui.month_picker("rep_rank_month")
body = ui.try_load(client.report_zone_ranking, site_id=site_id, month=rk_month, default=None) or {}
zones = body.get("zones", [])
if zones:
    data = pd.DataFrame([{
        t("rank"): z.get("rank"), t("zone"): pick(z, "name"), t("score"): z.get("score"),
        t("pass_rate"): rate(z.get("pass_rate")), t("items_failed"): z.get("items_failed"),
        t("nav_work_orders"): z.get("orders"), t("overdue_orders"): z.get("orders_overdue"),
        t("reopened"): z.get("orders_reopened"), t("points"): z.get("deduction_points"),
    } for z in zones])
    left, right = st.columns([2, 3])
    left.altair_chart(alt.Chart(data.dropna(subset=[t("score")])).mark_bar().encode(
        x=alt.X(f"{t('score')}:Q", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y(f"{t('zone')}:N", sort="-x", title=None),
        color=alt.Color(f"{t('score')}:Q", scale=alt.Scale(scheme="greens"), legend=None),
        tooltip=list(data.columns),
    ).properties(height=alt.Step(34)), width="stretch")
    right.dataframe(data, hide_index=True)
else:
    st.caption(t("nothing_here"))

# --- work orders: SLA, rework ------------------------------------------------------------------------
st.subheader(t("wo_performance"))
by = ui.choose(t("group_by"), {v: t(f"by_{v}") for v in ("trade", "zone", "person")}, "rep_wo_by",
               widget="segmented_control", default="trade") or "trade"
body = ui.try_load(client.report_work_orders, site_id=site_id, since=first.isoformat(), until=last.isoformat(),
                   by=by, default=None) or {}
overall = body.get("overall") or {}
if overall:
    m = st.columns(5)
    m[0].metric(t("completed"), overall.get("completed", 0))
    m[1].metric(t("respond_sla"), ui.pct(overall.get("respond_sla")))
    m[2].metric(t("resolve_sla"), ui.pct(overall.get("resolve_sla")))
    m[3].metric(t("rework_rate"), ui.pct(overall.get("rework_rate")))
    m[4].metric(t("mttr_hours"), "—" if overall.get("mean_resolve_hours") is None
                else f"{overall['mean_resolve_hours']:.1f}")


def group_name(g):
    if by == "trade":
        return label("trade", g.get("key"))
    return pick(g, "name") or g.get("username") or (t("unassigned") if g.get("key") is None else str(g["key"]))


groups = body.get("groups", [])
if groups:
    data = pd.DataFrame([{
        t("group_by"): group_name(g), t("nav_work_orders"): g.get("orders"), t("completed"): g.get("completed"),
        t("reopened"): g.get("reopened"), t("rework_rate"): rate(g.get("rework_rate")),
        t("respond_sla"): rate(g.get("respond_sla")), t("resolve_sla"): rate(g.get("resolve_sla")),
        t("mtta_hours"): g.get("mean_respond_hours"), t("mttr_hours"): g.get("mean_resolve_hours"),
    } for g in groups])
    long = data.melt(id_vars=[t("group_by")], value_vars=[t("respond_sla"), t("resolve_sla"), t("rework_rate")],
                     var_name="figure", value_name="%").dropna()
    if not long.empty:
        st.altair_chart(alt.Chart(long).mark_bar().encode(
            x=alt.X(f"{t('group_by')}:N", title=None, axis=alt.Axis(labelAngle=0)),
            xOffset="figure:N",
            y=alt.Y("%:Q", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("figure:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[t("group_by"), "figure", "%"],
        ).properties(height=300), width="stretch")
    st.dataframe(data, hide_index=True)
else:
    st.caption(t("nothing_here"))
