"""巡检点: a site's checkpoints with their zone, checklists, position and NFC tag, and their QR labels to
print (the API renders the label sheet); managers and administrators only."""
import streamlit as st

from console import org_ui as o
from console import ui
from console.i18n import pick, t

o.guard_page("org_checkpoints_title")
o.flash()
c = st.columns([2, 1])
site_id = ui.site_picker("org_cp_site", allow_all=False, container=c[0])
inactive = c[1].toggle(t("org_show_inactive"), key="org_cp_inactive")
items = o.load_items("checkpoints", site_id, inactive)
KINDS = ("lobby", "car_park", "road_lamp", "drain_cover", "road", "repair_site")
lists = {cl["key"]: pick(cl, "name") for cl in (ui.try_load(ui.client().checklists, default=[]) or [])}

st.caption(t("org_cp_hint"))
picked = o.table(items, {"org_f_code": "code", "org_f_name": lambda cp: pick(cp, "name"),
                         "org_f_kind": lambda cp: t(f"org_kind_{cp['kind']}") if cp["kind"] in KINDS else cp["kind"], "org_f_zone_code": lambda cp: pick(cp.get("zone") or {}, "name"),
                         "org_f_checklists": lambda cp: [lists.get(k, k) for k in cp.get("checklist_keys", [])],
                         "org_f_nfc_tag_id": lambda cp: cp.get("nfc_tag_id") or "",
                         "org_f_active": "active"}, "org_cp_table", multi=True)

new_ids = [i for i in st.session_state.get("org_new_ids", []) if i in {cp["id"] for cp in items}]
c1, c2 = st.columns(2)
which = picked or [cp for cp in items if cp["id"] in new_ids]
caption = (t("org_labels_selected", n=len(picked)) if picked else
           t("org_labels_new", n=len(which)) if which else t("org_labels_all", n=len(items)))
if c1.button(caption, key="org_cp_labels", icon=":material/qr_code_2:", disabled=not items):
    html = ui.act(ui.client().checkpoint_labels, site_id, [cp["id"] for cp in which] or None)
    if html:
        st.session_state["org_cp_label_html"] = html
if st.session_state.get("org_cp_label_html"):
    c2.download_button(t("org_labels_download"), st.session_state["org_cp_label_html"],
                       file_name=f"labels-{o.site_code(site_id)}.html", mime="text/html", key="org_cp_label_dl",
                       icon=":material/print:")
    st.caption(t("org_labels_print_hint"))

FIELDS = [("code", "text"), ("name", "text"), ("name_en", "text"), ("kind", "choice", lambda: {
    k: t(f"org_kind_{k}") for k in KINDS}),
    ("zone_code", "choice", lambda: o.zone_choices(site_id, allow_none=False)),
    ("checklists", "multi", lambda: lists), ("latitude", "float"), ("longitude", "float"),
    ("nfc_tag_id", "text"), ("sort_order", "int"), ("note", "text")]
tabs = st.tabs([t("org_edit_tab"), t("org_new"), t("org_excel")])
with tabs[0]:
    st.caption(t("org_cp_lists_from_now"))
    o.edit_section("checkpoints", FIELDS, picked[0] if len(picked) == 1 else None, "org_cp")
with tabs[1]:
    o.create_section("checkpoints", FIELDS, site_id, "org_cp")
with tabs[2]:
    o.excel_section("checkpoints", site_id, "org_cp_xl")
