"""纠正预防措施: the month's fault notices and overdue items analysed for root causes; each action with an
owner, a due date, done and verified; the register as Excel (seed 004 4.1.6)."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from console import ui
from console.i18n import label, t

client = ui.client()
st.title(t("ca_title"))
ui.require("corrective.view")
st.caption(t("ca_intro"))
ok = st.session_state.pop("flash_ok", None)
if ok:
    st.success(ok)

c1, c2, _ = st.columns([2, 2, 4])
site_id = ui.site_picker("ca_site", allow_all=False, container=c1)
month = c2.selectbox(t("month"), ui.month_options(), key="ca_month")
got = ui.load(client.corrective_analysis, site_id, month)

st.subheader(t("ca_problems"))
if got["problems"]:
    st.dataframe(pd.DataFrame([{t("problem"): p["problem_key"], t("ca_notices"): p["notices"], t("points"): p["points"],
                                t("ca_people"): p["people"], t("ca_actions"): len(p["action_ids"])}
                               for p in got["problems"]]), hide_index=True)
else:
    st.info(t("nothing_here"))
late = [("overdue_order", f"#{o['id']} {o['title']}") for o in got["overdue_orders"]] + \
       [("overdue_request", f"#{r['id']} {label('req_kind', r['kind'])}") for r in got["overdue_requests"]]
if late:
    st.markdown(f"**{t('ca_overdue')}**：" + "；".join(x[1] for x in late))

st.subheader(t("ca_add"))
with st.form("ca_new"):
    sources = {("fault_notices", p["problem_key"]): f"{t('ca_problems')}：{p['problem_key']}" for p in got["problems"]}
    sources.update({("overdue_order", str(o["id"])): f"{t('ca_overdue')}：#{o['id']} {o['title']}"
                    for o in got["overdue_orders"]})
    sources.update({("overdue_request", str(r["id"])): f"{t('ca_overdue')}：#{r['id']}" for r in got["overdue_requests"]})
    sources[("other", "other")] = label("ca_source", "other")
    src = ui.choose(t("ca_source"), sources, "ca_src")
    slots = ui.FieldSlots()
    cause = st.text_area(t("ca_root_cause"), key="ca_cause", height=70)
    slots.here("root_cause", "source_ref", "source_kind")
    action = st.text_area(t("ca_action"), key="ca_action", height=70)
    slots.here("action")
    k = st.columns(3)
    kind = ui.choose(t("ca_kind"), {"corrective": label("ca_kind", "corrective"),
                                    "preventive": label("ca_kind", "preventive")}, "ca_kind", container=k[0])
    owner = ui.choose(t("ca_owner"), {u["id"]: u["name"] for u in ui.staff(site_id)}, "ca_owner", container=k[1])
    due = k[2].date_input(t("ca_due"), value=ui.local_today(site_id) + timedelta(days=7), key="ca_due")
    slots.here("owner_id", "due_date", "kind")
    if st.form_submit_button(t("submit"), type="primary"):
        body = {"site_id": site_id, "month": month, "source_kind": src[0], "source_ref": src[1], "root_cause": cause,
                "action": action, "kind": kind, "owner_id": owner, "due_date": due.isoformat()}
        if ui.act(client.create_corrective_action, body, slots=slots) is not None:
            st.session_state["flash_ok"] = t("saved")
            st.rerun()

st.subheader(t("ca_register"))
rows = ui.load(client.corrective_actions, site_id, month).get("items", [])
names = {u["id"]: u["name"] for u in ui.staff(site_id)}
if rows:
    st.dataframe(pd.DataFrame([{"#": a["id"], t("ca_root_cause"): a["root_cause"], t("ca_action"): a["action"],
                                t("ca_kind"): label("ca_kind", a["kind"]), t("ca_owner"): names.get(a["owner_id"], ""),
                                t("ca_due"): a["due_date"], t("status"): label("ca_status", a["status"]),
                                t("ca_late"): bool(a.get("overdue"))} for a in rows]), hide_index=True)
    with st.form("ca_check"):
        which = ui.choose("#", {a["id"]: f"#{a['id']} {a['action'][:30]}（{label('ca_status', a['status'])}）"
                                for a in rows if a["status"] != "verified"} or {0: "—"}, "ca_which")
        step = ui.choose(t("ca_step"), {"done": t("ca_mark_done"), "ok": t("ca_verify_ok"), "bad": t("ca_verify_bad")},
                         "ca_step", widget="radio", horizontal=True)
        slots = ui.FieldSlots()
        note = st.text_input(t("note"), key="ca_note")
        slots.here("note")
        if st.form_submit_button(t("submit"), type="primary") and which:
            fn = client.corrective_done if step == "done" else client.corrective_verify
            args = (which, note) if step == "done" else (which, step == "ok", note)
            if ui.act(fn, *args, slots=slots) is not None:
                st.session_state["flash_ok"] = t("saved")
                st.rerun()
    st.download_button(t("ca_download"), data=lambda: client.corrective_report_xlsx(site_id, month),
                       file_name=f"corrective-actions-{month}.xlsx", on_click="ignore", key="ca_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:")
else:
    st.info(t("nothing_here"))
