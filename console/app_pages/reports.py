"""报表: monthly pass rates by checklist and zone (a daily trend on demand), the zone ranking (片区评比) with its
parts, and work-order timeliness and rework. What each figure counts is the API's definition, shown as a tooltip."""
from datetime import date, timedelta

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


def months_back(today, n):
    """The first day of the month ``n - 1`` months before ``today``'s month."""
    y, m = today.year, today.month - (n - 1)
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


PERCENT_AXIS = alt.Axis(format="d", tickCount=5, title=None)
LABEL_AXIS = alt.Axis(labelLimit=220, title=None)

remember = ui.url_state({"rep_site": int, "rep_months": int, "rep_daily": bool, "rep_rank_month": str,
                         "rep_wo_by": str})
c = st.columns([2, 2, 3])
site_id = ui.site_picker("rep_site", allow_all=False, container=c[0])
today = ui.local_today(site_id)
months = ui.choose(t("rep_span"), {3: t("rep_months_n", n=3), 6: t("rep_months_n", n=6), 12: t("rep_months_n", n=12)},
                   "rep_months", c[1], index=1)
daily = c[2].toggle(t("rep_daily"), key="rep_daily", help=t("rep_daily_help"))
first, last = months_back(today, months), today

# --- pass rate: a month per bar; the last 30 days day by day on demand ------------------------------------
for group, title in (("checklist", t("pass_rate_by_checklist")), ("zone", t("pass_rate_by_zone"))):
    st.subheader(title, help=ui.figure_help("pass_rate"))
    body = ui.try_load(client.report_pass_rate, site_id=site_id, since=first.isoformat(), until=last.isoformat(),
                       group=group, interval="month", default=None) or {}
    series = body.get("series", [])
    if not series:
        st.caption(t("nothing_here"))
        continue
    data = pd.DataFrame([{
        t("month"): ui.month_text(r["period"][:7]), t(group): pick(r, "name") or r.get("key"),
        t("pass_rate"): rate(r["pass_rate"]), t("inspections"): r.get("inspections"),
        t("items_failed"): r.get("failed"),
    } for r in series])
    month_order = sorted(data[t("month")].unique(), key=lambda m: [int(x) for x in m.replace("年", "-").replace(
        "月", "").split("-")])
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y(f"{t(group)}:N", axis=LABEL_AXIS),
        yOffset=alt.YOffset(f"{t('month')}:N", sort=month_order),
        x=alt.X(f"{t('pass_rate')}:Q", scale=alt.Scale(domain=[0, 100]), axis=PERCENT_AXIS),
        color=alt.Color(f"{t('month')}:N", sort=month_order, scale=alt.Scale(scheme="blues"),
                        legend=alt.Legend(orient="top", title=f"{t('pass_rate')} %")),
        tooltip=list(data.columns),
    ).properties(height=alt.Step(12))
    st.altair_chart(chart, width="stretch")
    if daily:
        body = ui.try_load(client.report_pass_rate, site_id=site_id, since=(today - timedelta(days=29)).isoformat(),
                           until=today.isoformat(), group=group, interval="day", default=None) or {}
        days = pd.DataFrame([{t("date"): r["period"], t(group): pick(r, "name") or r.get("key"),
                              t("pass_rate"): rate(r["pass_rate"])} for r in body.get("series", [])])
        if not days.empty:
            st.altair_chart(alt.Chart(days).mark_line(point=True).encode(
                x=alt.X(f"{t('date')}:T", axis=alt.Axis(format="%m-%d", title=None, labelAngle=0)),
                y=alt.Y(f"{t('pass_rate')}:Q", scale=alt.Scale(domain=[0, 100]), axis=PERCENT_AXIS),
                color=alt.Color(f"{t(group)}:N", legend=alt.Legend(orient="bottom", columns=3, title=None)),
                tooltip=list(days.columns),
            ).properties(height=240), width="stretch")

# --- zone ranking (片区评比): the score and its parts ------------------------------------------------------
st.subheader(t("zone_ranking"), help=ui.figure_help("zone_score"))
rk_month = ui.month_picker("rep_rank_month")
body = ui.try_load(client.report_zone_ranking, site_id=site_id, month=rk_month, default=None) or {}
zones = body.get("zones", [])
if zones:
    parts = [{t("zone"): pick(z, "name"), t("rep_part"): t(f"rep_part_{c['key']}"), t("points"): c["points"],
              t("rep_part_value"): rate(c["value"]), t("rep_part_weight"): c["weight"]}
             for z in zones for c in z.get("components", []) if c.get("points") is not None]
    order = [pick(z, "name") for z in zones]
    if parts:
        st.altair_chart(alt.Chart(pd.DataFrame(parts)).mark_bar().encode(
            y=alt.Y(f"{t('zone')}:N", sort=order, axis=LABEL_AXIS),
            x=alt.X(f"{t('points')}:Q", stack="zero", scale=alt.Scale(domain=[0, 100]),
                    axis=alt.Axis(format="d", title=t("rep_score_axis"))),
            color=alt.Color(f"{t('rep_part')}:N",  # two a row: the legend wraps on a phone instead of running off
                            legend=alt.Legend(orient="top", direction="horizontal", columns=2, title=None)),
            tooltip=[t("zone"), t("rep_part"), t("rep_part_value"), t("rep_part_weight"), t("points")],
        ).properties(height=alt.Step(30)), width="stretch")
    st.dataframe(ui.frame([{
        t("rank"): z.get("rank"), t("zone"): pick(z, "name"), t("score"): z.get("score"),
        t("pass_rate"): ui.pct(z.get("pass_rate")), t("resolve_sla"): ui.pct(z.get("orders_on_time_rate")),
        t("rep_late_of_due"): f"{z.get('orders_late', 0)}/{z.get('orders_due', 0)}",
        t("overdue_orders"): z.get("orders_overdue"), t("reopened"): z.get("orders_reopened"),
        t("rep_complaints"): z.get("complaints"), t("points"): z.get("deduction_points"),
    } for z in zones]), hide_index=True, width="stretch")
else:
    st.caption(t("nothing_here"))

# --- work orders: timeliness and rework --------------------------------------------------------------------
st.subheader(t("wo_performance"))
by = ui.choose(t("group_by"), {v: t(f"by_{v}") for v in ("trade", "zone", "person")}, "rep_wo_by",
               widget="segmented_control", default="trade") or "trade"
remember()
# the month picked above, as for the ranking: orders registered in it, counted as of now
wo_first = date(int(rk_month[:4]), int(rk_month[5:7]), 1)
wo_last = min(today, months_back(wo_first, 0) - timedelta(days=1))
st.caption(t("rep_wo_span", month=ui.month_text(rk_month)))
body = ui.try_load(client.report_work_orders, site_id=site_id, since=wo_first.isoformat(), until=wo_last.isoformat(),
                   by=by, default=None) or {}
overall = body.get("overall") or {}
if overall:
    m = st.columns(5)
    m[0].metric(t("completed"), overall.get("completed", 0))
    m[1].metric(t("respond_sla"), ui.pct(overall.get("respond_sla")), help=ui.figure_help("respond_sla"),
                delta=t("rep_late_n", n=overall.get("respond_late", 0), of=overall.get("respond_counted", 0)),
                delta_color="off", delta_arrow="off")
    m[2].metric(t("resolve_sla"), ui.pct(overall.get("resolve_sla")), help=ui.figure_help("resolve_sla"),
                delta=t("rep_late_n", n=overall.get("resolve_late", 0), of=overall.get("resolve_counted", 0)),
                delta_color="off", delta_arrow="off")
    m[3].metric(t("rework_rate"), ui.pct(overall.get("rework_rate")), help=ui.figure_help("rework_rate"))
    m[4].metric(t("mttr_hours"), "—" if overall.get("mean_resolve_hours") is None
                else f"{overall['mean_resolve_hours']:.1f}", help=ui.figure_help("mean_resolve_hours"))


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
                     var_name=t("rep_figure"), value_name="%").dropna()
    if not long.empty:
        st.altair_chart(alt.Chart(long).mark_bar().encode(
            y=alt.Y(f"{t('group_by')}:N", axis=LABEL_AXIS),
            yOffset=f"{t('rep_figure')}:N",
            x=alt.X("%:Q", scale=alt.Scale(domain=[0, 100]), axis=PERCENT_AXIS),
            color=alt.Color(f"{t('rep_figure')}:N",
                            legend=alt.Legend(orient="top", direction="horizontal", columns=3, title=None)),
            tooltip=[t("group_by"), t("rep_figure"), "%"],
        ).properties(height=alt.Step(12)), width="stretch")
    st.dataframe(ui.frame(data), hide_index=True, width="stretch")
else:
    st.caption(t("nothing_here"))
