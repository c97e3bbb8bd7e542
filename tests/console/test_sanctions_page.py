"""The ledger tab records a sanction on the person's line (seed 004 4.2.3), and the notices tab a
supervisor's share verified (004 4.2.6)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.console.pages import api, submit, texts


def test_a_manager_records_a_warning_for_a_person_in_the_sanction_tier(console, console_api):
    """004 4.2.3 每月累計扣分達11~15分……另對其做出行政警告、行政罰款、行政記過等行政處分."""
    lhy = next(s for s in api(console_api, "manager1", "GET", "/sites") if s["code"] == "LHY")
    staff = next(u for u in api(console_api, "manager1", "GET", "/users", params={"site_id": lhy["id"]})
                 if u["username"] == "garden1")
    api(console_api, "super1", "POST", "/deductions", json={
        "site_id": lhy["id"], "staff_id": staff["id"], "points": 13, "reason": "绿化带长期未修剪",
        "problem_key": "green.untrimmed", "occurred_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat()})
    at = console("manager1", "app_pages/deductions.py")
    at.selectbox(key="ded_site").set_value(lhy["id"]).run()
    # this month, where the 13 points are (from the 1st to the 5th the page opens on last month)
    at.selectbox(key="ded_month").set_value(datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")).run()
    at.selectbox(key="ded_sa_staff").set_value(staff["id"])
    at.selectbox(key="ded_sa_kind").set_value("warning")
    at.text_input(key="ded_sa_reason").input("管理处研究决定")
    submit(at, "ded_sanction")
    assert not at.exception
    assert "行政警告" in texts(at)
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    got = api(console_api, "manager1", "GET", "/sanctions", params={"site_id": lhy["id"], "month": month})["items"]
    assert any(s["staff_id"] == staff["id"] and s["kind"] == "warning" for s in got)
