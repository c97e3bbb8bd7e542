"""检查表: every checklist and each of its versions, items in both languages, and the figures they carry."""
from decimal import Decimal

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
st.dataframe(ui.frame([{
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
st.dataframe(ui.frame(rows), hide_index=True, column_config={
    t("photo_on_fail"): st.column_config.CheckboxColumn(),
    t("points"): st.column_config.NumberColumn(format="%d"),
})

st.subheader(t("policy_figures"))
policy = ui.try_load(client.policy, default=None)
total_points = sum(int(it.get("points") or 0) for it in items)
cols = st.columns(4)
cols[0].metric(t("item"), len(items))
cols[1].metric(t("photo_on_fail"), sum(1 for it in items if it.get("photo_required_on_fail")))
cols[2].metric(label("priority", "emergency"), sum(1 for it in items if it.get("priority") == "emergency"))
if policy:
    ded = policy["deductions"]
    rate = Decimal(str(ded["yuan_per_point"]))
    cols[3].metric(t("total_points"), total_points, help=t("max_points", p=total_points, y=total_points * rate))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('policy_deductions')}**")
        lines = [t("policy_yuan", y=ded["yuan_per_point"])]
        tiers = ded["tiers"]
        for i, tier in enumerate(tiers):
            upper = tiers[i + 1]["min_points"] - 1 if i + 1 < len(tiers) else None
            span = f"{tier['min_points']}–{upper}" if upper else f"≥{tier['min_points']}"
            extra = t("policy_extra", y=tier["extra_fine"]) if Decimal(str(tier["extra_fine"])) else ""
            lines.append(t("policy_tier", span=span, tier=label("tier", tier["tier"]), extra=extra))
        lines.append(t("policy_posting", p=ded["posting"]["min_points"], n=ded["posting"]["same_problem_times"]))
        split = ded["supervisor_split"]
        lines.append(t("policy_split", s=split["staff_percent"], v=split["supervisor_percent"],
                       n=ded["same_problem_brings_in_supervisor"]))
        lines.append(t("policy_due", d=ded["ledger_due_day"]))
        st.markdown("\n".join(f"- {ln}" for ln in lines))
    with right:
        wo = policy["work_orders"]
        st.markdown(f"**{t('policy_time_limits')}**")
        st.dataframe(ui.frame([{
            t("priority"): label("priority", p),
            t("respond_by"): "—" if wo["respond_hours"].get(p) is None else f"{wo['respond_hours'][p]:g} h",
            t("resolve_by"): f"{wo['resolve_hours'][p]:g} h",
        } for p in ("emergency", "normal", "planned")]), hide_index=True)
        st.caption(t("policy_revisit", n=wo["revisit_working_days"]))
else:
    cols[3].metric(t("total_points"), total_points)

# --- a manager changes the policy from a date, and everyone sees its history -------------------------
if policy and ui.may("policy.change"):
    import datetime as _dt

    versions = ui.try_load(client.policy_versions, default=[]) or []
    newest = max((v["id"] for v in versions), default=None)
    st.subheader(t("policy_edit"))
    st.caption(t("policy_edit_help"))
    ded, wo = policy["deductions"], policy["work_orders"]
    slots = ui.FieldSlots()
    with st.form("policy_form"):
        top = st.columns(3)
        effective = top[0].date_input(t("policy_effective_from"), key="policy_effective_from",
                                      value=ui.local_today() + _dt.timedelta(days=1), min_value=ui.local_today())
        rate = top[1].number_input(t("policy_yuan_per_point"), key="policy_yuan_per_point", min_value=0.0,
                                   step=0.5, format="%.2f", value=float(ded["yuan_per_point"]))
        slots.here("policy.deductions.yuan_per_point")
        note = top[2].text_input(t("policy_note"), key="policy_note", max_chars=500)
        tier_cols = st.columns(len(ded["tiers"]))
        tiers = []
        for i, (col, tier) in enumerate(zip(tier_cols, ded["tiers"])):
            name = label("tier", tier["tier"])
            lo = col.number_input(t("policy_tier_from", tier=name), key=f"policy_tier_min_{i}", min_value=1,
                                  step=1, value=int(tier["min_points"]))
            fine = col.number_input(t("policy_tier_fine", tier=name), key=f"policy_tier_fine_{i}", min_value=0.0,
                                    step=5.0, format="%.2f", value=float(tier["extra_fine"]))
            tiers.append(dict(tier, min_points=int(lo), extra_fine=f"{fine:.2f}"))
        slots.here("policy.deductions.tiers")
        limit_cols = st.columns(3)
        respond, resolve = dict(wo["respond_hours"]), dict(wo["resolve_hours"])
        for col, p in zip(limit_cols, ("emergency", "normal", "planned")):
            if respond.get(p) is not None:
                respond[p] = col.number_input(t("policy_respond_h", p=label("priority", p)), key=f"policy_respond_{p}",
                                              min_value=0.1, step=0.5, value=float(respond[p]))
            else:  # no respond limit for this priority: shown empty, so the rows stay aligned
                col.number_input(t("policy_respond_h", p=label("priority", p)), key=f"policy_respond_{p}",
                                 value=None, disabled=True)
            resolve[p] = col.number_input(t("policy_resolve_h", p=label("priority", p)), key=f"policy_resolve_{p}",
                                          min_value=0.1, step=1.0, value=float(resolve[p]))
        slots.here("policy.work_orders")
        saved = st.form_submit_button(t("policy_save"), type="primary")
    if saved and newest is not None:
        body = dict(policy, deductions=dict(ded, yuan_per_point=f"{rate:.2f}", tiers=tiers),
                    work_orders=dict(wo, respond_hours=respond, resolve_hours=resolve))
        answer = ui.act(client.add_policy_version, body, effective, newest, note, slots=slots)
        if answer:
            st.success(t("policy_saved", id=answer["id"], day=answer["effective_from"]), icon=":material/check:")
            versions = ui.try_load(client.policy_versions, default=[]) or []

    st.subheader(t("policy_history"))
    st.dataframe(pd.DataFrame([{
        t("version"): f"v{v['id']}", t("policy_effective_from"): v["effective_from"],
        t("policy_in_force"): bool(v.get("in_force")),
        t("policy_yuan_per_point"): v["policy"]["deductions"]["yuan_per_point"],
        " / ".join(label("tier", x["tier"]) for x in v["policy"]["deductions"]["tiers"]):
            " / ".join(f"{x['min_points']}分 {x['extra_fine']}" for x in v["policy"]["deductions"]["tiers"]),
        t("policy_by"): v.get("created_by_name") or t("policy_initial"),
        t("policy_when"): ui.fmt_time(v.get("created_at"), with_year=True),
        t("policy_note"): v.get("note") or "",
    } for v in versions]), hide_index=True, column_config={t("policy_in_force"): st.column_config.CheckboxColumn()})
