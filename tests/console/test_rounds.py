"""巡检记录 in the console, against the demo's walked rounds: the API's rounds, in their order, and a printable
report of the same day."""
import base64
from datetime import timedelta

from tests.console.pages import api


def test_yesterdays_rounds_show_points_in_order_with_timing_and_a_printable_report(console, console_api):
    at = console("super1", "app_pages/rounds.py")
    day = at.date_input(key="rd_day").value - timedelta(days=1)
    at.date_input(key="rd_day").set_value(day).run()
    assert not at.exception
    site_id = at.selectbox(key="rd_site").value
    body = api(console_api, "super1", "GET", "/rounds", params={"site_id": site_id, "date": day.isoformat()})
    assert body["items"], "the demo walked rounds yesterday"
    heads = [e.label for e in at.expander]
    assert len(heads) == len(body["items"])
    r = body["items"][0]
    assert f"漏检 {r['counts']['missed']}" in heads[0] and f"迟巡 {r['counts']['late']}" in heads[0]
    table = at.dataframe[0].value
    assert table[table.columns[1]].tolist() == [p["checkpoint"]["name"] for p in r["points"]]
    assert "None" not in table.to_string() and "on_time" not in table.to_string()
    [frame] = at.get("iframe")
    report = base64.b64decode(frame.proto.src.split(",", 1)[1]).decode()
    assert "巡 检 记 录" in report and r["points"][0]["checkpoint"]["name"] in report
