"""楼栋与房号: buildings with the zone each belongs to (a unit's service requests go to it) and their units;
managers and administrators only."""
import streamlit as st

from console import org_ui as o
from console import ui
from console.i18n import pick, t

o.guard_page("org_buildings_title")
o.flash()
c = st.columns([2, 1])
site_id = ui.site_picker("org_b_site", allow_all=False, container=c[0])
inactive = c[1].toggle(t("org_show_inactive"), key="org_b_inactive")

zone_names = {z["id"]: pick(z, "name") for z in ui.zones(site_id)}
buildings = o.load_items("buildings", site_id, inactive)
st.subheader(t("org_buildings"))
st.caption(t("org_building_zone_hint"))
picked = o.table(buildings, {"org_f_code": "code", "org_f_name": lambda b: pick(b, "name"),
                             "org_f_zone_code": lambda b: zone_names.get(b.get("zone_id"), "—"),
                             "org_f_active": "active"}, "org_b_table")
B_FIELDS = [("code", "text"), ("name", "text"), ("name_en", "text"),
            ("zone_code", "choice", lambda: o.zone_choices(site_id))]
tabs = st.tabs([t("org_edit_tab"), t("org_new"), t("org_excel")])
with tabs[0]:
    o.edit_section("buildings", B_FIELDS, picked[0] if picked else None, "org_b")
with tabs[1]:
    o.create_section("buildings", B_FIELDS, site_id, "org_b")
with tabs[2]:
    o.excel_section("buildings", site_id, "org_b_xl")

st.divider()
building = picked[0] if picked else (buildings[0] if buildings else None)
if building is None:
    st.stop()
st.subheader(t("org_units_of", name=pick(building, "name")))
units = o.load_items("units", site_id, inactive, building_id=building["id"])
picked_unit = o.table(units, {"org_f_code": "code", "org_f_floor": "floor", "org_f_active": "active"}, "org_u_table")
U_FIELDS = [("code", "text"), ("floor", "int")]
tabs = st.tabs([t("org_edit_tab"), t("org_new"), t("org_excel")])
with tabs[0]:
    o.edit_section("units", U_FIELDS, picked_unit[0] if picked_unit else None, "org_u")
with tabs[1]:
    o.create_section("units", U_FIELDS, site_id, "org_u", fixed={"building_code": building["code"]})
with tabs[2]:
    o.excel_section("units", site_id, "org_u_xl")
