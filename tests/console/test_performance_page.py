"""The performance page: a supervisor records a check and sees the month's scores (seed 004 绩效考核)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.console.pages import api, submit, texts


def test_a_supervisor_records_outstanding_work_and_sees_the_score_and_reward(console, console_api):
    """004 績效考核 4.5.1 如員工當月工作業績突出，則按1分10元獎勵."""
    at = console("super1", "app_pages/performance.py")
    assert "客户服务中心员工绩效考核" in texts(at)
    site = next(s for s in api(console_api, "super1", "GET", "/sites") if s["code"] == "LHY")
    cleaner = next(u for u in api(console_api, "super1", "GET", "/users", params={"site_id": site["id"]})
                   if u["username"] == "cleaner1")
    at.selectbox(key="perf_staff").set_value(cleaner["id"])
    at.selectbox(key="perf_category").set_value("innovation")
    at.number_input(key="perf_points").set_value(3)
    at.text_input(key="perf_note").input("提出垃圾分类改进办法")
    submit(at, "perf_entry")
    assert not at.exception
    assert "提出垃圾分类改进办法" in texts(at) or "30.00" in texts(at)
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    got = api(console_api, "super1", "GET", f"/performance/{month}", params={"site_id": site["id"]})
    assert any(p["name"] == "吴芳" and p["reward_yuan"] == "30.00" for p in got["people"])
