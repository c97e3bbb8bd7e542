"""The organisation pages (场所与片区, 楼栋与房号, 巡检点, 排班, 人员) against the real API: managers list,
create, edit, deactivate and import; row errors of an import are shown by row and column; others do not see
the pages."""
import io

import requests
from openpyxl import Workbook

from tests.console.pages import api, submit, texts
from tests.helpers import assert_error_shape


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "楼栋 buildings"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_organisation_pages_are_for_managers_only(console):
    import pytest

    at = console("super1")
    for page in ("app_pages/org_sites.py", "app_pages/org_buildings.py", "app_pages/org_checkpoints.py",
                 "app_pages/org_schedules.py", "app_pages/org_staff.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
        assert not console("manager1", page).exception


def test_sites_and_zones_show_the_responsible_staff_per_trade(console):
    at = console("manager1", "app_pages/org_sites.py")
    shown = texts(at)
    assert "场所与片区" in shown and "绿荷苑小区" in shown
    assert "秩序责任人" in shown and "张伟" in shown  # guard1 answers for zone A's security


def test_a_manager_creates_a_building_in_a_zone_and_it_is_listed(console, console_api):
    at = console("manager1", "app_pages/org_buildings.py")
    at.text_input(key="org_b_new_code").input("UI1")
    at.text_input(key="org_b_new_name").input("界面1栋")
    at.selectbox(key="org_b_new_zone_code").set_value("A")
    submit(at, "org_b_new")
    assert not at.exception, [e.value for e in at.exception]
    assert "已新建 UI1" in texts(at)
    assert "界面1栋" in texts(at)
    listed = api(console_api, "manager1", "GET", "/buildings")["items"]
    assert any(b["code"] == "UI1" and b["zone_code"] == "A" for b in listed)


def test_a_building_without_a_name_is_refused_by_its_field(console):
    at = console("manager1", "app_pages/org_buildings.py")
    at.text_input(key="org_b_new_code").input("UI2")
    submit(at, "org_b_new")
    assert "请更正标红的内容" in texts(at)


def test_an_import_with_bad_rows_lists_them_by_row_and_column_and_writes_nothing(console, console_api, token_for):
    data = _xlsx([["场所编号 Site code", "楼栋编号 Building code", "楼栋名称 Name", "所属片区 Zone code"],
                  ["LHY", "X1", "X1栋", "A"], ["LHY", "X2", None, "A"], ["LHY", "X3", "X3栋", "NOPE"]])
    at = console("manager1", "app_pages/org_buildings.py")
    # the uploader cannot be driven by AppTest: the page's import goes through the same client call
    from console.client import PatrolClient, ValidationError

    client = PatrolClient(base_url=console_api.url, token=token_for("manager1"))
    try:
        client.import_workbook("buildings", data, "b.xlsx")
        raise AssertionError("a file with bad rows was imported")
    except ValidationError as exc:
        rows = exc.body["errors"]["rows"]
    at.session_state["org_b_xl_result"] = ("rows", rows)
    at.run()
    shown = texts(at)
    assert "文件中有 2 处问题，未导入任何数据" in shown
    assert "必填项为空" in shown and "场所 LHY 没有片区 NOPE" in shown
    assert not [b for b in api(console_api, "manager1", "GET", "/buildings")["items"] if b["code"].startswith("X")]


def test_checkpoint_labels_come_from_the_api_for_the_picked_rows(console, console_api, token_for):
    at = console("manager1", "app_pages/org_checkpoints.py")
    assert "LHY-T1-LOBBY" in texts(at)
    button = next(b for b in at.button if b.key == "org_cp_labels")
    assert "打印全部" in button.label
    button.click().run()
    assert not at.exception
    html = at.session_state["org_cp_label_html"]
    assert b'<div class="code">LHY-T1-LOBBY</div>' in html and b"<svg" in html


def test_a_schedule_is_made_with_fixed_times(console, console_api):
    at = console("manager1", "app_pages/org_schedules.py")
    at.text_input(key="org_s_new_key").input("ui_gate")
    at.text_input(key="org_s_new_name").input("门岗巡查")
    at.selectbox(key="org_s_new_checklist").set_value("lobby")
    at.text_input(key="org_s_new_at").input("08:00,20:00")
    submit(at, "org_s_new")
    assert not at.exception, [e.value for e in at.exception]
    assert "已新建 ui_gate" in texts(at) and "08:00、20:00" in texts(at)


def test_a_new_staff_member_gets_a_login_and_can_be_deactivated(console, console_api):
    at = console("manager1", "app_pages/org_staff.py")
    at.text_input(key="org_p_new_employee_no").input("UI900")
    at.text_input(key="org_p_new_username").input("uiguard")
    at.text_input(key="org_p_new_name").input("界面保安")
    at.selectbox(key="org_p_new_role").set_value("guard")
    at.selectbox(key="org_p_new_trade").set_value("security")
    at.text_input(key="org_p_new_password").input("ui-pass-1234")
    submit(at, "org_p_new")
    assert not at.exception, [e.value for e in at.exception]
    assert "已新建 UI900" in texts(at)
    r = requests.post(f"{console_api.url}/api/v1/auth/login", json={"username": "uiguard", "password": "ui-pass-1234"},
                      timeout=30)
    assert r.status_code == 200
    uid = r.json()["user"]["id"]
    api(console_api, "manager1", "POST", f"/users/{uid}/deactivate")
    assert_error_shape(requests.post(f"{console_api.url}/api/v1/auth/login",
                         json={"username": "uiguard", "password": "ui-pass-1234"}, timeout=30), 401)


def test_the_pages_read_in_english_too(console):
    at = console("manager1", "app_pages/org_staff.py", lang="en")
    shown = texts(at)
    assert "Staff" in shown and "Employee no." in shown
