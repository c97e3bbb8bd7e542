"""巡检记录: the day's rounds as walked — per round and per guard, checkpoints in the order scanned with scan
times, the gaps between them, late and missed points, the photos of what failed; a printable round report."""
import base64

import streamlit as st

from console import ui
from console.i18n import t

ui.require(ui.SUPERVISOR_UP)
client = ui.client()
st.title(t("rd_title"))

remember = ui.url_state({"rd_site": int, "rd_guard": int})
c = st.columns([2, 2, 3])
site_id = ui.site_picker("rd_site", allow_all=False, container=c[0])
day = c[1].date_input(t("date"), value=ui.local_today(site_id), max_value=ui.local_today(site_id), key="rd_day")
guards = {u["id"]: u["name"] for u in ui.staff(site_id) if u.get("role") == "guard"}
guard = ui.choose(t("rd_guard"), {None: t("all"), **guards}, "rd_guard", c[2])
remember()

body = ui.load(client.report_rounds, site_id=site_id, date=day.isoformat(), inspector_id=guard)
rounds = body.get("rounds", [])
st.caption(t("rd_late_rule", n=body.get("late_after_minutes", 30)))
if not rounds:
    st.info(t("rd_none"))
for n, r in enumerate(rounds):
    head = t("rd_round", time=r["local_time"], name=r["schedule"] if ui.lang() == "zh" else (r["schedule_en"] or
             r["schedule"]), guards="、".join(r["guards"]) or "—", done=r["done"], late=r["late"], missed=r["missed"])
    with st.expander(("⚠ " if r["missed"] or r["late"] else "") + head, expanded=bool(r["missed"]) and n < 3):
        st.dataframe(ui.frame([{
            "#": i, t("rd_point"): p["checkpoint"],
            t("rd_scanned"): ui.fmt_time(p["finished_at"], site_id) if p.get("finished_at") else None,
            t("rd_gap"): p.get("gap_minutes"), t("rd_state"): t(f"rd_state_{p['state']}"),
            t("rd_failed"): p.get("failed") if p.get("finished_at") else None, t("rd_guard"): p.get("inspector") or None,
        } for i, p in enumerate(r["points"], 1)]), hide_index=True, width="stretch")
        failed = [p for p in r["points"] if p.get("failed") and p.get("inspection_id")]
        for p in failed[:5]:
            insp = ui.try_load(client.inspection, p["inspection_id"], default=None) or {}
            ids = [pid for f in insp.get("findings", []) for pid in f.get("photo_ids", [])]
            if ids:
                st.caption(f"{t('rd_photos')}：{p['checkpoint']}（{'、'.join(f['title'] for f in insp['findings'])}）")
                cols = st.columns(6)
                for k, pid in enumerate(ids[:6]):
                    data = ui.photo_bytes(pid, "thumb")
                    if data:
                        cols[k].image(data, width="stretch")

report = ui.try_load(client.report_rounds_html, site_id=site_id, date=day.isoformat(), inspector_id=guard,
                     default=None)
if report and rounds:
    st.download_button(t("rd_print"), report, file_name=f"rounds-{day.isoformat()}.html", mime="text/html",
                       icon=":material/print:", key="rd_print")
    st.iframe("data:text/html;charset=utf-8;base64," + base64.b64encode(report.encode()).decode(), height=480)
