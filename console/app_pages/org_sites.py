"""场所与片区: the caller's sites and their zones with the responsible staff per trade (片区责任人); managers
and administrators only."""
import streamlit as st

from console import org_ui as o
from console import ui
from console.i18n import label, pick, t

o.guard_page("org_sites_title")
o.flash()

SITE_FIELDS = [("code", "text"), ("name", "text"), ("name_en", "text"),
               ("kind", "choice", lambda: {k: label("site_kind", k) for k in ui.values("site_kinds")}),
               ("timezone", "text"), ("address", "text")]

st.subheader(t("org_sites"))
sites = ui.sites()
picked_site = o.table(sites, {"org_f_code": "code", "org_f_name": lambda s: pick(s, "name"),
                              "org_f_kind": lambda s: label("site_kind", s.get("kind")),
                              "org_f_address": "address", "org_f_active": lambda s: s.get("active", True)},
                      "org_sites_table")
tabs = st.tabs([t("org_edit_tab"), t("org_new"), t("org_excel")])
with tabs[0]:
    o.edit_section("sites", SITE_FIELDS, picked_site[0] if picked_site else None, "org_site")
with tabs[1]:
    if ui.may("site.create"):
        o.create_section("sites", SITE_FIELDS, None, "org_site")
    else:
        st.info(t("org_admin_creates_sites"))
with tabs[2]:
    o.excel_section("sites", None, "org_site_xl")

st.divider()
st.subheader(t("org_zones"))
c = st.columns([2, 1])
site_id = ui.site_picker("org_zone_site", allow_all=False, container=c[0])
inactive = c[1].toggle(t("org_show_inactive"), key="org_zone_inactive")
zones = o.load_items("zones", site_id, inactive)


def _resp(trade):
    return lambda z: ((z.get("responsible") or {}).get(trade) or {}).get("name", "")


columns = {"org_f_code": "code", "org_f_name": lambda z: pick(z, "name"), "org_f_active": "active"}
columns.update({f"org_resp_{tr}": _resp(tr) for tr in ui.values("trades")})
picked = o.table(zones, columns, "org_zones_table")
ZONE_FIELDS = [("code", "text"), ("name", "text"), ("name_en", "text")] + [
    (f"responsible_{tr}", "choice", lambda: o.staff_choices(site_id)) for tr in ui.values("trades")]
tabs = st.tabs([t("org_edit_tab"), t("org_new"), t("org_excel")])
with tabs[0]:
    st.caption(t("org_resp_from_now"))
    o.edit_section("zones", ZONE_FIELDS, picked[0] if picked else None, "org_zone")
with tabs[1]:
    o.create_section("zones", ZONE_FIELDS, site_id, "org_zone")
with tabs[2]:
    o.excel_section("zones", site_id, "org_zone_xl")
