"""巡检记录: the day's rounds as walked (the API's GET /rounds) — per round and per guard, checkpoints in their
order with scan times, the gap since the previous scan, early/on-time/late/missed points, points walked out of
order and the proof of presence; photos of what failed on demand; a printable round report."""
import base64

import streamlit as st

from console import ui
from console.i18n import label, pick, t

ui.require("task.summary")
client = ui.client()
st.title(t("rd_title"))

remember = ui.url_state({"rd_site": int, "rd_guard": int})
c = st.columns([2, 2, 3])
site_id = ui.site_picker("rd_site", allow_all=False, container=c[0])
day = c[1].date_input(t("date"), value=ui.local_today(site_id), max_value=ui.local_today(site_id), key="rd_day")
guards = {u["id"]: u["name"] for u in ui.staff(site_id) if u.get("role") == "guard"}
guard = ui.choose(t("rd_guard"), {None: t("all"), **guards}, "rd_guard", c[2])
remember()

body = ui.load(client.rounds, site_id=site_id, date=day.isoformat())
rounds = [r for r in body.get("items", []) if guard is None or (r.get("assignee") or {}).get("id") == guard]
st.caption(t("rd_rule"))
if not rounds:
    st.info(t("rd_none"))


def gaps(points):
    """Minutes since the previous scan, in the order the points were walked."""
    out, previous = {}, None
    for p in sorted([p for p in points if p.get("walked_at")], key=lambda p: p["walked_at"]):
        at = ui.parse_time(p["walked_at"])
        out[p["task_id"]] = None if previous is None else round((at - previous).total_seconds() / 60)
        previous = at
    return out


for n, r in enumerate(rounds):
    k = r.get("counts") or {}
    bad = k.get("missed", 0) + k.get("late", 0) + k.get("out_of_order", 0)
    head = t("rd_round", time=ui.fmt_time(r["due_at"], site_id)[-5:], name=pick(r.get("schedule") or {}, "name"),
             guards=ui.name_of(r.get("assignee")) if r.get("assignee") else "—",
             done=k.get("on_time", 0) + k.get("early", 0), late=k.get("late", 0), missed=k.get("missed", 0))
    with st.expander(("⚠ " if bad else "") + head, expanded=bool(bad) and n < 2):
        gap = gaps(r["points"])
        st.dataframe(ui.frame([{
            "#": i, t("rd_point"): pick(p.get("checkpoint") or {}, "name"),
            t("rd_scanned"): ui.fmt_time(p["walked_at"], site_id) if p.get("walked_at") else None,
            t("rd_gap"): gap.get(p["task_id"]), t("rd_state"): label("round_timing", p.get("timing"))
            + (t("rd_out_of_order") if p.get("out_of_order") else ""),
            t("rd_presence"): p.get("presence_method") or None,
        } for i, p in enumerate(r["points"], 1)]), hide_index=True, width="stretch")
        walked = [p for p in r["points"] if p.get("inspection_id")]
        if walked and st.toggle(t("rd_show_photos"), key=f"rd_photos_{n}"):
            for p in walked:
                insp = ui.try_load(client.inspection, p["inspection_id"], default=None) or {}
                ids = [pid for f in insp.get("findings", []) for pid in f.get("photo_ids", [])]
                if ids:
                    st.caption(f"{pick(p.get('checkpoint') or {}, 'name')}："
                               + "、".join(pick(f, "title") for f in insp["findings"]))
                    cols = st.columns(6)
                    for j, pid in enumerate(ids[:6]):
                        data = ui.photo_bytes(pid, "thumb")
                        if data:
                            cols[j].image(data, width="stretch")

report = ui.try_load(client.report_rounds_html, site_id=site_id, date=day.isoformat(), default=None)
if report and rounds:
    st.download_button(t("rd_print"), report, file_name=f"rounds-{day.isoformat()}.html", mime="text/html",
                       icon=":material/print:", key="rd_print")
    st.iframe("data:text/html;charset=utf-8;base64," + base64.b64encode(report.encode()).decode(), height=480)
