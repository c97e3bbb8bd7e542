"""Every console page, driven with Streamlit's AppTest against the real API with demo data."""
import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.console.pages import api, submit, submit_round, texts  # noqa: F401
from tests.live import free_port
from console.ui import month_options
from tests.helpers import assert_error_shape


def this_month():
    return datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")


# --- logging in and out -------------------------------------------------------------------------

def test_login_keeps_only_the_token_and_opens_today(console):
    at = console()
    at.text_input(key="login_username").input("manager1")
    at.text_input(key="login_password").input("test-pass-123")
    at.form_submit_button[0].click().run()
    assert not at.exception
    assert at.session_state["token"]
    assert "test-pass-123" not in repr({k: at.session_state[k] for k in at.session_state})
    assert "今日概况" in texts(at)
    assert "王经理" in texts(at)


def test_wrong_password_is_refused_with_a_message(console):
    at = console()
    at.text_input(key="login_username").input("super1")
    at.text_input(key="login_password").input("guessing")
    at.form_submit_button[0].click().run()
    assert "token" not in at.session_state
    assert "账号或密码不正确" in texts(at)


def test_logout_forgets_the_token(console, console_api):
    token = console_api.login("super2")
    at = console()
    at.session_state["token"] = token
    at.run()
    at.button(key="logout").click().run()
    assert "token" not in at.session_state
    assert "登录管理台" in texts(at)
    assert_error_shape(requests.get(f"{console_api.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"},
                        timeout=10), 401)


def test_an_expired_token_goes_back_to_login(console):
    at = console()
    at.session_state["token"] = "expired-or-revoked"
    at.run()
    assert not at.exception
    assert "token" not in at.session_state
    assert "登录已过期" in texts(at)


def test_an_api_that_is_down_is_a_friendly_error(console, token_for):
    url = os.environ["PATROL_API_URL"]
    os.environ["PATROL_API_URL"] = f"http://127.0.0.1:{free_port()}"
    try:
        at = console()
        at.session_state["token"] = token_for("super1")
        at.run()
    finally:
        os.environ["PATROL_API_URL"] = url
    assert not at.exception
    assert "无法连接服务器" in texts(at)


def test_field_staff_are_sent_to_the_phone_app(console):
    at = console("guard1")
    assert "手机端" in texts(at)
    assert "巡检问题" not in texts(at)


def test_english_switch_relabels_the_page(console):
    at = console("super1", lang="en")
    assert "Today" in texts(at) and "Rounds done" in texts(at)
    assert "今日概况" not in texts(at)


# --- today ------------------------------------------------------------------------------------

def test_today_shows_rounds_by_zone_and_the_open_finding(console, lamp_finding):
    at = console("super1")
    page = texts(at)
    labels = {m.label: m.value for m in at.metric}
    assert int(labels["待巡检"]) + int(labels["已完成巡检"]) + int(labels["漏检"]) > 0
    assert "北片区（1–3 号楼）" in page and "地下车库" in page
    assert "主干道路灯 03" in page  # the open finding's checkpoint
    assert "华庆大厦" not in page  # super1 works at 绿荷苑 only


# --- findings ---------------------------------------------------------------------------------

def test_findings_show_checkpoint_thumbnail_and_preview(console, lamp_finding):
    at = console("super1", "app_pages/findings.py")
    assert "主干道路灯 03" in texts(at)
    before = len(at.image)
    assert before >= 1  # thumbnails
    at.button(key=f"fd_view_{lamp_finding['id']}").click().run()
    assert not at.exception
    assert len(at.image) > before  # the full preview opened


def test_a_finding_dismissed_from_its_preview_needs_a_reason(console, console_api):
    finding = submit_round(console_api, "guard1", "LHY-LAMP-11", "road_lamps", {"lamp_lit": "误报"})[0]
    at = console("super1", "app_pages/findings.py")
    at.button(key=f"fd_view_{finding['id']}").click().run()
    submit(at, f"fd_dismiss_{finding['id']}")  # no reason given
    assert not at.exception
    assert api(console_api, "super1", "GET", f"/findings/{finding['id']}")["status"] == "open"
    assert any("请更正" in e.value for e in at.error)
    at.text_input(key=f"fd_dismiss_reason_{finding['id']}").input("复查灯具正常，系误报")
    submit(at, f"fd_dismiss_{finding['id']}")
    assert not at.exception
    assert api(console_api, "super1", "GET", f"/findings/{finding['id']}")["status"] == "dismissed"
    assert f"fd_view_{finding['id']}" not in [b.key for b in at.button]  # gone from the open list


def test_selected_findings_become_one_work_order_and_deductions(console, console_api):
    findings = submit_round(console_api, "guard3", "LHY-DRAIN-09", "drain_covers",
                            {"cover_secure": "井盖松动", "cover_not_damaged": "井盖破损"})
    at = console("super1", "app_pages/findings.py")
    for f in findings:
        at.checkbox(key=f"fd_sel_{f['id']}").check().run()
    at.checkbox(key="fd_make_ded").check()
    at.checkbox(key="fd_ded_shares").check()
    submit(at, "fd_act")
    assert not at.exception
    assert "已生成工单" in texts(at) and "已开具过失单 2 张" in texts(at)
    for f in findings:
        assert api(console_api, "super1", "GET", f"/findings/{f['id']}")["status"] == "in_work"
    orders = api(console_api, "super1", "GET", "/work-orders", params={"limit": 200})["items"]
    mine = [o for o in orders if "等 2 项" in o["title"]]
    assert len(mine) == 1  # one order covering both findings
    detail = api(console_api, "super1", "GET", f"/work-orders/{mine[0]['id']}")
    assert {f["id"] for f in detail["findings"]} == {f["id"] for f in findings}
    notices = api(console_api, "super1", "GET", "/deductions", params={"month": this_month()})["items"]
    made = [d for d in notices if d["finding_id"] in {f["id"] for f in findings}]
    assert len(made) == 2 and all(d["supervisor_shares"] for d in made)


def test_refused_order_shows_the_field_error_and_changes_nothing(console, console_api):
    finding = submit_round(console_api, "guard1", "LHY-LAMP-05", "road_lamps", {"lamp_lit": "不亮"})[0]
    at = console("super1", "app_pages/findings.py")
    at.checkbox(key=f"fd_sel_{finding['id']}").check().run()
    at.text_input(key=f"fd_wo_title_{finding['id']}").input("长" * 300)
    at.checkbox(key="fd_make_ded").check()
    submit(at, "fd_act")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("255" in e for e in errors)  # under the title field
    assert any("请更正" in e for e in errors)
    assert api(console_api, "super1", "GET", f"/findings/{finding['id']}")["status"] == "open"
    notices = api(console_api, "super1", "GET", "/deductions", params={"month": this_month()})["items"]
    assert finding["id"] not in {d["finding_id"] for d in notices}


# --- work orders ---------------------------------------------------------------------------------

def _order_for(console_api, checkpoint, checklist, item):
    finding = submit_round(console_api, "guard1", checkpoint, checklist, {item: "坏了"})[0]
    return api(console_api, "super1", "POST", "/work-orders", json={
        "finding_ids": [finding["id"]], "client_id": f"console-test-{finding['id']}"})


def test_board_shows_orders_with_countdowns_and_assigning_is_recorded(console, console_api):
    order = _order_for(console_api, "LHY-LAMP-07", "road_lamps", "lamp_lit")
    at = console("super1", "app_pages/work_orders.py")
    page = texts(at)
    assert f"#{order['id']} {order['title']}" in page and "剩余" in page
    at.button(key=f"wo_open_{order['id']}").click().run()
    assert "处理记录" in texts(at)
    at.text_area(key=f"wo_note_assign_{order['id']}").input("今晚修好")
    submit(at, f"wo_assign_{order['id']}")
    assert not at.exception, [e.value for e in at.exception]
    events = api(console_api, "super1", "GET", f"/work-orders/{order['id']}")["events"]
    assert events[-1]["action"] == "assign" and events[-1]["note"] == "今晚修好"
    assert "今晚修好" in texts(at)


def test_unsatisfied_revisit_sends_the_job_back(console, console_api):
    order = _order_for(console_api, "LHY-LAMP-08", "road_lamps", "lamp_lit")
    oid = order["id"]
    tech = order["assignee"]["username"]
    after = submit_photo(console_api, tech)
    for action, extra in (("accept", {}), ("start", {}), ("finish", {"photo_ids": [after]})):
        api(console_api, tech, "POST", f"/work-orders/{oid}/transitions", json={"action": action, **extra})
    at = console("super1", "app_pages/work_orders.py")
    at.button(key=f"wo_open_{oid}").click().run()
    assert "完工照片" in texts(at)
    at.radio(key=f"wo_satisfied_{oid}").set_value(False)
    at.text_area(key=f"wo_note_verify_{oid}").input("业主反映灯仍闪烁")
    submit(at, f"wo_verify_{oid}")
    assert not at.exception
    detail = api(console_api, "super1", "GET", f"/work-orders/{oid}")
    assert detail["reopen_count"] == 1 and detail["status"] in ("assigned", "open")


def submit_photo(server, username):
    from tests.console.pages import _jpeg

    h = {"Authorization": f"Bearer {server.login(username)}"}
    r = requests.post(f"{server.url}/api/v1/photos", headers=h, timeout=30,
                      files={"file": ("after.jpg", _jpeg(f"after {username}", (30, 120, 60)), "image/jpeg")})
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


# --- deductions ----------------------------------------------------------------------------------

def test_ledger_shows_people_points_and_money(console, console_api, lamp_finding):
    api(console_api, "super1", "POST", "/deductions", json={
        "finding_id": lamp_finding["id"], "points": 6, "client_id": "console-ledger-lamp"})
    at = console("manager1", "app_pages/deductions.py")
    at.selectbox(key="ded_month").set_value(this_month()).run()
    page = texts(at)
    assert "马建国" in page  # tech1 answers for zone A's engineering
    ledger = api(console_api, "manager1", "GET", f"/ledger/{this_month()}", params={"site_id": 1})
    assert f"¥{ledger['totals']['total']}" in page
    line = next(ln for ln in ledger["lines"] if ln["name"] == "马建国")
    assert line["posting"] and "马建国" in at.dataframe[1].value.to_string()  # the posting list
    assert {b.label for b in at.get("download_button")} >= {"下载工资扣款表（Excel）", "下载工资扣款表（CSV）"}


def test_last_months_closed_ledger_shows_tiers_and_the_posting_list(console, console_api):
    at = console("manager1", "app_pages/deductions.py")
    last_month = month_options()[1]
    at.selectbox(key="ded_month").set_value(last_month).run()
    site_id = at.selectbox(key="ded_site").value
    ledger = api(console_api, "manager1", "GET", f"/ledger/{last_month}", params={"site_id": site_id})
    assert ledger["closed"] and ledger["lines"]  # the demo closed last month with people over 5, 11 and 20
    page = texts(at)
    assert "已封账" in page
    assert {m.label: m.value for m in at.metric}["合计（元）"] == f"¥{ledger['totals']['total']}"
    for line in ledger["lines"]:
        assert line["name"] in at.dataframe[0].value[at.dataframe[0].value.columns[0]].tolist()
    dismissed = [ln for ln in ledger["lines"] if ln["tier"] == "dismissal"]
    assert dismissed and "开除" in at.dataframe[0].value.to_string()
    posted = at.dataframe[1].value.to_string()
    assert all(p["name"] in posted for p in ledger["posting"])
    assert not [c for c in at.checkbox if c.key == "ded_close_confirm"]  # nothing to close twice


def test_manager_decides_an_appeal_with_a_reason(console, console_api):
    finding = submit_round(console_api, "guard1", "LHY-T3-LOBBY", "lobby", {"desk_tidy": "桌面杂乱"})[0]
    ded = api(console_api, "super1", "POST", "/deductions", json={
        "finding_id": finding["id"], "client_id": f"console-appeal-{finding['id']}"})
    staff = ded["staff"]["username"]
    api(console_api, staff, "POST", f"/deductions/{ded['id']}/appeal", json={"reason": "当班不是我"})
    at = console("manager1", "app_pages/deductions.py")
    assert "当班不是我" in texts(at)
    at.radio(key=f"ded_upheld_{ded['id']}").set_value(True)
    at.text_input(key=f"ded_why_{ded['id']}").input("查排班表属实")
    submit(at, f"ded_decide_{ded['id']}")
    assert not at.exception
    assert api(console_api, "manager1", "GET", f"/deductions/{ded['id']}")["status"] == "voided"


def test_manager_closes_a_month(console, console_api):
    at = console("manager1")
    at.switch_page("app_pages/deductions.py").run()
    quiet_month = month_options()[3]  # the demo closed last month itself
    at.selectbox(key="ded_month").set_value(quiet_month).run()
    at.checkbox(key="ded_close_confirm").check()
    submit(at, "ded_close")
    assert not at.exception
    assert "已封账" in texts(at)
    site_id = at.selectbox(key="ded_site").value
    assert api(console_api, "manager1", "GET", f"/ledger/{quiet_month}", params={"site_id": site_id})["closed"]


def test_supervisors_see_no_close_button(console):
    at = console("super1", "app_pages/deductions.py")
    assert not [c for c in at.checkbox if c.key == "ded_close_confirm"]


# --- checklists, reports, audit ------------------------------------------------------------------

def test_checklists_show_items_in_both_languages(console):
    at = console("super1", "app_pages/checklists.py")
    at.selectbox(key="cl_key").set_value("road_lamps").run()
    page = texts(at)
    assert "路灯/地灯" in page and "路灯（地灯）照明正常" in page and "Lamp is lit" in page
    # the policy figures the API applies (checklists/policy.yaml)
    assert "每分 5.00 元" in page and "员工 70%／主管 30%" in page
    assert "月累计 ≥20 分：开除" in page and "月累计 5–10 分：额外罚款（20.00 元）" in page


def test_reports_chart_pass_rates_and_rank_the_zones(console, console_api, lamp_finding):
    at = console("manager1", "app_pages/reports.py")
    assert len(at.get("vega_lite_chart")) >= 3  # pass rate by checklist, by zone, zone ranking (+ SLA bars)
    site_id = at.selectbox(key="rep_site").value
    month = at.selectbox(key="rep_rank_month").value
    ranking = api(console_api, "manager1", "GET", "/reports/zone-ranking", params={"site_id": site_id, "month": month})
    table = at.dataframe[0].value
    assert table[table.columns[1]].tolist() == [z["name"] for z in ranking["zones"]]
    first = date(int(month[:4]), int(month[5:7]), 1)
    last = min(datetime.now(ZoneInfo("Asia/Shanghai")).date(), (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    overall = api(console_api, "manager1", "GET", "/reports/work-orders", params={
        "site_id": site_id, "since": first.isoformat(), "until": last.isoformat()})["overall"]
    assert {m.label: m.value for m in at.metric}["已完成"] == str(overall["completed"])
    at.segmented_control(key="rep_wo_by").set_value("person").run()
    assert not at.exception
    people = api(console_api, "manager1", "GET", "/reports/work-orders",
                 params={"site_id": site_id, "by": "person", "since": first.isoformat(),
                         "until": last.isoformat()})["groups"]
    assert all(p["name"] in texts(at) for p in people if p.get("name"))


def test_audit_log_is_for_managers(console, console_api, lamp_finding):
    at = console("manager1", "app_pages/audit.py")
    assert "操作日志" in texts(at)
    sup = console("super1")
    with pytest.raises(ValueError):
        sup.switch_page("app_pages/audit.py")  # not in a supervisor's navigation


@pytest.mark.parametrize("username, pages", [
    ("service1", ["app_pages/today.py", "app_pages/checklists.py"]),
    ("super3", ["app_pages/today.py", "app_pages/findings.py", "app_pages/work_orders.py",
                "app_pages/deductions.py", "app_pages/reports.py", "app_pages/checklists.py"]),
    ("admin", ["app_pages/audit.py", "app_pages/deductions.py"]),
])
def test_each_desk_role_opens_its_pages_without_errors(console, username, pages):
    at = console(username)
    for page in pages:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
    if username == "super3":
        assert "绿荷苑" not in texts(at)  # 华庆大厦 only
