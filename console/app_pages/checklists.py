"""检查表: every checklist and each of its versions, items in both languages, and the figures they carry."""
import pandas as pd
import streamlit as st

from console import ui
from console.i18n import label, lang, pick, t

st.title(t("cl_title"))
client = ui.client()

checklists = ui.load(client.checklists)
if not checklists:
    st.info(t("nothing_here"))
    st.stop()

by_key = {c["key"]: c for c in checklists}
st.dataframe(pd.DataFrame([{
    t("checklist"): c.get("name"), "English": c.get("name_en"), t("trade"): label("trade", c.get("trade")),
    t("applies_to"): "、".join(label("kind", k) for k in c.get("applies_to") or []),
    t("item"): c.get("item_count"), t("version"): f"v{c.get('current_version')}", t("code"): c["key"],
} for c in checklists]), hide_index=True)

left, right = st.columns([3, 1])
key = ui.choose(t("checklist"), {k: f"{pick(c, 'name')} ({k})" for k, c in by_key.items()}, "cl_key", left)
current = int(by_key[key].get("current_version") or 0)
versions = list(range(current, 0, -1)) or [0]
version = ui.choose(t("version"), {n: f"v{n}" for n in versions}, f"cl_version_{key}", right)

detail = ui.load(client.checklist, key) if version == current else ui.load(client.checklist_version, key, version)
body = detail.get("body") or detail  # a version is {version, body: {...}} or the body itself with its number
items = body.get("items", [])

st.subheader(f"{pick(body, 'name')} · v{detail.get('version', version)}")
meta = []
if body.get("trade"):
    meta.append(f"{t('trade')}：{label('trade', body['trade'])}")
if body.get("applies_to"):
    meta.append(f"{t('applies_to')}：" + "、".join(label("kind", k) for k in body["applies_to"]))
meta.append(t("items_n", n=len(items)))
st.caption(" · ".join(meta))

rows = []
for it in items:
    rows.append({
        t("code"): it.get("key"),
        t("item"): it.get("text") if lang() == "zh" else it.get("text_en") or it.get("text"),
        t("item_en") if lang() == "zh" else "中文": it.get("text_en") if lang() == "zh" else it.get("text"),
        t("trade"): label("trade", it.get("trade")),
        t("priority"): label("priority", it.get("priority")),
        t("points"): it.get("points"),
        t("photo_on_fail"): bool(it.get("photo_required_on_fail")),
        t("resolve_hours"): it.get("resolve_hours"),
    })
st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={
    t("photo_on_fail"): st.column_config.CheckboxColumn(),
    t("points"): st.column_config.NumberColumn(format="%d"),
})

st.subheader(t("policy_figures"))
total_points = sum(int(it.get("points") or 0) for it in items)
by_priority = {}
for it in items:
    by_priority[it.get("priority")] = by_priority.get(it.get("priority"), 0) + 1
cols = st.columns(4)
cols[0].metric(t("item"), len(items))
cols[1].metric(t("total_points"), total_points)
cols[2].metric(label("priority", "emergency"), by_priority.get("emergency", 0))
cols[3].metric(t("photo_on_fail"), sum(1 for it in items if it.get("photo_required_on_fail")))
