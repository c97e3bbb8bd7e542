"""工单: a board by status with deadlines and countdowns; a new order by hand; assign, revisit (verify), reopen,
cancel; detail."""
from datetime import timedelta

import streamlit as st

from console import drafts, ui
from console.i18n import label, pick, t

PER_COLUMN = 30
# the board's columns: the statuses of orders still in hand (the API's own set)
BOARD = ui.values("work_order_active")
PRIORITIES = ui.values("priorities")
TRADES = ui.values("trades")
# actions a technician takes on the phone (accept, start, finish) are not offered here
DESK_ACTIONS = ("assign", "verify", "reopen", "cancel")

# who can be given an order (the vocabulary's "assignable"); a supervisor may take any trade's order himself
FIELD_ROLES = ui.role_group("assignable")
# the new-order form's fields, kept as a draft across a refresh (zone and assignee are keyed by site and trade)
NEW_FIELDS = ("wo_new_site", "wo_new_zone_*", "wo_new_trade", "wo_new_assignee_*", "wo_new_priority",
              "wo_new_scheduled_for", "wo_new_title", "wo_new_description")

client = ui.client()


def open_order(order_id):
    st.session_state["wo_open"] = order_id
    st.query_params["order"] = str(order_id)  # a bookmark or a refresh opens the same order


def close_order():
    st.session_state.pop("wo_open", None)
    st.query_params.pop("order", None)


def open_new():
    st.session_state["wo_new"] = True
    st.query_params["new"] = "1"  # a refresh comes back to the form (and its draft)


def close_new():
    st.session_state.pop("wo_new", None)
    st.query_params.pop("new", None)


def staff_choices(site_id, trade, default_text):
    """``{None: default, user_id: "name（role·trade）"}``: the site's active field staff of the trade, and supervisors."""
    people = [u for u in ui.staff(site_id) if u.get("active", True) and u.get("role") in FIELD_ROLES
              and (u.get("trade") == trade or u.get("role") == "supervisor")]
    choices = {None: default_text}
    choices.update({u["id"]: f"{u['name']}（{label('role', u.get('role'))}·{label('trade', u.get('trade'))}）"
                    for u in people})
    return choices


def new_order():
    """A work order by hand (a call, a walk-round, planned maintenance); the API answers for every rule."""
    st.button(t("back_to_board"), on_click=close_new, icon=":material/arrow_back:", key="wo_new_back")
    st.subheader(t("wo_new_title"))
    with drafts.form("wo_new", NEW_FIELDS) as draft:
        made = _new_order_form(draft)
    if made:
        draft.sent()  # the next order starts from an empty form, a refresh too
        who = ui.name_of(made.get("assignee")) if made.get("assignee") else t("unassigned")
        st.session_state["flash_ok"] = t("wo_created", id=made["id"], who=who)
        close_new()
        open_order(made["id"])
        st.rerun()


def _new_order_form(draft):
    slots = ui.FieldSlots()
    c = st.columns(3)
    with c[0]:
        site_id = ui.site_picker("wo_new_site", allow_all=False)
        slots.here("site_id")
    zones = ui.zones(site_id)
    with c[1]:
        # keyed by site: another site's zone must never stay selected
        zone_id = ui.choose(t("zone"), {None: t("wo_no_zone"), **{z["id"]: pick(z, "name") for z in zones}},
                            f"wo_new_zone_{site_id}")
        slots.here("zone_id")
    with c[2]:
        trade = ui.choose(t("trade"), {x: label("trade", x) for x in TRADES}, "wo_new_trade")
        slots.here("trade")

    zone = next((z for z in zones if z["id"] == zone_id), None)
    responsible = ((zone or {}).get("responsible") or {}).get(trade)
    if responsible:
        default_text = t("wo_default_assignee", name=responsible["name"])
    else:
        default_text = t("wo_no_default_assignee") if zone else t("wo_leave_open")
    c = st.columns(2)
    with c[0]:
        assignee_id = ui.choose(t("assignee"), staff_choices(site_id, trade, default_text),
                                f"wo_new_assignee_{site_id}_{trade}")
        if zone is None:
            st.caption(t("wo_default_hint"))
        slots.here("assignee_id")
    with c[1]:
        priority = ui.choose(t("priority"), {p: label("priority", p) for p in PRIORITIES}, "wo_new_priority",
                             widget="radio", horizontal=True, index=PRIORITIES.index("normal"))
        slots.here("priority")
        scheduled_for = None
        if priority == "planned":
            today = ui.local_today(site_id)
            draft.default("wo_new_scheduled_for", today + timedelta(days=1))
            scheduled_for = st.date_input(t("wo_scheduled_for"), min_value=today, key="wo_new_scheduled_for")
            slots.here("scheduled_for")
    title = st.text_input(t("title"), key="wo_new_title", max_chars=255, placeholder=t("wo_title_hint"))
    slots.here("title")
    description = st.text_area(t("description"), key="wo_new_description", height=100, max_chars=4000)
    slots.here("description", "finding_ids", "client_id")

    if not st.button(t("wo_create"), type="primary", icon=":material/add_task:", key="wo_new_submit"):
        return None
    body = {"site_id": site_id, "zone_id": zone_id, "trade": trade, "title": title.strip(),
            "description": description.strip(), "priority": priority, "client_id": ui.retry_key("wo_new")}
    if assignee_id is not None:  # left out, the API gives it to the zone's responsible person (片区责任制)
        body["assignee_id"] = assignee_id
    if scheduled_for is not None:
        body["scheduled_for"] = scheduled_for.isoformat()
    made = ui.act(client.create_work_order, body, slots=slots)
    if made is not None:
        ui.forget_retry_key("wo_new")
    return made


def detail(order_id):
    order = ui.load(client.work_order, order_id)
    site_id = order.get("site_id")
    st.button(t("back_to_board"), on_click=close_order, icon=":material/arrow_back:", key="wo_back")
    st.subheader(f"{t('order_n', id=order['id'])} · {order.get('title')}")
    text, late = ui.order_countdown(order)
    badges = [f":blue-background[{label('wo_status', order['status'])}]",
              f"{label('priority', order.get('priority'))}", label("trade", order.get("trade")),
              pick(order.get("zone") or {}, "name") or "—"]
    if text:
        badges.append(f":red-background[{text}]" if late else f":green-background[{text}]")
    if order.get("escalation_level"):
        badges.append(f":orange-background[{ui.escalation_text(order['escalation_level'])}]")
    if order.get("reopen_count"):
        badges.append(t("reopened_n", n=order["reopen_count"]))
    st.markdown(" · ".join(badges))
    if order.get("description"):
        st.markdown(ui.plain(order["description"]))

    c = st.columns(4)
    c[0].metric(t("assignee"), ui.name_of(order.get("assignee")) if order.get("assignee") else t("unassigned"))
    c[1].metric(t("respond_by"), ui.fmt_time(order.get("respond_by"), site_id))
    c[2].metric(t("resolve_by"), ui.fmt_time(order.get("resolve_by"), site_id))
    c[3].metric(t("revisit_due"), ui.fmt_time(order.get("revisit_due"), site_id))

    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"#### {t('timeline')}")
        for ev in order.get("events", []):
            who = ui.name_of(ev.get("actor")) if ev.get("actor") else "—"
            move = f"{label('wo_status', ev.get('from_status'))} → {label('wo_status', ev.get('to_status'))}" \
                if ev.get("from_status") else label("wo_status", ev.get("to_status"))
            line = f"**{ui.fmt_time(ev.get('at'), site_id)}** · {who} · {label('wo_action', ev.get('action'))} · {move}"
            if ev.get("note"):
                line += f"  \n> {ui.note_text(ev['note'], system=not ev.get('actor'))}"
            st.markdown(line)
        if order.get("findings"):
            st.markdown(f"#### {t('linked_findings')}")
            for f in order["findings"]:
                st.markdown(f"- #{f['id']} {pick(f, 'title')} · {label('finding_status', f.get('status'))}")
    with right:
        before = [pid for f in order.get("findings", []) for pid in f.get("photo_ids", [])]
        after = [p["id"] for p in order.get("photos", []) if p.get("kind") == "after"]
        before += [p["id"] for p in order.get("photos", []) if p.get("kind") != "after"]
        for title, ids in ((t("before_photos"), before), (t("after_photos"), after)):
            st.markdown(f"#### {title}")
            if not ids:
                st.caption(t("no_photo"))
            cols = st.columns(3)
            for i, pid in enumerate(ids[:9]):
                data = ui.photo_bytes(pid, "preview")
                if data:
                    cols[i % 3].image(data, width="stretch")

    # what this user may do now: the API's answer (its state machine and role rules), not a copy
    actions = [a for a in order.get("allowed_actions", []) if a in DESK_ACTIONS]
    if not actions:
        st.caption(t("no_actions"))
        return
    tabs = st.tabs([label("wo_action", a) if a != "verify" else t("verify") for a in actions])
    for tab, action in zip(tabs, actions):
        fields = (f"wo_note_{action}_{order['id']}", *{"assign": [f"wo_assignee_{order['id']}"],
                                                       "verify": [f"wo_satisfied_{order['id']}"]}.get(action, []))
        with tab, drafts.form(f"wo_{action}_{order['id']}", fields, border=False) as draft:
            slots = ui.FieldSlots()
            kw = {}
            if action == "assign":
                users = ui.staff(site_id)
                staff = [u for u in users if u.get("role") in FIELD_ROLES
                         and (u.get("trade") in (order.get("trade"), None) or u.get("role") == "supervisor")] or users
                names = {u["id"]: f"{u['name']}（{label('role', u.get('role'))}·{label('trade', u.get('trade'))}）"
                         for u in staff}
                current = (order.get("assignee") or {}).get("id")
                ids = list(names)
                kw["assignee_id"] = ui.choose(t("assignee"), names, f"wo_assignee_{order['id']}",
                                              index=ids.index(current) if current in ids else 0) if ids else None
                slots.here("assignee_id")
            if action == "verify":
                kw["satisfied"] = ui.choose(t("satisfied"), {True: t("yes"), False: t("no")},
                                            f"wo_satisfied_{order['id']}", widget="radio", horizontal=True)
                st.caption(t("unsatisfied_reopens"))
                slots.here("satisfied")
            kw["note"] = st.text_area(t("note"), key=f"wo_note_{action}_{order['id']}", height=70)
            slots.here("note", "action", "photo_ids")
            if st.button(label("wo_action", action) if action != "verify" else t("verify"), type="primary",
                         key=f"wo_{action}_{order['id']}_submit"):
                result = ui.act(client.transition, order["id"], action, slots=slots,
                                idempotency_key=ui.retry_key(f"wo-{order['id']}-{action}-{order['status']}"), **kw)
                if result is not None:
                    ui.forget_retry_key(f"wo-{order['id']}-{action}-{order['status']}")
                    draft.sent()
                    st.session_state["flash_ok"] = t("action_done", action=label("wo_action", action))
                    st.rerun()


st.title(t("wo_title"))
ui.flash()
ok = st.session_state.pop("flash_ok", None)
if ok:
    st.success(ok)

if "wo_open" not in st.session_state and st.query_params.get("order", "").isdigit():
    st.session_state["wo_open"] = int(st.query_params["order"])
if st.session_state.get("wo_open"):
    detail(st.session_state["wo_open"])
    st.stop()
if st.query_params.get("new") == "1":
    st.session_state["wo_new"] = True
if st.session_state.get("wo_new"):
    new_order()
    st.stop()

st.button(t("wo_new"), on_click=open_new, icon=":material/add:", type="primary", key="wo_new_open")

remember_filters = ui.url_state({"wo_site": int, "wo_zone": int, "wo_trade": str, "wo_priority": str,
                                 "wo_overdue": bool})
with st.container(border=True):
    f = st.columns([2, 2, 2, 2, 1.4], vertical_alignment="bottom")
    site_id = ui.site_picker("wo_site", container=f[0])
    zone_id = ui.zone_picker("wo_zone", site_id, container=f[1])
    trade = ui.enum_picker("trade", TRADES, "wo_trade", container=f[2])
    priority = ui.enum_picker("priority", PRIORITIES, "wo_priority", container=f[3])
    overdue_only = f[4].toggle(t("overdue_only"), key="wo_overdue")

remember_filters()
filters = dict(site_id=site_id, zone_id=zone_id, trade=trade, priority=priority,
               overdue=True if overdue_only else None, limit=PER_COLUMN)
columns = st.columns(len(BOARD))
for col, status in zip(columns, BOARD):
    page = ui.load(client.work_orders, status=status, **filters)
    items = page.get("items", [])
    more = "+" if page.get("next_cursor") else ""
    col.markdown(f"##### {label('wo_status', status)} ({len(items)}{more})")
    for order in items:
        text, late = ui.order_countdown(order)
        with col.container(border=True):
            st.markdown(f"**#{order['id']} {ui.plain(order.get('title'))}**")
            who = ui.name_of(order.get("assignee")) if order.get("assignee") else t("unassigned")
            st.caption(f"{pick(order.get('zone') or {}, 'name') or '—'} · {label('trade', order.get('trade'))} · "
                       f"{who}")
            tags = []
            if order.get("priority") == "emergency":
                tags.append(f":red[{label('priority', 'emergency')}]")
            if text:
                tags.append(f":red-background[{text}]" if late else f":gray[{text}]")
            if order.get("escalation_level"):
                tags.append(f":orange-background[{ui.escalation_text(order['escalation_level'])}]")
            if order.get("reopen_count"):
                tags.append(f":violet[{t('reopened_n', n=order['reopen_count'])}]")
            if tags:  # one per line: in a fifth of a 1366 px screen, tags side by side break mid-word
                st.markdown("  \n".join(tags))
            st.button(t("open_order"), key=f"wo_open_{order['id']}", on_click=open_order, args=(order["id"],))
    if not items:
        col.caption(t("nothing_here"))
