"""节假日安排: the official holiday schedule with make-up working days; managers enter or import it."""
import pandas as pd
import streamlit as st

from console import ui
from console.i18n import label, t

client = ui.client()
st.title(t("hol_title"))
ui.require("console.use")
st.caption(t("hol_intro"))

status = ui.load(client.holiday_status)
if status.get("warn"):
    st.warning(status.get("message"), icon=":material/event_busy:")
this_year = status["year"]
years = [this_year - 1, this_year, this_year + 1, this_year + 2]
# from November the year to look at is next year's
year = st.selectbox(t("hol_year"), years, index=2 if int(status["today"][5:7]) >= 11 else 1, key="hol_year")
sched = ui.load(client.holiday_year, year)
st.markdown(t("hol_source", source=label("holiday_source", sched["source"])))
flash = st.session_state.pop("_hol_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")

days = sched.get("days", [])
if days:
    st.dataframe(pd.DataFrame([{t("hol_date"): d["date"], t("hol_kind"): label("holiday_kind", d["kind"]),
                                t("hol_name"): d["name"]} for d in days]), hide_index=True)
else:
    st.info(t("hol_none"))

if not ui.may("holiday.edit"):
    st.caption(t("hol_managers_only"))
    st.stop()

st.subheader(t("hol_edit"))
kinds = {label("holiday_kind", k): k for k in ("holiday", "workday")}
frame = pd.DataFrame([{"date": pd.to_datetime(d["date"]).date(), "kind": label("holiday_kind", d["kind"]),
                       "name": d["name"]} for d in days], columns=["date", "kind", "name"])
edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, key=f"hol_editor_{year}", column_config={
    "date": st.column_config.DateColumn(t("hol_date"), format="YYYY-MM-DD", required=True),
    "kind": st.column_config.SelectboxColumn(t("hol_kind"), options=list(kinds), required=True),
    "name": st.column_config.TextColumn(t("hol_name"), max_chars=60),
})
slots = ui.FieldSlots()
if st.button(t("hol_save"), type="primary", key="hol_save"):
    rows = [{"date": pd.to_datetime(r["date"]).date().isoformat(), "kind": kinds.get(r["kind"], r["kind"]),
             "name": r["name"] or ""} for r in edited.to_dict("records") if r.get("date") is not None
            and not pd.isna(r.get("date"))]
    saved = ui.act(client.enter_holiday_year, year, rows, slots=slots)
    if saved is not None:
        st.session_state["_hol_flash"] = t("hol_saved", year=year, n=len(saved["days"]))
        st.rerun()

upload = st.file_uploader(t("hol_import"), type=["xlsx", "csv"], key=f"hol_upload_{year}")
if upload is not None and st.button(t("hol_import_go"), key="hol_import"):
    saved = ui.act(client.import_holiday_year, year, upload.getvalue(), upload.name)
    if saved is not None:
        st.session_state["_hol_flash"] = t("hol_saved", year=year, n=len(saved["days"]))
        st.rerun()
if sched["source"] == "entered" and st.button(t("hol_reset"), key="hol_reset"):
    if ui.act(client.enter_holiday_year, year, []) is not None:
        st.rerun()
