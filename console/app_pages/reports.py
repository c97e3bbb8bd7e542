"""报表: pass rate by checklist and zone over time, zone ranking (片区评比), rework rate and SLA compliance."""
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from console import ui
from console.i18n import label, pick, t

client = ui.client()
st.title(t("rep_title"))


def rows_of(body):
    if isinstance(body, list):
        return body
    if not isinstance(body, dict):
        return []
    for key in ("items", "rows", "series", "zones", "groups"):
        if isinstance(body.get(key), list):
            return body[key]
    return []


def rate(value):
    """The API's rates are fractions 0–1; charts show percent."""
    return None if value is None else round(float(value) * 100, 1)


def group_name(row, kind):
    for key in ("name", "label", f"{kind}_name"):
        if row.get(key):
            return pick(row, key) if key == "name" else row[key]
    if kind == "trade":
        return label("trade", row.get("trade") or row.get("key"))
    if kind == "checklist":
        return row.get("checklist_key") or row.get("key") or "—"
    nested = row.get(kind)
    if isinstance(nested, dict):
        return pick(nested, "name")
    return str(row.get(f"{kind}_id") or row.get("key") or "—")


c = st.columns([2, 3, 2])
site_id = ui.site_picker("rep_site", container=c[0])
today = ui.local_today(site_id)
span = c[1].date_input(t("date"), value=(today - timedelta(days=29), today), max_value=today, key="rep_dates")
interval = ui.choose(t("interval"), {"day": t("day"), "week": t("week"), "month": t("month_i")}, "rep_interval",
                     c[2], widget="segmented_control", default="day") or "day"
first, last = (span[0], span[-1]) if isinstance(span, (tuple, list)) and span else (today, today)
since, until = first.isoformat(), last.isoformat()

# --- pass rate over time ----------------------------------------------------------------------------
for group, title in (("checklist", t("pass_rate_by_checklist")), ("zone", t("pass_rate_by_zone"))):
    st.subheader(title)
    body = ui.try_load(client.report_pass_rate, site_id=site_id, since=since, until=until, group=group,
                       interval=interval, default=None)
    rows = rows_of(body)
    if not rows:
        st.caption(t("nothing_here"))
        continue
    data = pd.DataFrame([{
        t("period"): r.get("period") or r.get("date") or r.get("day"),
        t(group): group_name(r, group),
        t("pass_rate"): rate(r.get("pass_rate")),
        t("items_checked"): r.get("checked") or r.get("items") or r.get("total"),
        t("items_failed"): r.get("failed"),
    } for r in rows])
    chart = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X(f"{t('period')}:T", title=None),
        y=alt.Y(f"{t('pass_rate')}:Q", title=f"{t('pass_rate')} %", scale=alt.Scale(zero=False)),
        color=alt.Color(f"{t(group)}:N", legend=alt.Legend(orient="bottom", columns=4)),
        tooltip=list(data.columns),
    ).properties(height=280)
    st.altair_chart(chart, width="stretch")

# --- zone ranking (片区评比) -------------------------------------------------------------------------
st.subheader(t("zone_ranking"))
rk_month = st.selectbox(t("month"), ui.month_options(), key="rep_rank_month")
body = ui.try_load(client.report_zone_ranking, site_id=site_id, month=rk_month, default=None)
rows = rows_of(body)
if rows:
    data = pd.DataFrame([{
        t("rank"): r.get("rank", i + 1),
        t("zone"): group_name(r, "zone"),
        t("score"): r.get("score"),
        t("pass_rate"): rate(r.get("pass_rate")),
        t("open_findings"): r.get("open_findings", r.get("findings")),
        t("points"): r.get("points", r.get("deduction_points")),
    } for i, r in enumerate(rows)])
    left, right = st.columns([3, 2])
    left.altair_chart(alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{t('score')}:Q"), y=alt.Y(f"{t('zone')}:N", sort="-x", title=None),
        color=alt.Color(f"{t('score')}:Q", scale=alt.Scale(scheme="greens"), legend=None),
        tooltip=list(data.columns),
    ).properties(height=max(120, 40 * len(data))), width="stretch")
    right.dataframe(data.dropna(axis=1, how="all"), hide_index=True)
else:
    st.caption(t("nothing_here"))

# --- work orders: SLA, rework ------------------------------------------------------------------------
st.subheader(t("wo_performance"))
by = ui.choose(t("group_by"), {v: t(f"by_{v}") for v in ("trade", "zone", "person")}, "rep_wo_by",
               widget="segmented_control", default="trade") or "trade"
body = ui.try_load(client.report_work_orders, site_id=site_id, since=since, until=until, by=by, default=None)
rows = rows_of(body)
if rows:
    data = pd.DataFrame([{
        t("group_by"): group_name(r, by),
        t("completed"): r.get("completed"),
        t("reopened"): r.get("reopened"),
        t("rework_rate"): rate(r.get("rework_rate")),
        t("respond_sla"): rate(r.get("respond_sla", r.get("responded_in_time_rate"))),
        t("resolve_sla"): rate(r.get("resolve_sla", r.get("resolved_in_time_rate"))),
        t("mtta_hours"): r.get("mean_respond_hours", r.get("mtta_hours")),
        t("mttr_hours"): r.get("mean_resolve_hours", r.get("mttr_hours")),
    } for r in rows])
    long = data.melt(id_vars=[t("group_by")], value_vars=[t("respond_sla"), t("resolve_sla"), t("rework_rate")],
                     var_name="figure", value_name="%").dropna()
    st.altair_chart(alt.Chart(long).mark_bar().encode(
        x=alt.X(f"{t('group_by')}:N", title=None),
        xOffset="figure:N",
        y=alt.Y("%:Q", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("figure:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[t("group_by"), "figure", "%"],
    ).properties(height=300), width="stretch")
    st.dataframe(data.dropna(axis=1, how="all"), hide_index=True)
else:
    st.caption(t("nothing_here"))
