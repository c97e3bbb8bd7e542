"""人员: staff with 工号, role, trade, department, post, direct supervisor and sites; a new person gets a
login. Managers (for staff below manager at their sites) and administrators only."""
import streamlit as st

from console import org_ui as o
from console import ui
from console.i18n import label, t

o.guard_page("org_staff_title")
o.flash()
c = st.columns([2, 1])
site_id = ui.site_picker("org_p_site", allow_all=False, container=c[0])
inactive = c[1].toggle(t("org_show_inactive"), key="org_p_inactive")
people = o.load_items("staff", site_id, inactive)
names = {u["id"]: u["name"] for u in people}
picked = o.table(people, {"org_f_employee_no": lambda u: u.get("employee_no") or "—", "org_f_person": "name",
                          "org_f_username": "username", "org_f_role": lambda u: label("role", u.get("role")),
                          "org_f_trade": lambda u: label("trade", u.get("trade")) if u.get("trade") else "",
                          "org_f_department": "department", "org_f_post": "post",
                          "org_f_supervisor": lambda u: names.get(u.get("supervisor_id"), ""),
                          "org_f_active": "active"}, "org_p_table")
# the roles this person may give: all for an administrator; a manager gives none of the managing roles
roles = [r for r in ui.values("roles") if ui.may("org.edit_all") or r not in ui.role_group("managing")]
sites = {s["code"]: s["name"] for s in ui.sites()}
FIELDS = [("employee_no", "text"), ("username", "text"), ("name", "text"),
          ("role", "choice", lambda: {r: label("role", r) for r in roles}),
          ("trade", "choice", o.trade_choices), ("phone", "text"), ("department", "text"), ("post", "text"),
          ("supervisor", "choice", lambda: o.staff_choices(site_id)), ("site_codes", "multi", lambda: sites)]
tabs = st.tabs([t("org_edit_tab"), t("org_new"), t("org_excel")])
with tabs[0]:
    o.edit_section("staff", FIELDS, picked[0] if picked else None, "org_p")
with tabs[1]:
    st.caption(t("org_staff_new_hint"))
    o.create_section("staff", FIELDS[:-1] + [("password", "password")], site_id, "org_p",
                     fixed={"site_codes": [o.site_code(site_id)]})
with tabs[2]:
    o.excel_section("staff", site_id, "org_p_xl", password=True)
