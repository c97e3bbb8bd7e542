"""Log in with a username and password; only the token is kept in the session."""
import streamlit as st

from console import ui
from console.client import ApiError, AuthError
from console.i18n import t

st.title(t("app_title"))
ui.flash()

if ui.token():
    # logged in, but a field role: the console is not theirs
    st.info(t("field_staff_no_console"))
    st.stop()

st.subheader(t("login_title"))
st.caption(t("login_intro"))
with st.form("login", clear_on_submit=True):
    username = st.text_input(t("username"), key="login_username")
    password = st.text_input(t("password"), type="password", key="login_password")
    submitted = st.form_submit_button(t("login"), type="primary")

if submitted:
    if not username or not password:
        st.error(t("login_missing"))
    else:
        try:
            body = ui.client().login(username.strip(), password)
        except AuthError:
            st.error(t("login_failed"))
        except ApiError as exc:
            ui.show_error(exc)
        else:
            ui.clear_session()
            st.session_state["token"] = body["token"]
            st.session_state["me"] = body["user"]
            st.rerun()
