"""工单记录: every order whatever its status, searched by number, place, person or text over registration days;
exported to Excel; any order's printable 派工单 for teams without phones."""
from datetime import timedelta

import base64

import streamlit as st

from console import ui
from console.i18n import label, pick, t

LIMIT = 200

ui.require("work_order.export")
client = ui.client()
st.title(t("wh_title"))

remember = ui.url_state({"wh_site": int, "wh_status": str, "wh_q": str})
c = st.columns([2, 2, 3, 3], vertical_alignment="bottom")
site_id = ui.site_picker("wh_site", container=c[0])
status = ui.enum_picker("wo_status", ui.vocabulary()["machines"]["work_order"]["statuses"], "wh_status",
                        container=c[1], caption=t("status"))
text = c[2].text_input(t("wh_search"), key="wh_q", placeholder=t("wh_search_hint"), max_chars=100)
today = ui.local_today(site_id)
span = c[3].date_input(t("created_at"), value=(today - timedelta(days=89), today), max_value=today, key="wh_days")
remember()
first, last = (span[0], span[-1]) if isinstance(span, (tuple, list)) and span else (today, today)
filters = {"site_id": site_id, "status": status, "q": text.strip() or None, "since": first.isoformat(),
           "until": last.isoformat()}

page = ui.load(client.work_orders, limit=LIMIT, **filters)
orders = page.get("items", [])
st.caption(t("wh_found", n=len(orders), more=t("wh_more") if page.get("next_cursor") else ""))
st.dataframe(ui.frame([{
    "#": o["id"], t("created_at"): ui.fmt_time(o.get("created_at"), o.get("site_id"), with_year=True),
    t("zone"): pick(o.get("zone") or {}, "name") or None, t("trade"): label("trade", o.get("trade")),
    t("title"): o.get("title"), t("status"): label("wo_status", o.get("status")),
    t("assignee"): ui.name_of(o.get("assignee")) if o.get("assignee") else t("unassigned"),
    t("resolve_by"): ui.fmt_time(o.get("resolve_by"), o.get("site_id")) if o.get("resolve_by") else None,
    t("wh_done_at"): ui.fmt_time(o.get("done_at"), o.get("site_id")) if o.get("done_at") else None,
} for o in orders], columns=None), hide_index=True, width="stretch")

left, right = st.columns([1, 3])
left.download_button(t("wh_export"), data=lambda: client.work_orders_xlsx(**filters), file_name="work-orders.xlsx",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                     icon=":material/download:", key="wh_xlsx", disabled=not orders)
if orders:
    picked = ui.choose(t("wh_pick"), {o["id"]: f"#{o['id']} {o.get('title')}" for o in orders}, "wh_print_id",
                       right)
    if picked:
        sheet = ui.try_load(client.work_order_print, picked, default=None)
        if sheet:
            st.download_button(t("wh_download_print"), sheet, file_name=f"work-order-{picked}.html",
                               mime="text/html", key="wh_print_dl", icon=":material/print:")
            st.iframe("data:text/html;charset=utf-8;base64," + base64.b64encode(sheet.encode()).decode(), height=720)
else:
    st.caption(t("nothing_here"))
