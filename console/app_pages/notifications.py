"""消息通知: a site's group robots (WeCom, DingTalk, Feishu), webhooks and mail lists, a test
message per channel, and the deliveries that failed with the channel's answer and a resend."""
import pandas as pd
import streamlit as st

from console import ui
from console.i18n import label, t

client = ui.client()
st.title(t("nt_title"))
ui.require("notification.manage")
st.caption(t("nt_intro"))
if st.session_state.get("nt_flash"):
    st.success(st.session_state.pop("nt_flash"))

site_id = ui.site_picker("nt_site", allow_all=False)

# --- channels ---------------------------------------------------------------------------------
st.subheader(t("nt_channels"))
channels = ui.load(client.notification_channels, site_id=site_id)
if not channels:
    st.info(t("nt_no_channels"))
for ch in channels:
    events = "、".join(label("notification_event", e) for e in (ch.get("events") or [])) or t("nt_default_events")
    with st.container(border=True):
        top = st.columns([4, 2, 2, 2])
        top[0].markdown(f"**{ch.get('name') or label('channel_kind', ch['kind'])}** · {label('channel_kind', ch['kind'])}"
                        f"{' · ' + t('nt_has_secret') if ch.get('has_secret') else ''}"
                        f"{'' if ch.get('active') else ' · ' + t('nt_disable')}")
        top[0].caption(f"`{ch.get('url')}` — {t('nt_events')}：{events}")
        if top[1].button(t("nt_test"), key=f"nt_test_{ch['id']}", icon=":material/send:"):
            out = ui.act(client.test_notification_channel, ch["id"])
            if out is not None:
                (st.success if out.get("sent") else st.error)(
                    t("nt_test_ok" if out.get("sent") else "nt_test_failed", answer=out.get("answer") or "—"))
        if ch.get("active"):
            if top[2].button(t("nt_disable"), key=f"nt_off_{ch['id']}", icon=":material/pause:"):
                if ui.act(client.disable_notification_channel, ch["id"]) is not None:
                    st.rerun()
        elif top[2].button(t("nt_enable"), key=f"nt_on_{ch['id']}", icon=":material/play_arrow:"):
            if ui.act(client.update_notification_channel, ch["id"], {"active": True}) is not None:
                st.rerun()

with st.expander(t("nt_add"), icon=":material/add:"):
    with st.form("nt_add_form", clear_on_submit=False):
        slots = ui.FieldSlots()
        kinds = {k: label("channel_kind", k) for k in ui.values("channel_kinds")}  # labelled while the page runs
        kind = st.selectbox(t("nt_kind"), list(kinds), format_func=kinds.get, key="nt_kind")
        slots.here("kind")
        name = st.text_input(t("nt_name"), key="nt_name")
        url = st.text_input(t("nt_url"), help=t("nt_url_help"), key="nt_url")
        slots.here("url")
        secret = st.text_input(t("nt_secret"), type="password", help=t("nt_secret_help"), key="nt_secret")
        event_names = {e: label("notification_event", e) for e in ui.values("notification_events")}
        events = st.multiselect(t("nt_events"), list(event_names), format_func=event_names.get,
                                help=t("nt_events_help"), key="nt_events")
        slots.here("events")
        if st.form_submit_button(t("nt_save"), type="primary"):
            body = {"site_id": site_id, "kind": kind, "name": name, "url": url.strip(),
                    "events": events or None}
            if secret:
                body["secret"] = secret
            made = ui.act(client.create_notification_channel, body, idempotency_key=ui.retry_key("nt_add"),
                          slots=slots)
            if made is not None:
                ui.forget_retry_key("nt_add")
                st.session_state["nt_flash"] = t("nt_saved")
                st.rerun()

# --- failed deliveries --------------------------------------------------------------------------
st.subheader(t("nt_failed"))
failed = ui.load(client.notifications, site_id=site_id, status="failed")
if not failed:
    st.info(t("nt_no_failed"))
else:
    st.dataframe(pd.DataFrame([{
        "#": n["id"],
        t("time"): ui.fmt_time(n.get("created_at"), site_id),
        t("nt_event"): label("notification_event", n["event"]),
        t("nt_target"): n.get("channel_name") or label("channel_kind", n.get("channel_kind")),
        t("nt_status"): label("notification_status", n["status"]),
        t("nt_attempts"): n.get("attempts"),
        t("nt_answer"): n.get("last_error"),
        t("nt_next"): ui.fmt_time(n.get("next_attempt_at"), site_id) if n["status"] == "pending" else "—",
    } for n in failed]), hide_index=True)
    for n in failed:
        cols = st.columns([6, 2])
        cols[0].caption(f"#{n['id']} {n['body'][:80]}")
        if cols[1].button(t("nt_resend"), key=f"nt_resend_{n['id']}", icon=":material/replay:"):
            if ui.act(client.resend_notification, n["id"]) is not None:
                st.session_state["nt_flash"] = t("nt_resent")
                st.rerun()
