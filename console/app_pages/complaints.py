"""投诉处理与回访报告: valid/invalid with the reason, the reply in the owner's way, the incoming-mail register,
the general property manager (seed 003); unsatisfied repair revisits and the monthly report (seed 002)."""
import pandas as pd
import streamlit as st

from console import ui
from console.i18n import label, t

client = ui.client()
st.title(t("cp_title"))
ui.require("request.view")
ok = st.session_state.pop("flash_ok", None)
if ok:
    st.success(ok)

c1, c2, _ = st.columns([2, 2, 4])
site_id = ui.site_picker("cp_site", allow_all=False, container=c1)
month = c2.selectbox(t("month"), ui.month_options(), key="cp_month")

complaints = ui.load(client.requests, kind="complaint", site_id=site_id, limit=100).get("items", [])
if not complaints:
    st.info(t("cp_none"))
else:
    pick = ui.choose(t("cp_pick"), {r["id"]: f"#{r['id']} {label('req_channel', r.get('channel'))} · "
                                              f"{label('req_status', r.get('status'))} · {r.get('description', '')[:30]}"
                                    for r in complaints}, "cp_pick")
    req = next(r for r in complaints if r["id"] == pick)
    left, right = st.columns(2)
    with left.form("cp_validity"):
        st.markdown(f"**{t('cp_validity')}**")
        valid = ui.choose(t("cp_validity"), {True: t("cp_valid"), False: t("cp_invalid")}, "cp_valid",
                          widget="radio", horizontal=True, label_visibility="collapsed")
        slots = ui.FieldSlots()
        why = st.text_input(t("cp_reason"), key="cp_reason")
        slots.here("reason")
        if st.form_submit_button(t("submit"), type="primary"):
            if ui.act(client.judge_complaint, pick, valid, why, slots=slots) is not None:
                st.session_state["flash_ok"] = t("saved")
                st.rerun()
    with right.form("cp_reply"):
        st.markdown(f"**{t('cp_reply')}**")
        expected = {"phone": "call", "visit": "visit", "letter": "letter", "wechat": "letter"}.get(req.get("channel"))
        methods = ["visit", "letter", "call"]
        method = ui.choose(t("cp_reply_method"), {m: label("reply_method", m) for m in methods}, "cp_method",
                           index=methods.index(expected) if expected in methods else 0)
        slots = ui.FieldSlots()
        text = st.text_area(t("cp_reply_text"), key="cp_reply_text", height=80)
        slots.here("method", "text")
        if st.form_submit_button(t("submit"), type="primary"):
            if ui.act(client.reply_complaint, pick, method, text, slots=slots) is not None:
                st.session_state["flash_ok"] = t("saved")
                st.rerun()
    if req.get("channel") == "letter":
        with st.form("cp_mail"):
            st.markdown(f"**{t('cp_mail')}**")
            m = st.columns(3)
            sender = m[0].text_input(t("cp_sender"), key="cp_sender")
            subject = m[1].text_input(t("cp_subject"), key="cp_subject")
            to = m[2].text_input(t("cp_reported_to"), key="cp_reported_to")
            slots = ui.FieldSlots()
            slots.here("sender", "subject", "reported_to")
            if st.form_submit_button(t("submit"), type="primary"):
                if ui.act(client.register_mail, pick, sender, subject, to, slots=slots) is not None:
                    st.session_state["flash_ok"] = t("saved")
                    st.rerun()
    if req.get("urgent") and ui.may("complaint.refer_general_manager"):
        with st.form("cp_gm"):
            st.markdown(f"**{t('cp_gm')}**")
            slots = ui.FieldSlots()
            gm_why = st.text_input(t("reason"), key="cp_gm_reason")
            slots.here("reason")
            if st.form_submit_button(t("submit"), type="primary"):
                if ui.act(client.refer_to_general_manager, pick, gm_why, slots=slots) is not None:
                    st.session_state["flash_ok"] = t("saved")
                    st.rerun()

mail = ui.try_load(client.incoming_mail, site_id, default={}) or {}
if mail.get("items"):
    st.subheader(t("cp_mail"))
    st.dataframe(pd.DataFrame([{"#": m["mail_no"], t("cp_sender"): m["sender"], t("cp_subject"): m["subject"],
                                t("cp_reported_to"): m["reported_to"],
                                t("time"): ui.fmt_time(m.get("registered_at"), site_id, with_year=True),
                                t("cp_reply"): ui.fmt_time(m.get("answered_at"), site_id) if m.get("answered_at")
                                else "—"} for m in mail["items"]]), hide_index=True)

if ui.may("complaint.stats"):
    s = ui.try_load(client.complaint_stats, site_id, month, default=None)
    if s:
        st.subheader(t("cp_stats"))
        k = st.columns(5)
        k[0].metric(label("req_kind", "complaint"), s["complaints"])
        k[1].metric(t("cp_valid"), s["valid"])
        k[2].metric(t("cp_invalid"), s["invalid"])
        k[3].metric(label("req_kind", "suggestion"), s["suggestions"])
        k[4].metric(t("cp_in_kind"), s["replied_in_kind"])
        if s["invalid_reasons"]:
            st.dataframe(pd.DataFrame([{"#": x["request_id"], t("cp_reason"): x["reason"]}
                                       for x in s["invalid_reasons"]]), hide_index=True)
    rep = ui.try_load(client.repair_revisit_report, site_id, month, default=None)
    if rep:
        st.subheader(t("cp_revisits"))
        k = st.columns(5)
        for col, key in zip(k, ("revisited", "satisfied", "unsatisfied", "late_revisits", "still_due")):
            col.metric(t(f"cp_{key}"), rep[key])
        if rep["unsatisfied_list"]:
            st.markdown(f"**{t('cp_referrals')}**")
            st.dataframe(pd.DataFrame([{"#": u["request_id"], t("note"): u["note"], "trade": u["trade"],
                                        t("cp_referrals"): "、".join(u["heads"])} for u in rep["unsatisfied_list"]]),
                         hide_index=True)
        st.download_button(t("cp_download"), data=lambda: client.repair_revisit_report_xlsx(site_id, month),
                           file_name=f"repair-revisits-{month}.xlsx", on_click="ignore", key="cp_xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/download:")
