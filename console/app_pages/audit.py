"""操作日志: who did what and when, filtered; managers only, read-only."""
import json
from datetime import timedelta

import pandas as pd
import streamlit as st

from console import ui
from console.i18n import label, t

OBJECT_TYPES = ["work_order", "deduction", "appeal", "ledger", "finding", "inspection", "photo", "request",
                "user", "checklist"]
PER_PAGE = 100

client = ui.client()
st.title(t("audit_title"))
ui.require("audit.view")

users = ui.staff()
names = {u["id"]: f"{u['name']}（{label('role', u.get('role'))}）" for u in users}

c = st.columns([2, 2, 2, 2])
object_type = ui.choose(t("object_type"), {None: t("all"), **{k: k for k in OBJECT_TYPES}}, "au_type", c[0])
user_id = ui.choose(t("user"), {None: t("all"), **names}, "au_user", c[1])
site_id = ui.site_picker("au_site", container=c[2])
since_day = c[3].date_input(t("since"), value=ui.local_today() - timedelta(days=7), key="au_since")
since, _ = ui.day_bounds_utc(since_day, since_day, site_id)

filters = dict(object_type=object_type, user_id=user_id, site_id=site_id, since=since)
fkey = repr(sorted(filters.items(), key=lambda kv: kv[0]))
if st.session_state.get("_au_filters") != fkey:
    st.session_state["_au_filters"] = fkey
    st.session_state["_au_pages"] = [ui.load(client.audit, limit=PER_PAGE, **filters)]
pages = st.session_state["_au_pages"]
entries = [e for p in pages for e in p.get("items", [])]


def who(e):
    plain = {u["id"]: u["name"] for u in users}
    return plain.get(e.get("user_id"), e.get("user_id") or "—")


if not entries:
    st.info(t("nothing_here"))
    st.stop()

table = pd.DataFrame([{
    "#": e.get("id"),
    t("time"): ui.fmt_time(e.get("at"), e.get("site_id"), with_year=True),
    t("user"): who(e),
    t("role"): label("role", e.get("role")),
    t("action"): e.get("action"),
    t("object_type"): e.get("object_type"),
    t("object_id"): e.get("object_id"),
    t("site"): (ui.site_by_id(e.get("site_id")) or {}).get("code", ""),
} for e in entries])
st.caption(t("audit_hint"))
picked = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key="au_table")
rows = picked.selection.rows if picked and hasattr(picked, "selection") else []
if pages[-1].get("next_cursor"):
    if st.button(t("load_more"), key="au_more"):
        pages.append(ui.load(client.audit, limit=PER_PAGE, cursor=pages[-1]["next_cursor"], **filters))
        st.rerun()
if rows:
    e = entries[rows[0]]
    st.markdown(f"**#{e.get('id')} {e.get('action')}** · {who(e)} · {e.get('object_type')} {e.get('object_id')} · "
                f"IP {e.get('ip') or '—'} · {t('request_id')} {e.get('request_id') or '—'}")
    left, right = st.columns(2)
    left.markdown(f"#### {t('before')}")
    left.code(json.dumps(e.get("before"), ensure_ascii=False, indent=2), language="json")
    right.markdown(f"#### {t('after')}")
    right.code(json.dumps(e.get("after"), ensure_ascii=False, indent=2), language="json")
