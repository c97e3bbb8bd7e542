"""客服台: register a call, the list (owners masked), transfer, revisit, escalations and monthly statistics."""
from datetime import datetime, timezone

import altair as alt
import pandas as pd
import streamlit as st

from console import drafts, ui, uploads
from console.i18n import label, t

KINDS = ui.values("request_kinds")
CHANNELS = ui.values("request_channels")
CATEGORIES = ui.values("request_categories")
STATUSES = ui.vocabulary()["machines"]["request"]["statuses"]
DEPARTMENTS = ui.values("departments")
FAULTS = ui.values("request_faults")
PHOTO_TYPES = ["jpg", "jpeg", "png", "webp", "heic", "heif"]  # what the API's photo store accepts
NEW_FIELDS = ["sd_new_kind", "sd_new_channel", "sd_new_category", "sd_new_priority", "sd_new_owner_name",
              "sd_new_owner_phone", "sd_new_building", "sd_new_unit", "sd_new_room",
              "sd_new_area", "sd_new_description", "sd_new_ask", "sd_new_urgent", "sd_new_day", "sd_new_time"]

client = ui.client()

st.title(t("sd_title"))
ui.flash()
remember = ui.url_state({"sd_site": int})
site_id = ui.site_picker("sd_site", allow_all=False)
remember()


def countdown(deadline):
    """("剩余 3小时20分", False) or ("已超时 2小时", True); (None, False) without a deadline."""
    dt = ui.parse_time(deadline)
    if dt is None:
        return None, False
    now = datetime.now(timezone.utc)
    if dt >= now:
        return t("left", d=ui.fmt_duration(dt - now)), False
    return t("overdue_by", d=ui.fmt_duration(now - dt)), True


def due_text(req):
    """The countdown to the request's limit, or when it was done."""
    if req.get("status") in ("open", "handling", "transferred"):
        text, late = countdown(req.get("due_at"))
        return f"⚠ {text}" if late else (text or "—")
    if req.get("status") == "done":
        text, late = countdown(req.get("revisit_due"))
        return f"{t('sd_revisit_due')}: {'⚠ ' if late else ''}{text or '—'}"
    return ui.fmt_time(req.get("done_at") or req.get("cancelled_at"), site_id)


def table(items):
    rows = [{
        "#": r["id"],
        t("sd_received"): ui.fmt_time(r["received_at"], site_id),
        t("sd_kind"): label("req_kind", r["kind"]) + (" ‼" if r.get("urgent") else ""),
        t("sd_category"): label("req_category", r["category"]),
        t("sd_location"): r["location"],
        t("sd_owner"): r["owner_name"],
        t("sd_owner_phone"): r["owner_phone"],
        t("status"): label("req_status", r["status"]),
        t("sd_due"): due_text(r),
        t("sd_level"): label("req_level", r["escalation_level"]) if r["escalation_level"] else "—",
        t("sd_department"): label("trade", r.get("trade")),
    } for r in items]
    st.dataframe(ui.frame(rows), hide_index=True, width="stretch")


def done(message=None):
    st.session_state["flash"] = message or t("sd_done")
    st.rerun()


# --- register a call -----------------------------------------------------------------------

def register_form():
    now = datetime.now(ui.site_tz(site_id))
    with drafts.form("sd_new", NEW_FIELDS) as draft:  # a refresh mid-call keeps what the clerk typed
        slots = ui.FieldSlots()
        c1, c2, c3 = st.columns(3)
        kind = ui.choose(t("sd_kind"), {k: label("req_kind", k) for k in KINDS}, "sd_new_kind", c1, widget="radio",
                         horizontal=True)
        channel = ui.choose(t("sd_channel"), {k: label("req_channel", k) for k in CHANNELS}, "sd_new_channel", c2)
        category = ui.choose(t("sd_category"), {k: label("req_category", k) for k in CATEGORIES}, "sd_new_category", c3)
        slots.here("kind", "channel", "category")
        c1, c2 = st.columns(2)
        owner_name = c1.text_input(t("sd_owner_name"), key="sd_new_owner_name")
        owner_phone = c2.text_input(t("sd_owner_phone"), key="sd_new_owner_phone")
        slots.here("owner_name", "owner_phone")
        c1, c2, c3, c4 = st.columns([1, 1, 1, 3])
        building = c1.text_input(t("sd_building"), key="sd_new_building")
        unit = c2.text_input(t("sd_unit"), key="sd_new_unit")
        room = c3.text_input(t("sd_room"), key="sd_new_room")
        public_area = c4.text_input(t("sd_public_area"), key="sd_new_area")
        slots.here("building", "unit", "room", "public_area", "zone_id")
        description = st.text_area(t("sd_description"), key="sd_new_description")
        slots.here("description")
        owner_ask = st.text_input(t("sd_owner_ask"), key="sd_new_ask")
        slots.here("owner_ask")
        c1, c2, c3, c4 = st.columns([1, 1, 1, 1.5])  # the urgent box's label is the longest
        priority = ui.choose(t("priority"), {p: label("priority", p) for p in ("normal", "emergency")},
                             "sd_new_priority", c1)
        draft.default("sd_new_day", now.date())
        draft.default("sd_new_time", now.time().replace(second=0, microsecond=0))
        day = c2.date_input(t("sd_received_day"), key="sd_new_day")
        at = c3.time_input(t("sd_received_time"), key="sd_new_time", step=60)
        urgent = c4.checkbox(t("sd_urgent"), key="sd_new_urgent")
        slots.here("received_at", "priority", "urgent")
        # a new uploader (new key) after each registered call, so its photos do not ride on the next one
        photos = st.file_uploader(t("sd_photos"), type=PHOTO_TYPES, accept_multiple_files=True,
                                  key=f"sd_new_photos_{st.session_state.get('sd_new_n', 0)}", help=t("sd_photos_help"),
                                  max_upload_size=25)
        slots.here("photo_ids")
        submitted = st.button(t("sd_register"), type="primary", key="sd_new_submit")
    if not submitted:
        return
    received = datetime.combine(day, at).replace(tzinfo=ui.site_tz(site_id))
    body = {"site_id": site_id, "kind": kind, "channel": channel, "category": category, "owner_name": owner_name,
            "owner_phone": owner_phone, "building": building, "unit": unit, "room": room,
            "public_area": public_area, "description": description, "owner_ask": owner_ask,
            "priority": priority, "urgent": bool(urgent), "received_at": received.isoformat(),
            "client_id": ui.retry_key("sd_new")}
    made = ui.act(uploads.create_with_photos, client.create_request, body, client, photos or [], site_id,
                  slots=slots)
    if made:
        ui.forget_retry_key("sd_new")
        draft.sent()  # the next call starts from an empty form, a refresh too
        st.session_state["sd_new_n"] = st.session_state.get("sd_new_n", 0) + 1
        done(t("sd_registered", id=made["id"], due=ui.fmt_time(made.get("due_at"), site_id))
             + (" " + t("sd_photos_n", n=len(made.get("photo_ids") or [])) if made.get("photo_ids") else ""))


# --- one request -------------------------------------------------------------------------------

def detail(req_id, ns):
    req = ui.load(client.request, req_id)
    st.subheader(f"{t('sd_request_n', id=req['id'])} · {label('req_kind', req['kind'])} · "
                 f"{label('req_category', req['category'])} · {req['location']}")
    badges = [f":blue-background[{label('req_status', req['status'])}]", label("req_channel", req["channel"]),
              f"{t('sd_received')} {ui.fmt_time(req['received_at'], site_id)}"]
    if req.get("overdue"):
        badges.append(f":red-background[{due_text(req)}]")
    elif req["status"] in ("open", "handling", "transferred", "done"):
        badges.append(f":green-background[{due_text(req)}]")
    if req.get("escalation_level"):
        badges.append(f":orange-background[{label('req_level', req['escalation_level'])}]")
    if req.get("registered_late"):
        badges.append(f":orange-background[{t('sd_registered_late')}]")
    st.markdown(" · ".join(badges))
    st.markdown(f"**{t('sd_description')}**：{ui.plain(req['description'])}")
    if req.get("owner_ask"):
        st.markdown(f"**{t('sd_owner_ask')}**：{ui.plain(req['owner_ask'])}")
    st.markdown(f"**{t('sd_owner')}**：{ui.plain(req['owner_name']) or '—'}　**{t('sd_owner_phone')}**：{ui.plain(req['owner_phone']) or '—'}")
    st.caption(t("sd_masked_note"))
    if req.get("photo_ids"):
        cols = st.columns(6)
        for i, pid in enumerate(req["photo_ids"][:12]):
            data = ui.photo_bytes(pid, "preview")
            if data:
                cols[i % 6].image(data, width="stretch")
    if st.button(t("sd_reveal"), key=f"sd_{ns}_reveal_{req_id}", icon=":material/visibility:"):
        full = ui.act(client.request, req_id, reveal=True)
        if full:
            st.info(t("sd_revealed", name=full["owner_name"] or "—", phone=full["owner_phone"] or "—"))
    if req.get("work_orders"):
        st.markdown(f"**{t('sd_orders')}**")
        st.dataframe(ui.frame([{"#": o["id"], t("trade"): label("trade", o["trade"]),
                                    t("status"): label("wo_status", o["status"]),
                                    t("priority"): label("priority", o["priority"]),
                                    t("sd_staff"): ui.name_of(o.get("assignee"))} for o in req["work_orders"]]),
                     hide_index=True)
    with st.expander(t("sd_history")):
        for e in req.get("events", []):
            who = ui.name_of(e.get("actor")) if e.get("actor") else "系统" if ui.lang() == "zh" else "system"
            st.markdown(f"- {ui.fmt_time(e['at'], site_id)} · {label('req_action', e['action'])} · {who}"
                        + (f" · {ui.note_text(e['note'], system=not e.get('actor'))}" if e.get("note") else ""))
    actions(req, ns)


def actions(req, ns):
    rid, status = req["id"], req["status"]
    allowed = set(req.get("allowed_actions", []))  # the API's state machine and role rules, not a copy
    if "handle" in allowed and st.button(t("sd_handle"), key=f"sd_{ns}_handle_{rid}", icon=":material/front_hand:"):
        if ui.act(client.request_transition, rid, "handle"):
            done()
    sent = st.session_state.get(f"sd_transferred_{rid}")
    if "transfer" in allowed and sent:
        # one click made one order: the form is gone until the clerk asks for another department on purpose
        st.success(t("sd_transferred_to", id=sent["order_id"], trade=label("trade", sent["trade"])),
                   icon=":material/check_circle:")
        if st.button(t("sd_transfer_again"), key=f"sd_{ns}_tr_again_{rid}"):
            st.session_state.pop(f"sd_transferred_{rid}", None)
            st.rerun()
    elif "transfer" in allowed:
        fields = (f"sd_{ns}_trade_{rid}", f"sd_{ns}_tr_priority_{rid}", f"sd_{ns}_tr_note_{rid}")
        with drafts.form(f"sd_{ns}_transfer_{rid}", fields) as draft:
            st.markdown(f"**{t('sd_transfer')}**")
            slots = ui.FieldSlots()
            c1, c2 = st.columns(2)
            trade = ui.choose(t("trade"), {d: label("trade", d) for d in DEPARTMENTS}, f"sd_{ns}_trade_{rid}", c1)
            priority = ui.choose(t("priority"), {p: label("priority", p) for p in ("normal", "emergency")},
                                 f"sd_{ns}_tr_priority_{rid}", c2, index=1 if req.get("priority") == "emergency" else 0)
            slots.here("trade", "priority")
            note = st.text_input(t("sd_note"), key=f"sd_{ns}_tr_note_{rid}")
            slots.here("note")
            if st.button(t("sd_transfer_btn"), key=f"sd_{ns}_transfer_{rid}_submit"):
                moved = ui.act(client.request_transition, rid, "transfer", trade=trade, priority=priority,
                               note=note, idempotency_key=ui.retry_key(f"sd_{ns}_tr_{rid}"), slots=slots)
                if moved:
                    ui.forget_retry_key(f"sd_{ns}_tr_{rid}")
                    st.session_state[f"sd_transferred_{rid}"] = {"order_id": moved.get("work_order_id"),
                                                                 "trade": trade}
                    draft.sent()
                    done()
    if "complete" in allowed:
        with st.form(f"sd_{ns}_complete_{rid}"):
            slots = ui.FieldSlots()
            note = st.text_input(t("sd_complete_note"), key=f"sd_{ns}_co_note_{rid}")
            slots.here("note")
            if st.form_submit_button(t("sd_complete")):
                if ui.act(client.request_transition, rid, "complete", note=note, slots=slots):
                    done()
    if "revisit" in allowed:
        revisit_form(req, ns)
    for action in [a for a in ("cancel", "reopen") if a in allowed]:
        with st.form(f"sd_{ns}_other_{rid}_{action}"):
            slots = ui.FieldSlots()
            st.markdown(f"**{t('sd_cancel') if action == 'cancel' else t('sd_reopen')}**")
            note = st.text_input(t("sd_note"), key=f"sd_{ns}_other_note_{rid}")
            slots.here("note")
            if st.form_submit_button(t("sd_cancel") if action == "cancel" else t("sd_reopen")):
                if ui.act(client.request_transition, rid, action, note=note, slots=slots):
                    done()
    if ui.may("request.raise_fault"):
        fault_form(req, ns)


def revisit_form(req, ns):
    rid = req["id"]
    with st.form(f"sd_{ns}_revisit_{rid}"):
        st.markdown(f"**{t('sd_revisit')}** · {t('sd_revisit_due')} {ui.fmt_time(req.get('revisit_due'), site_id)}")
        slots = ui.FieldSlots()
        satisfied = ui.choose(t("sd_satisfied"), {True: t("sd_yes"), False: t("sd_no")}, f"sd_{ns}_satisfied_{rid}",
                              widget="radio", horizontal=True)
        note = st.text_input(t("sd_note"), key=f"sd_{ns}_rv_note_{rid}")
        slots.here("note", "satisfied")
        if st.form_submit_button(t("sd_revisit_btn"), type="primary"):
            if ui.act(client.revisit_request, rid, satisfied, note, idempotency_key=ui.retry_key(f"sd_{ns}_rv_{rid}"),
                      slots=slots):
                ui.forget_retry_key(f"sd_{ns}_rv_{rid}")
                done()


def fault_form(req, ns):
    rid = req["id"]
    staff = ui.try_load(client.users, site_id=site_id, default=[]) or []
    staff = staff.get("items", []) if isinstance(staff, dict) else staff
    desk_staff = {u["id"]: f"{u.get('name', '')}（{label('role', u.get('role'))}）" for u in staff
                  if u.get("role") in ("service", "supervisor")}
    if not desk_staff:
        return
    with st.expander(t("sd_fault")):
        with st.form(f"sd_{ns}_fault_{rid}"):
            slots = ui.FieldSlots()
            c1, c2, c3 = st.columns(3)
            fault = ui.choose(t("sd_fault_kind"), {f: label("req_fault", f) for f in FAULTS},
                              f"sd_{ns}_fault_kind_{rid}", c1)
            staff_id = ui.choose(t("sd_staff"), desk_staff, f"sd_{ns}_fault_staff_{rid}", c2)
            points = c3.number_input(t("sd_points"), min_value=1, max_value=100, value=1, step=1,
                                     key=f"sd_{ns}_fault_points_{rid}")
            slots.here("fault", "staff_id", "points")
            note = st.text_input(t("sd_note"), key=f"sd_{ns}_fault_note_{rid}")
            slots.here("note")
            if st.form_submit_button(t("sd_fault_btn")):
                body = {"staff_id": staff_id, "fault": fault, "points": int(points), "note": note,
                        "client_id": ui.retry_key(f"sd_{ns}_fault_{rid}")}
                made = ui.act(client.request_fault, rid, body, slots=slots)
                if made:
                    ui.forget_retry_key(f"sd_{ns}_fault_{rid}")
                    done(t("sd_fault_done", id=made["deduction_ids"][0]))


def pick_and_show(items, key, ns):
    if not items:
        return
    choices = {r["id"]: f"#{r['id']} · {label('req_kind', r['kind'])} · {r['location']} · "
                        f"{label('req_status', r['status'])}" for r in items}
    chosen = ui.choose(t("sd_pick"), choices, key)
    if chosen is not None:
        detail(chosen, ns)


# --- the page ------------------------------------------------------------------------------------

tabs = [t("sd_tab_list"), t("sd_tab_register"), t("sd_tab_escalated"), t("sd_tab_revisit")]
if ui.may("request.stats"):
    tabs.append(t("sd_tab_stats"))
tab = st.tabs(tabs)

with tab[0]:
    c1, c2, c3, c4, c5 = st.columns([2, 2, 1, 1, 1])
    status = ui.choose(t("status"), {"active": t("sd_active"), None: t("all"),
                                     **{s: label("req_status", s) for s in STATUSES}}, "sd_f_status", c1)
    kind = ui.choose(t("sd_kind"), {None: t("all"), **{k: label("req_kind", k) for k in KINDS}}, "sd_f_kind", c2)
    building = c3.text_input(t("sd_building"), key="sd_f_building")
    unit = c4.text_input(t("sd_unit"), key="sd_f_unit")
    last4 = c5.text_input(t("sd_phone_last4"), key="sd_f_last4", max_chars=4)
    overdue = st.checkbox(t("sd_overdue_only"), key="sd_f_overdue")
    page = ui.try_load(client.requests, site_id=site_id, status=status, kind=kind, building=building.strip() or None,
                       unit=unit.strip() or None, phone_last4=last4.strip() or None, overdue=True if overdue else None,
                       limit=100, default={}) or {}
    items = page.get("items", [])
    if items:
        table(items)
        pick_and_show(items, "sd_pick", "list")
    else:
        st.info(t("sd_none"))

with tab[1]:
    register_form()

with tab[2]:
    st.caption(t("sd_escalated_intro"))
    level = ui.choose(t("sd_min_level"), {1: label("req_level", 1), 2: label("req_level", 2)}, "sd_esc_level",
                      widget="radio", horizontal=True, index=1 if ui.may("complaint.refer_general_manager") else 0)
    esc = (ui.try_load(client.escalated_requests, site_id=site_id, min_level=level, limit=100, default={})
           or {}).get("items", [])
    if esc:
        table(esc)
        pick_and_show(esc, "sd_esc_pick", "esc")
    else:
        st.info(t("sd_none"))

with tab[3]:
    st.caption(t("sd_revisit_intro"))
    due = (ui.try_load(client.revisit_due_requests, site_id=site_id, limit=100, default={}) or {}).get("items", [])
    if due:
        table(due)
        pick_and_show(due, "sd_rv_pick", "rv")
    else:
        st.info(t("sd_none"))

if ui.may("request.stats"):
    with tab[4]:
        month = ui.month_picker("sd_month", today=ui.local_today(site_id))
        stats = ui.try_load(client.request_stats, site_id, month, default=None)
        if stats:
            m = st.columns(5)
            m[0].metric(t("sd_total"), stats["total"])
            m[1].metric(t("sd_on_time_rate"), ui.pct(stats["on_time_rate"]))
            m[2].metric(t("sd_satisfaction_rate"), ui.pct(stats["satisfaction_rate"]))
            m[3].metric(t("sd_reopened"), stats["reopened"])
            m[4].metric(t("sd_escalated_n"), stats["escalated"])
            breakdowns = [("by_kind", "req_kind", t("sd_kind")), ("by_channel", "req_channel", t("sd_channel")),
                          ("by_trade", "trade", t("sd_department")), ("by_building", None, t("sd_building"))]
            cols = st.columns(2)
            for n, (key, enum, caption) in enumerate(breakdowns):
                data = pd.DataFrame([{caption: (label(enum, k) if enum and k else (k or t("sd_none_given"))),
                                      t("sd_count"): int(v)} for k, v in stats[key].items()])
                with cols[n % 2]:
                    st.markdown(f"**{t('sd_by')} · {caption}**")
                    if data.empty:
                        st.caption("—")
                        continue
                    # whole requests: integer ticks only, labels beside the bars so none overlap
                    bars = alt.Chart(data).encode(
                        x=alt.X(f"{t('sd_count')}:Q", title=None,
                                axis=alt.Axis(format="d", tickMinStep=1),
                                scale=alt.Scale(domainMin=0, nice=True)),
                        y=alt.Y(f"{caption}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=200)),
                        tooltip=[caption, t("sd_count")])
                    st.altair_chart((bars.mark_bar() + bars.mark_text(align="left", dx=3).encode(
                        text=f"{t('sd_count')}:Q")).properties(height=alt.Step(28)), width="stretch")
            st.markdown(f"**{t('sd_repeats')}**")
            if stats["repeat_units"]:
                st.dataframe(ui.frame([{
                    t("sd_building"): r["building"], t("sd_unit"): r["unit"], t("sd_room"): r["room"],
                    t("sd_category"): label("req_category", r["category"]), t("sd_count"): r["count"],
                    t("sd_earlier"): r.get("earlier", 0),
                } for r in stats["repeat_units"]]), hide_index=True)
            else:
                st.caption(t("sd_no_repeats"))
            xlsx = ui.try_load(client.request_stats_xlsx, site_id, month, default=None)
            if xlsx:
                st.download_button(t("sd_download"), xlsx, file_name=f"requests-{month}.xlsx", key="sd_xlsx",
                                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        else:
            st.info(t("sd_stats_supervisors"))
