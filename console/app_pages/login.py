"""Log in. In a browser the form posts straight to the API (POST /auth/session), which keeps the token in an
HttpOnly cookie for this host and sends the browser back here: a refresh, a dropped connection or tomorrow
morning finds the user still logged in, and no token ever appears in a URL or in the page. Without a browser
behind the session (AppTest, scripts) the login goes through the API client and lives in the session only."""
import html

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

outcome = st.query_params.get("login")
if outcome == "failed":
    st.error(t("login_failed"))
elif outcome == "throttled":
    st.error(t("login_throttled"))

if ui.browser_login_available():
    e = html.escape
    back = st.context.url or ""
    query = "&".join(f"{k}={v}" for k, v in st.query_params.items() if k != "login")
    st.html(f"""
<form class="patrol-login" method="post" action="{e(ui.api_public_url())}/api/v1/auth/session">
  <input type="hidden" name="next" value="{e(back + ('?' + query if query else ''))}">
  <label>{e(t("username"))}<input name="username" autocomplete="username" required maxlength="64"></label>
  <label>{e(t("password"))}<input name="password" type="password" autocomplete="current-password" required
    maxlength="256"></label>
  <button type="submit">{e(t("login"))}</button>
</form>
<style>
.patrol-login{{display:flex;flex-direction:column;gap:.8rem;max-width:22rem}}
.patrol-login label{{display:flex;flex-direction:column;gap:.3rem;font-size:.9rem}}
.patrol-login input{{font:inherit;padding:.5rem .6rem;border:1px solid #ccc;border-radius:.5rem}}
.patrol-login button{{font:inherit;padding:.5rem 1rem;border:0;border-radius:.5rem;background:#ff4b4b;color:#fff;
  width:fit-content;cursor:pointer}}
</style>""")
    st.stop()

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
