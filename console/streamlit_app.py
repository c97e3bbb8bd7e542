"""The console's entry point: language switch, login, and the pages the caller's role may use."""
import streamlit as st

from console import ui
from console.i18n import label, t

st.set_option("client.toolbarMode", "viewer")  # no "Deploy" button or developer menu for office staff
st.set_page_config(page_title="物业巡检管理台 · Patrol console", page_icon=":material/shield_person:",
                   layout="wide")
# less empty space above the title, so an office's 1366×768 screen shows the day's figures without scrolling
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>")
ui.language_switch()
ui.widget_texts()

if not ui.token():
    pages = [st.Page("app_pages/login.py", title=t("nav_login"), icon=":material/login:", default=True)]
else:
    user = ui.me()
    ui.vocabulary()  # the API's labels, in the session's language, before any page shows one
    role = user.get("role")
    if not ui.may("console.use"):
        pages = [st.Page("app_pages/login.py", title=t("nav_login"), icon=":material/login:", default=True)]
    else:
        daily = [
            st.Page("app_pages/today.py", title=t("nav_today"), icon=":material/today:", default=True),
            st.Page("app_pages/service_desk.py", title=t("nav_service_desk"), icon=":material/support_agent:"),
            st.Page("app_pages/complaints.py", title=t("nav_complaints"), icon=":material/rate_review:"),
        ]
        holidays_page = st.Page("app_pages/holidays.py", title=t("nav_holidays"), icon=":material/event:")
        analysis = [
            st.Page("app_pages/checklists.py", title=t("nav_checklists"), icon=":material/checklist:"),
        ]
        if ui.may("report.view"):
            daily += [
                st.Page("app_pages/findings.py", title=t("nav_findings"), icon=":material/report:"),
                st.Page("app_pages/rounds.py", title=t("nav_rounds"), icon=":material/route:"),
                st.Page("app_pages/work_orders.py", title=t("nav_work_orders"), icon=":material/build:"),
                st.Page("app_pages/work_order_history.py", title=t("nav_wo_history"), icon=":material/manage_search:"),
                st.Page("app_pages/deductions.py", title=t("nav_deductions"), icon=":material/gavel:"),
                st.Page("app_pages/performance.py", title=t("nav_performance"), icon=":material/star_rate:"),
            ]
            analysis.append(st.Page("app_pages/corrective_actions.py", title=t("nav_corrective"),
                                    icon=":material/build_circle:"))
            analysis.insert(0, st.Page("app_pages/reports.py", title=t("nav_reports"), icon=":material/bar_chart:"))
        if ui.may("audit.view"):
            analysis.append(st.Page("app_pages/audit.py", title=t("nav_audit"), icon=":material/history:"))
        if ui.may("notification.manage"):
            analysis.append(st.Page("app_pages/notifications.py", title=t("nav_notifications"),
                                    icon=":material/notifications:"))
        analysis.append(holidays_page)
        pages = {t("nav_group_daily"): daily, t("nav_group_analysis"): analysis}
        if ui.may("org.edit"):
            pages[t("nav_group_org")] = [
                st.Page("app_pages/org_sites.py", title=t("nav_org_sites"), icon=":material/domain:"),
                st.Page("app_pages/org_buildings.py", title=t("nav_org_buildings"), icon=":material/apartment:"),
                st.Page("app_pages/org_checkpoints.py", title=t("nav_org_checkpoints"), icon=":material/qr_code_2:"),
                st.Page("app_pages/org_schedules.py", title=t("nav_org_schedules"), icon=":material/schedule:"),
                st.Page("app_pages/org_staff.py", title=t("nav_org_staff"), icon=":material/badge:"),
            ]
    with st.sidebar:
        st.caption(t("signed_in_as", name=user.get("name", ""), role=label("role", role)))
        if ui.may("holiday.edit"):  # from November: next year's official holiday schedule is still missing
            _hol = ui.try_load(ui.client().holiday_status, default={}) or {}
            if _hol.get("warn"):
                st.warning(ui.note_text(_hol.get("message", ""), system=True), icon=":material/event_busy:")
        if st.button(t("logout"), icon=":material/logout:", key="logout"):
            try:
                ui.client().logout()  # the server revokes the token: the browser's cookie is dead from now on
            except Exception:  # noqa: BLE001 - logging out locally matters more than the server's answer
                pass
            ui.forget_token(ui.token())
            ui.clear_session()
            st.rerun()

ui.hidden_pages(pages)  # a bookmark to a page not shown now: the login, or a sentence, never "Page not found"
st.navigation(pages, expanded=True).run()  # every page in view: managers have five more (组织设置)
