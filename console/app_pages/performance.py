"""绩效考核: the second scheme of seed 004 — daily/weekly/monthly checks in six categories, the month's
scores, publication on its last day, penalties and rewards at 1 point = ¥10."""
from datetime import date

import pandas as pd
import streamlit as st

from console import ui
from console.i18n import label, t

client = ui.client()
st.title(t("perf_title"))
ui.require("performance.view")
st.caption(t("perf_intro"))
ok = st.session_state.pop("flash_ok", None)
if ok:
    st.success(ok)

c1, c2, _ = st.columns([2, 2, 4])
site_id = ui.site_picker("perf_site", allow_all=False, container=c1)
month = c2.selectbox(t("month"), ui.month_options(), key="perf_month")
res = ui.load(client.performance, month, site_id)

if res.get("published"):
    st.info(t("perf_published", at=ui.fmt_time(res.get("published_at"), site_id, with_year=True)), icon=":material/campaign:")
else:
    st.caption(t("perf_draft", day=res.get("publish_from")))

cats = ["dedication", "coordination", "innovation", "discipline", "teamwork_service", "incidents_complaints"]
people = res.get("people") or []
if people:
    st.dataframe(pd.DataFrame([{
        t("staff"): p.get("name"),
        **{label("perf_category", c): (p["categories"].get(c) or {}).get("score") for c in cats},
        t("perf_score"): p.get("score"),
        t("perf_penalty"): p.get("penalty_yuan"),
        t("perf_reward"): p.get("reward_yuan"),
        t("perf_net"): p.get("net_yuan"),
    } for p in people]), hide_index=True)
else:
    st.info(t("nothing_here"))

entries = res.get("entries") or []
if entries:
    names = {u["id"]: u["name"] for u in ui.staff(site_id)}
    with st.expander(t("perf_entries", n=len(entries))):
        st.dataframe(pd.DataFrame([{
            t("time"): e["day"], t("staff"): names.get(e["staff_id"], e["staff_id"]),
            t("perf_period"): label("perf_period", e["period"]), t("perf_category_one"): label("perf_category", e["category"]),
            t("points"): e["points"], t("note"): e["note"]} for e in entries]), hide_index=True)

if not res.get("published"):
    st.subheader(t("perf_add"))
    with st.form("perf_entry"):
        staff = {u["id"]: f"{u['name']}（{label('role', u.get('role'))}）" for u in ui.staff(site_id)
                 if u["id"] != ui.me().get("id")}
        who = ui.choose(t("staff"), staff, "perf_staff")
        period = ui.choose(t("perf_period"), {k: label("perf_period", k) for k in ("daily", "weekly", "monthly")},
                           "perf_period")
        day = st.date_input(t("perf_day"), value=ui.local_today(site_id), key="perf_day")
        cat = ui.choose(t("perf_category_one"), {c: label("perf_category", c) for c in cats}, "perf_category")
        points = st.number_input(t("perf_points"), min_value=-25, max_value=25, value=-1, step=1, key="perf_points")
        slots = ui.FieldSlots()
        note = st.text_input(t("note"), key="perf_note")
        slots.here("staff_id", "period", "day", "category", "points", "note")
        if st.form_submit_button(t("submit"), type="primary"):
            body = {"site_id": site_id, "staff_id": who, "period": period,
                    "day": day.isoformat() if isinstance(day, date) else str(day), "category": cat,
                    "points": int(points), "note": note}
            if ui.act(client.add_performance_entry, body, slots=slots) is not None:
                st.session_state["flash_ok"] = t("saved")
                st.rerun()
    if st.button(t("perf_publish"), key="perf_publish", icon=":material/campaign:"):
        if ui.act(client.publish_performance, month, site_id) is not None:
            st.session_state["flash_ok"] = t("perf_published_ok")
            st.rerun()
