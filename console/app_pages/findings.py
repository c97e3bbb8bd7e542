"""巡检问题: filter findings, look at their photos, and dispatch a work order and/or deductions in one step."""
from datetime import timedelta

import streamlit as st

from console import ui
from console.client import ApiError
from console.i18n import label, pick, t

PER_PAGE = 24
PRIORITY_ORDER = ["emergency", "normal", "planned"]
TRADES = ui.values("trades")

st.title(t("findings_title"))
ui.flash()
client = ui.client()

# --- filters ----------------------------------------------------------------------------------
checklists = ui.try_load(client.checklists, default=[]) or []
cl_names = {c["key"]: pick(c, "name") for c in checklists}
with st.container(border=True):
    remember = ui.url_state({"fd_site": int, "fd_zone": int, "fd_checklist": str, "fd_status": str})
    f1, f2, f3, f4, f5 = st.columns([2, 2, 2, 2, 3])
    site_id = ui.site_picker("fd_site", container=f1)
    zone_id = ui.zone_picker("fd_zone", site_id, container=f2)
    checklist_key = ui.choose(t("checklist"), {None: t("all"), **cl_names}, "fd_checklist", f3)
    status = ui.enum_picker("finding_status", ui.vocabulary()["machines"]["finding"]["statuses"], "fd_status",
                            container=f4, caption=t("status"), index=1)
    remember()
    today = ui.local_today(site_id)
    span = f5.date_input(t("date"), value=(today - timedelta(days=6), today), key="fd_dates",
                         max_value=today)
first, last = (span[0], span[-1]) if isinstance(span, (tuple, list)) and span else (today, today)
since, until = ui.day_bounds_utc(first, last, site_id)

filters = dict(site_id=site_id, zone_id=zone_id, checklist_key=checklist_key, status=status,
               since=since, until=until)
fkey = repr(sorted(filters.items(), key=lambda kv: kv[0]))
if st.session_state.get("_fd_filters") != fkey:
    st.session_state["_fd_filters"] = fkey
    st.session_state["_fd_pages"] = [ui.load(client.findings, limit=PER_PAGE, **filters)]
pages = st.session_state["_fd_pages"]
findings = [f for p in pages for f in p.get("items", [])]
by_id = {f["id"]: f for f in findings}


def checkpoint_name(f):
    """The checkpoint, or for an ad-hoc report the place in words."""
    return pick(f.get("checkpoint") or {}, "name") or f.get("place") or "—"


def zone_name(f):
    return pick(f.get("zone") or {}, "name") or "—"


def photo_ids(f):
    return f.get("photo_ids") or []


def close_preview():
    st.session_state.pop("fd_preview", None)


def open_preview(fid):
    st.session_state["fd_preview"] = fid


# kept open by session state (not by the click) so a form inside it works on the next run too
@st.dialog(t("view_large"), width="large", on_dismiss=close_preview)
def show_preview(fid):
    f = by_id[fid]
    st.markdown(f"**#{f['id']} {ui.plain(pick(f, 'title'))}**")
    st.caption(f"{checkpoint_name(f)} · {zone_name(f)} · {ui.fmt_time(f.get('created_at'), f.get('site_id'), True)}")
    if f.get("note"):
        st.markdown(ui.plain(f["note"]))
    for pid in photo_ids(f):
        data = ui.photo_bytes(pid, "preview")
        if data:
            st.image(data, width="stretch")
    if not photo_ids(f):
        st.caption(t("no_photo"))
    if f.get("voice_note"):  # the guard's voice with an emergency or a failed item
        try:
            sound, mime = client.voice_note(f["voice_note"]["id"])
            st.caption(t("voice_note"))
            st.audio(sound, format=mime)
        except ApiError:
            st.caption(t("voice_note_missing"))
    if ui.may("finding.dismiss") and f.get("status") == "open":
        with st.form(f"fd_dismiss_{fid}"):
            slots = ui.FieldSlots()
            reason = st.text_input(t("dismiss_reason"), key=f"fd_dismiss_reason_{fid}")
            slots.here("reason")
            if st.form_submit_button(t("dismiss"), icon=":material/block:"):
                if ui.act(client.dismiss_finding, fid, reason, slots=slots) is not None:
                    st.session_state.pop("_fd_filters", None)  # read the list again
                    close_preview()
                    st.rerun()


st.caption(t("found_n", n=len(findings)) + " · " + t("select_hint"))
if not findings:
    st.info(t("nothing_here"))

selected = set(st.session_state.get("_fd_selected", set())) & set(by_id)
COLS = 4
for start in range(0, len(findings), COLS):
    cols = st.columns(COLS)
    for col, f in zip(cols, findings[start:start + COLS]):
        with col.container(border=True):
            pids = photo_ids(f)
            thumb = ui.photo_bytes(pids[0], "thumb") if pids else None
            if thumb:
                st.image(thumb, width="stretch")
            else:
                st.caption(t("no_photo"))
            st.markdown(f"**{checkpoint_name(f)}**  \n:red[✗] {pick(f, 'title')}")
            st.caption(f"#{f['id']} · {ui.fmt_time(f.get('created_at'), f.get('site_id'))} · {zone_name(f)} · "
                       f"{label('trade', f.get('trade'))} · {label('priority', f.get('priority'))} · "
                       f"{label('finding_status', f.get('status'))}")
            a, b = st.columns(2)
            if a.checkbox(t("select"), key=f"fd_sel_{f['id']}", value=f["id"] in selected):
                selected.add(f["id"])
            else:
                selected.discard(f["id"])
            b.button(t("view_large"), key=f"fd_view_{f['id']}", width="stretch", on_click=open_preview,
                     args=(f["id"],))
st.session_state["_fd_selected"] = selected
if st.session_state.get("fd_preview") in by_id:
    show_preview(st.session_state["fd_preview"])

if pages and pages[-1].get("next_cursor"):
    if st.button(t("load_more"), key="fd_more"):
        pages.append(ui.load(client.findings, limit=PER_PAGE, cursor=pages[-1]["next_cursor"], **filters))
        st.rerun()

# --- act on the selection ----------------------------------------------------------------------
st.divider()
st.subheader(t("act_on_selected"))
chosen = [by_id[i] for i in sorted(selected)]
st.caption(t("selected_n", n=len(chosen)) + (": " + ", ".join(f"#{f['id']}" for f in chosen) if chosen else ""))
if not chosen:
    st.info(t("pick_findings"))
    st.stop()

order_site = chosen[0].get("site_id")
users = ui.staff(order_site)
user_names = {u["id"]: f"{u['name']}（{label('role', u.get('role'))}）" for u in users}
field_staff = [u["id"] for u in users if u.get("role") in ui.role_group("front_line")]
# defaults follow the selection: the widgets are keyed by it
sel = "-".join(str(f["id"]) for f in chosen)
default_trade = chosen[0].get("trade") if chosen[0].get("trade") in TRADES else TRADES[0]
default_priority = min((f.get("priority") or "normal" for f in chosen),
                       key=lambda p: PRIORITY_ORDER.index(p) if p in PRIORITY_ORDER else 1)

with st.form("fd_act"):
    slots = ui.FieldSlots()
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(f"**{t('make_order')}**")
        make_order = st.checkbox(t("make_order"), value=True, key="fd_make_order")
        title = st.text_input(t("title"), value=pick(chosen[0], "title") if len(chosen) == 1 else
                              f"{pick(chosen[0], 'title')} 等 {len(chosen)} 项", key=f"fd_wo_title_{sel}")
        slots.here("title")
        trade = ui.choose(t("trade"), {v: label("trade", v) for v in TRADES}, f"fd_wo_trade_{sel}",
                          index=TRADES.index(default_trade))
        slots.here("trade")
        priority = ui.choose(t("priority"), {v: label("priority", v) for v in PRIORITY_ORDER}, f"fd_wo_priority_{sel}",
                             index=PRIORITY_ORDER.index(default_priority))
        slots.here("priority")
        assignee_id = ui.choose(t("assignee"), {None: t("default_responsible"), **user_names}, "fd_wo_assignee")
        slots.here("assignee_id")
        description = st.text_area(t("description"), key="fd_wo_desc", height=80)
        slots.here("description")
        one_per = st.checkbox(t("one_per_finding"), key="fd_wo_one_per")
        slots.here("finding_ids", "one_per_finding", "site_id")
    with c2:
        st.markdown(f"**{t('make_deductions')}**")
        make_ded = st.checkbox(t("make_deductions"), key="fd_make_ded")
        staff_id = ui.choose(t("deduct_staff"), {None: t("default_responsible"),
                                                 **{i: user_names[i] for i in field_staff}}, "fd_ded_staff")
        slots.here("staff_id")
        points = st.number_input(t("points_each"), min_value=0, max_value=100, value=0, step=1, key="fd_ded_points")
        slots.here("points")
        reason = st.text_input(t("reason"), key="fd_ded_reason")
        slots.here("reason", "problem_key")
        shares = st.checkbox(t("supervisor_shares"), key="fd_ded_shares")
        slots.here("supervisor_shares", "finding_id")
    submitted = st.form_submit_button(t("do_it"), type="primary")

if submitted:
    if not make_order and not make_ded:
        st.warning(t("pick_one_action"))
        st.stop()
    ids = [f["id"] for f in chosen]
    # retry keys live until the whole step succeeded: resubmitting after a refusal repeats nothing
    keys = [f"wo-{'-'.join(map(str, ids))}"] if make_order else []
    keys += [f"ded-{f['id']}" for f in chosen] if make_ded else []
    if make_order:
        body = {"client_id": ui.retry_key(keys[0]), "site_id": order_site, "finding_ids": ids,
                "title": title, "trade": trade, "priority": priority, "description": description,
                "one_per_finding": one_per}
        if assignee_id:
            body["assignee_id"] = assignee_id
        created = ui.act(client.create_work_order, body, slots=slots)
        if created is None:
            st.stop()
        st.success(t("order_created", ids=", ".join(f"#{i}" for i in created.get("created_ids") or [created["id"]])))
    if make_ded:
        made = 0
        for f in chosen:
            body = {"client_id": ui.retry_key(f"ded-{f['id']}"), "finding_id": f["id"],
                    "supervisor_shares": shares}
            if staff_id:
                body["staff_id"] = staff_id
            if points:
                body["points"] = int(points)
            if reason:
                body["reason"] = reason
            if ui.act(client.create_deduction, body, slots=slots) is None:
                st.stop()
            made += 1
        st.success(t("deductions_created", n=made))
    for k in keys:
        ui.forget_retry_key(k)
    # the list changed (statuses): read it again on the next run, and clear the selection
    st.session_state.pop("_fd_filters", None)
    st.session_state["_fd_selected"] = set()
    for i in ids:
        st.session_state.pop(f"fd_sel_{i}", None)
    st.button(t("refresh"), key="fd_refresh", icon=":material/refresh:")
