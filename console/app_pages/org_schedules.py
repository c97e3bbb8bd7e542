"""排班: when a site's rounds and cleaning tasks fall due (fixed times or an interval); a change makes the
tasks not yet due again. Managers and administrators only."""
import streamlit as st

from console import org_ui as o
from console import ui
from console.i18n import label, pick, t

o.guard_page("org_schedules_title")
o.flash()
c = st.columns([2, 1])
site_id = ui.site_picker("org_s_site", allow_all=False, container=c[0])
inactive = c[1].toggle(t("org_show_inactive"), key="org_s_inactive")
items = o.load_items("schedules", site_id, inactive)
lists = {cl["key"]: pick(cl, "name") for cl in (ui.try_load(ui.client().checklists, default=[]) or [])}


def when(s):
    if s.get("at"):
        return "、".join(s["at"])
    return t("org_every", n=s.get("every_minutes"), start=s.get("from_time"), end=s.get("to_time"))


picked = o.table(items, {"org_f_key": "key", "org_f_name": lambda s: pick(s, "name"),
                         "org_f_checklist": lambda s: lists.get(s.get("checklist"), s.get("checklist")),
                         "org_f_role": lambda s: label("role", s.get("role")), "org_when": when,
                         "org_f_window_minutes": "window_minutes", "org_f_active": "active"}, "org_s_table")
FIELDS = [("key", "text"), ("name", "text"), ("name_en", "text"), ("checklist", "choice", lambda: lists),
          ("role", "choice", lambda: {r: label("role", r) for r in ui.role_group("field")}),
          ("zone_code", "choice", lambda: o.zone_choices(site_id)), ("at", "codes"), ("every_minutes", "int"),
          ("from_time", "text"), ("to_time", "text"), ("window_minutes", "int")]
tabs = st.tabs([t("org_edit_tab"), t("org_new"), t("org_excel")])
with tabs[0]:
    o.edit_section("schedules", FIELDS, picked[0] if picked else None, "org_s")
with tabs[1]:
    o.create_section("schedules", FIELDS, site_id, "org_s")
with tabs[2]:
    o.excel_section("schedules", site_id, "org_s_xl")
