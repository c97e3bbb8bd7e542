"""扣分与台账: the month's ledger per person, the posting list, fault notices, appeals, close and payroll."""
import base64

import streamlit as st

from console import drafts, ui
from console.i18n import label, pick, t

client = ui.client()
st.title(t("ded_title"))
ui.flash()
ok = st.session_state.pop("flash_ok", None)
if ok:
    st.success(ok)

remember = ui.url_state({"ded_site": int, "ded_month": str})
c1, c2, _ = st.columns([2, 2, 4])
site_id = ui.site_picker("ded_site", allow_all=False, container=c1)
month = ui.month_picker("ded_month", c2)
remember()
is_manager = ui.may("ledger.close")  # closes the month, records sanctions, verifies shares

ledger = ui.load(client.ledger, month, site_id=site_id)
lines = ledger.get("lines", [])
totals = ledger.get("totals") or {}


def person(value):
    return ui.name_of(value) if isinstance(value, dict) else (value or "—")


if ledger.get("closed"):
    st.info(t("ledger_closed", at=ui.fmt_time(ledger.get("closed_at"), site_id, with_year=True)),
            icon=":material/lock:")
else:
    due = ledger.get("due_to_finance")
    text = t("ledger_open") + (" " + t("due_to_finance", day=due) if due else "")
    if ledger.get("pending_appeals"):
        text += " " + t("pending_appeals_n", n=ledger["pending_appeals"])
    (st.warning if ledger.get("overdue_to_finance") else st.caption)(text)

tab_ledger, tab_posting, tab_notices, tab_appeals = st.tabs(
    [t("tab_ledger"), t("tab_posting"), t("tab_notices"), t("tab_appeals")])

# --- the month's ledger ----------------------------------------------------------------------
with tab_ledger:
    m = st.columns(4)
    m[0].metric(t("people"), totals.get("people", len(lines)))
    m[1].metric(t("total_points"), totals.get("points", "—"))
    m[2].metric(t("extra_fine"), ui.money(totals.get("extra_fine")))
    m[3].metric(t("total_yuan"), ui.money(totals.get("total")))
    if lines:
        st.dataframe(ui.frame([{
            t("staff"): ln.get("name"),
            t("points"): ln.get("points"),
            t("company_points"): ln.get("company_points", ln.get("points")),
            t("reversed_points"): ln.get("reversed_points") or 0,
            t("yuan"): ln.get("amount"),
            t("covered_by_supervisor"): ln.get("supervisor_covers"),
            t("extra_fine"): ln.get("extra_fine"),
            t("supervisor_share"): ln.get("supervisor_share"),
            t("total_yuan"): ln.get("total"),
            t("perf_reward"): ln.get("perf_reward"),
            t("net_deduction"): ln.get("net", ln.get("total")),
            t("tier"): pick(ln, "tier_name") or label("tier", ln.get("tier")),
            t("sanctions"): "、".join(label("sanction_kind", x.get("kind")) for x in ln.get("sanctions") or []),
            t("posted"): bool(ln.get("posting")),
        } for ln in lines]), hide_index=True, column_config={t("posted"): st.column_config.CheckboxColumn()})
        shares = [f"{ln['name']} ← " + "、".join(f"{s['name']} ¥{s['amount']}" for s in ln["supervisor_share_for"])
                  for ln in lines if ln.get("supervisor_share_for")]
        if shares:
            st.caption(t("supervisor_share") + "：" + "；".join(shares))
        elsewhere = [ln["name"] for ln in lines if ln.get("extra_fine_elsewhere")]
        if elsewhere:
            st.caption(t("extra_fine_elsewhere", names="、".join(elsewhere)))
    else:
        st.caption(t("nothing_here"))

    d1, d2, d3 = st.columns([2, 2, 3])
    safe_site = (ui.site_by_id(site_id) or {}).get("code", "site")
    d1.download_button(t("download_xlsx"), data=lambda: client.payroll(month, site_id, "xlsx"),
                       file_name=f"payroll-{safe_site}-{month}.xlsx", on_click="ignore", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="ded_xlsx")
    d2.download_button(t("download_csv"), data=lambda: client.payroll(month, site_id, "csv"),
                       file_name=f"payroll-{safe_site}-{month}.csv", on_click="ignore", icon=":material/download:",
                       mime="text/csv", key="ded_csv")
    if is_manager and not ledger.get("closed"):
        with d3.form("ded_close"):
            confirm = st.checkbox(t("close_confirm"), key="ded_close_confirm")
            slots = ui.FieldSlots()
            slots.here("month", "site_id")
            if st.form_submit_button(t("close_month"), type="primary", icon=":material/lock:"):
                if not confirm:
                    st.warning(t("close_confirm"))
                elif ui.act(client.close_ledger, month, site_id, slots=slots,
                            idempotency_key=ui.retry_key(f"close-{site_id}-{month}")) is not None:
                    ui.forget_retry_key(f"close-{site_id}-{month}")
                    st.session_state["flash_ok"] = t("closed_ok")
                    st.rerun()

    # 行政处分 (004 4.2.3–4.2.4; 003 第十九条 for a hidden complaint) and a dismissal carried out
    if is_manager and lines and not ledger.get("closed"):
        with st.expander(t("sanction_title")):
            sa_fields = ("ded_sa_staff", "ded_sa_kind", "ded_sa_amount", "ded_sa_request", "ded_sa_reason")
            with drafts.form(f"ded_sanction_{site_id}_{month}", sa_fields, border=False) as draft:
                who = ui.choose(t("staff"), {ln["staff_id"]: f"{ln['name']}（{ln.get('company_points', ln['points'])}"
                                             f" {t('points')} · {pick(ln, 'tier_name')}）" for ln in lines}, "ded_sa_staff")
                kind = ui.choose(t("sanction_kind"), {k: label("sanction_kind", k) for k in
                                                      ("warning", "fine", "demerit", "dismissal", "basic_wage_only",
                                                       "self_criticism")}, "ded_sa_kind")
                slots = ui.FieldSlots()
                amount = st.text_input(t("sanction_amount"), key="ded_sa_amount")
                slots.here("amount")
                request_id = st.number_input(t("sanction_request"), min_value=0, step=1, key="ded_sa_request")
                slots.here("request_id")
                why = st.text_input(t("reason"), key="ded_sa_reason")
                slots.here("reason", "kind", "staff_id")
                if st.button(t("sanction_record"), type="primary", key="ded_sanction_submit"):
                    body = {"site_id": site_id, "month": month, "staff_id": who, "kind": kind, "reason": why,
                            "amount": amount.strip() or None, "request_id": int(request_id) or None}
                    if ui.act(client.record_sanction, body, slots=slots) is not None:
                        draft.sent()
                        st.session_state["flash_ok"] = t("saved")
                        st.rerun()
    for ln in lines:
        for x in ln.get("sanctions") or []:
            if x.get("kind") == "dismissal":
                done = x.get("carried_out_at")
                st.caption(t("dismissal_line", name=ln["name"], state=t("dismissal_done", at=ui.fmt_time(done, site_id))
                             if done else t("dismissal_pending")))
                if not done and is_manager and st.button(t("dismissal_carry_out"), key=f"ded_carry_{x['id']}"):
                    if ui.act(client.carry_out_sanction, x["id"]) is not None:
                        st.session_state["flash_ok"] = t("saved")
                        st.rerun()

    # 报送财务部 (004 4.1.5, by the 5th): recorded with who sent it and to whom; it closes the month
    sent = ui.try_load(client.ledger_handover, month, site_id, default=None)
    if sent:
        st.success(t("handover_done", at=ui.fmt_time(sent.get("sent_at"), site_id, with_year=True),
                     by=sent.get("sent_by_name", ""), to=sent.get("sent_to", ""))
                   + ("" if sent.get("on_time") else " " + t("handover_late", due=sent.get("due_date"))),
                   icon=":material/outgoing_mail:")
    elif is_manager and month < ui.month_options()[0]:
        with st.form("ded_handover"):
            st.markdown(f"**{t('handover_title')}**")
            slots = ui.FieldSlots()
            to = st.text_input(t("handover_to"), key="ded_handover_to", placeholder="财务部 张会计")
            slots.here("sent_to")
            note = st.text_input(t("note"), key="ded_handover_note")
            if st.form_submit_button(t("handover_send"), type="primary", icon=":material/outgoing_mail:"):
                if ui.act(client.send_ledger_to_finance, month, site_id, to, note, slots=slots) is not None:
                    st.session_state["flash_ok"] = t("handover_ok")
                    st.rerun()

# --- public posting (公示) -----------------------------------------------------------------------
with tab_posting:
    posting = ledger.get("posting") or []
    if posting:
        st.dataframe(ui.frame([{
            t("staff"): p.get("name"),
            t("points"): p.get("points"),
            t("tier"): label("tier", p.get("tier")),
            t("posting_reason"): "；".join(p.get("reasons") or []),
        } for p in posting]), hide_index=True)
    else:
        st.info(t("no_posting"))
    st.markdown(f"#### {t('posting_notice')}")
    html = ui.try_load(client.posting_html, month, site_id, default=None)
    if html:
        st.download_button(t("download_posting"), data=html.encode("utf-8"), mime="text/html",
                           file_name=f"posting-{safe_site}-{month}.html", on_click="ignore", key="ded_posting_dl",
                           icon=":material/print:")
        # the API's notice as it is (it has its own print button); a data: URL has an opaque origin, so the
        # notice cannot reach into the console's page
        st.iframe("data:text/html;charset=utf-8;base64," + base64.b64encode(html.encode()).decode(), height=520)

# --- fault notices (过失单) ------------------------------------------------------------------------
with tab_notices:
    page = ui.load(client.deductions, month=month, site_id=site_id, limit=200)
    notices = page.get("items", [])
    if notices:
        st.dataframe(ui.frame([{
            "#": d["id"],
            t("time"): ui.fmt_time(d.get("occurred_at"), site_id),
            t("staff"): person(d.get("staff")),
            t("points"): d.get("points"),
            t("reason"): d.get("reason"),
            t("problem"): d.get("problem_key"),
            t("supervisor_shares"): bool(d.get("supervisor_shares")),
            t("status"): label("deduction_status", d.get("status")),
            t("tab_appeals"): label("appeal_status", (d.get("appeal") or {}).get("status")) if d.get("appeal") else "",
        } for d in notices]), hide_index=True)
        appealable = [d for d in notices if d.get("status") == "active" and not d.get("appeal")
                      and (d.get("points") or 0) > 0]
        if appealable and ui.may("deduction.view_all"):  # a supervisor files for the staff member
            with st.expander(t("file_appeal")):
                with drafts.form("ded_appeal", ("ded_appeal_id", "ded_appeal_reason", "ded_appeal_retaliation"),
                                 border=False) as draft:
                    names = {d["id"]: f"#{d['id']} {person(d.get('staff'))} · {d.get('points')} · {d.get('reason')}"
                             for d in appealable}
                    did = ui.choose(t("tab_notices"), names, "ded_appeal_id")
                    slots = ui.FieldSlots()
                    reason = st.text_area(t("appeal_reason"), key="ded_appeal_reason", height=70)
                    slots.here("reason")
                    retaliation = st.checkbox(t("appeal_retaliation"), key="ded_appeal_retaliation",
                                              help=t("appeal_retaliation_help"))
                    if st.button(t("submit"), type="primary", key="ded_appeal_submit"):
                        if ui.act(client.appeal, did, reason, kind="retaliation" if retaliation else "ordinary",
                                  slots=slots,
                                  idempotency_key=ui.retry_key(f"appeal-{did}")) is not None:
                            ui.forget_retry_key(f"appeal-{did}")
                            draft.sent()
                            st.session_state["flash_ok"] = t("saved")
                            st.rerun()
        # 经查实 (004 4.2.6): a manager verifies the direct supervisor's share of a notice
        unverified = [d for d in notices if d.get("status") == "active" and not d.get("supervisor_verification")
                      and (d.get("points") or 0) > 0 and d.get("supervisor_id")]
        if unverified and is_manager:
            with st.expander(t("verify_title")):
                with drafts.form("ded_verify", ("ded_verify_id", "ded_verify_yes", "ded_verify_finding"),
                                 border=False) as draft:
                    vid = ui.choose(t("tab_notices"), {d["id"]: f"#{d['id']} {person(d.get('staff'))} · "
                                                       f"{d.get('reason')}" for d in unverified}, "ded_verify_id")
                    shares = ui.choose(t("verify_result"), {True: t("verify_yes"), False: t("verify_no")},
                                       "ded_verify_yes", widget="radio", horizontal=True)
                    slots = ui.FieldSlots()
                    found = st.text_area(t("verify_finding"), key="ded_verify_finding", height=70)
                    slots.here("finding")
                    if st.button(t("submit"), type="primary", key="ded_verify_submit"):
                        if ui.act(client.verify_supervisor, vid, shares, found, slots=slots) is not None:
                            draft.sent()
                            st.session_state["flash_ok"] = t("saved")
                            st.rerun()
    else:
        st.caption(t("nothing_here"))

# --- appeals queue (申诉) ---------------------------------------------------------------------------
def appeal_path(ap):
    """申诉层级: where the appeal is now and the steps so far (004 4.3)."""
    head = t("appeal_at_level", level=label("appeal_level", ap.get("level_key")))
    if ap.get("kind") == "retaliation":
        head += " · " + t("appeal_retaliation")
    steps = " → ".join(f"{label('appeal_level', s.get('level_key'))}{label('appeal_step', s.get('action'))}"
                       + ("" if s.get("upheld") is None else f"（{t('uphold') if s['upheld'] else t('reject')}）")
                       for s in ap.get("steps") or [])
    return f"{head} · {steps}" if steps else head


with tab_appeals:
    appeals = ui.try_load(client.appeals, status="pending", site_id=site_id, default=None) or {}
    appeals = appeals.get("items", [])
    if not appeals:
        st.info(t("no_appeals"))
    can_decide = ui.may("appeal.decide")  # the server says whether the caller decides at the appeal's level
    names = {u["id"]: u["name"] for u in ui.staff(site_id)}
    for ap in appeals:
        ded = ap.get("deduction") or {}
        did = ap.get("deduction_id") or ded.get("id")
        with st.container(border=True):
            st.markdown(f"**#{did} {person(ded.get('staff'))} · {ded.get('points')} {t('points')} · "
                        f"{ded.get('reason', '')}**")
            st.caption(f"{t('appeal_by')}：{names.get(ap.get('filed_by_id'), ap.get('filed_by_id'))} · "
                       f"{ui.fmt_time(ap.get('filed_at'), site_id, with_year=True)}")
            st.markdown(f"> {ui.plain(ap.get('reason', ''))}")
            st.caption(appeal_path(ap))
            if can_decide:
                with drafts.form(f"ded_decide_{did}", (f"ded_upheld_{did}", f"ded_why_{did}")) as draft:
                    upheld = ui.choose(t("decided"), {True: t("uphold"), False: t("reject")}, f"ded_upheld_{did}",
                                       widget="radio", horizontal=True, label_visibility="collapsed")
                    slots = ui.FieldSlots()
                    why = st.text_input(t("decision_reason"), key=f"ded_why_{did}")
                    slots.here("reason", "upheld")
                    if st.button(t("submit"), type="primary", key=f"ded_decide_{did}_submit"):
                        if ui.act(client.decide_appeal, did, upheld, why, slots=slots,
                                  idempotency_key=ui.retry_key(f"decide-{did}")) is not None:
                            ui.forget_retry_key(f"decide-{did}")
                            draft.sent()
                            st.session_state["flash_ok"] = t("decided")
                            st.rerun()

    # rejected appeals may go up a level (004 4.3.2/4.3.3): the person who filed it takes it up
    rejected = (ui.try_load(client.appeals, status="rejected", site_id=site_id, default=None) or {}).get("items", [])
    rejected = [ap for ap in rejected if ap.get("level", 1) < 3 and ap.get("filed_by_id") == ui.me().get("id")]
    if rejected:
        st.subheader(t("appeal_rejected_title"))
    for ap in rejected:
        ded = ap.get("deduction") or {}
        did = ap.get("deduction_id") or ded.get("id")
        with st.container(border=True):
            st.markdown(f"**#{did} {person(ded.get('staff'))} · {ded.get('points')} {t('points')}** · "
                        f"{ap.get('decision_reason', '')}")
            st.caption(appeal_path(ap))
            with drafts.form(f"ded_escalate_{did}", (f"ded_up_why_{did}",)) as draft:
                slots = ui.FieldSlots()
                why = st.text_input(t("appeal_escalate_reason"), key=f"ded_up_why_{did}")
                slots.here("reason")
                if st.button(t("appeal_escalate"), type="primary", key=f"ded_escalate_{did}_submit"):
                    if ui.act(client.escalate_appeal, did, why, slots=slots,
                              idempotency_key=ui.retry_key(f"escalate-{did}-{ap.get('level')}")) is not None:
                        ui.forget_retry_key(f"escalate-{did}-{ap.get('level')}")
                        draft.sent()
                        st.session_state["flash_ok"] = t("saved")
                        st.rerun()
