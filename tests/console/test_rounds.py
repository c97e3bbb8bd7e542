"""巡检记录 in the console, against the demo's walked rounds: the same counts as the API, a printable report."""
import base64
from datetime import date, timedelta

from tests.console.test_pages import api


def test_yesterdays_rounds_show_points_in_walking_order_with_missed_ones(console, console_api):
    at = console("super1", "app_pages/rounds.py")
    day = at.date_input(key="rd_day").value - timedelta(days=1)
    at.date_input(key="rd_day").set_value(day).run()
    assert not at.exception
    site_id = at.selectbox(key="rd_site").value
    body = api(console_api, "super1", "GET", "/reports/rounds", params={"site_id": site_id, "date": day.isoformat()})
    assert body["rounds"], "the demo walked rounds yesterday"
    heads = [e.label for e in at.expander]
    assert len(heads) == len(body["rounds"])
    r = body["rounds"][0]
    assert f"完成 {r['done']}" in heads[0] and f"漏检 {r['missed']}" in heads[0]
    table = at.dataframe[0].value
    assert table[table.columns[1]].tolist() == [p["checkpoint"] for p in r["points"]]
    assert "None" not in table.to_string()
    [frame] = at.get("iframe")
    report = base64.b64decode(frame.proto.src.split(",", 1)[1]).decode()
    assert "巡 检 记 录" in report and r["points"][0]["checkpoint"] in report
    assert isinstance(day, date)
