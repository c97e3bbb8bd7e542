"""工单记录 in the console: any status, search, the Excel export and the printable 派工单."""
import base64

from tests.console.pages import api


def test_history_finds_a_cancelled_order_by_its_number_and_prints_it(console, console_api):
    made = api(console_api, "super1", "POST", "/work-orders", json={
        "site_id": 1, "trade": "engineering", "title": "2 号楼消防门闭门器损坏", "priority": "normal",
        "client_id": "history-console-1"})
    api(console_api, "super1", "POST", f"/work-orders/{made['id']}/transitions",
        json={"action": "cancel", "note": "重复登记"})
    at = console("super1", "app_pages/work_order_history.py")
    at.text_input(key="wh_q").input(f"#{made['id']}").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["#"].tolist() == [made["id"]] and "已撤销" in table.to_string()
    assert "None" not in table.to_string()
    assert at.get("download_button")[0].label == "导出 Excel"
    at.selectbox(key="wh_print_id").set_value(made["id"]).run()
    [frame] = at.get("iframe")
    sheet = base64.b64decode(frame.proto.src.split(",", 1)[1]).decode()
    assert "派 工 单" in sheet and "2 号楼消防门闭门器损坏" in sheet
